module broadside

go 1.26

require (
	git.sr.ht/~adnano/go-gemini v0.2.6
	github.com/BurntSushi/toml v1.6.0
	github.com/fsnotify/fsnotify v1.10.1
	github.com/yuin/goldmark v1.8.7
	golang.org/x/text v0.15.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	golang.org/x/net v0.25.0 // indirect
	golang.org/x/sys v0.20.0 // indirect
)
