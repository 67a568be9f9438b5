package config

import (
	"errors"
	"strings"

	"github.com/BurntSushi/toml"
)

// positions finds the line of any key. BurntSushi/toml keeps key positions
// private and reveals them only in a ParseError, so line decodes the key
// into a probe whose UnmarshalTOML fails on purpose and reads the position
// off the error. It uses its own decode of the file, so probing never
// changes what the real decode reports as undecoded.
type positions struct {
	md  toml.MetaData
	top map[string]toml.Primitive
}

func newPositions(data []byte) positions {
	var p positions
	md, err := toml.Decode(string(data), &p.top)
	if err != nil {
		return positions{}
	}
	p.md = md
	return p
}

// errProbe is what probe always returns.
var errProbe = errors.New("probe")

// probe is a toml.Unmarshaler that refuses every value.
type probe struct{}

// UnmarshalTOML implements toml.Unmarshaler.
func (probe) UnmarshalTOML(any) error { return errProbe }

// line returns the line of a dotted key, or 0 if it cannot be found.
func (p positions) line(key string) int {
	return p.linePath(strings.Split(key, "."))
}

// KeyLines reads the TOML of a config file and returns a function that
// gives the line of a dotted key ("gemini.listen") in it, 0 when the file
// does not set the key, so that checks of settings can point at them.
func KeyLines(data []byte) func(key string) int {
	return newPositions(data).line
}
