package frontmatter

// String returns "none", "yaml" or "toml", for test output.
func (f Format) String() string {
	switch f {
	case YAML:
		return "yaml"
	case TOML:
		return "toml"
	}
	return "none"
}
