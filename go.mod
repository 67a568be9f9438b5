module broadside

go 1.26

require golang.org/x/text v0.15.0

require (
	git.sr.ht/~adnano/go-gemini v0.2.6 // indirect
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	github.com/yuin/goldmark v1.8.7 // indirect
	golang.org/x/net v0.25.0 // indirect
	golang.org/x/sys v0.20.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
