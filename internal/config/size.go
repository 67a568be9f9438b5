package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Cache configures the page cache.
type Cache struct {
	Size int64 // bytes of built pages and views kept in memory
}

const (
	defaultCacheSize = 64 << 20
	minCacheSize     = 1 << 20
	maxCacheSize     = 1 << 40
)

type rawCache struct {
	Size toml.Primitive `toml:"size"`
}

// byteSize is a size as written: an integer of bytes, or a string with a
// unit ("64MB", "1.5 GiB", "512KB"). Units are powers of 1024, as memory
// is counted; "MB" and "MiB" mean the same.
type byteSize struct {
	n   int64
	err string
}

func (b *byteSize) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		b.n = x
	case string:
		n, err := parseSize(x)
		if err != nil {
			b.err = err.Error()
		}
		b.n = n
	default:
		b.err = fmt.Sprintf("want a size such as \"64MB\" or a number of bytes, got %T", v)
	}
	return nil
}

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"tib", 1 << 40}, {"tb", 1 << 40}, {"t", 1 << 40},
	{"gib", 1 << 30}, {"gb", 1 << 30}, {"g", 1 << 30},
	{"mib", 1 << 20}, {"mb", 1 << 20}, {"m", 1 << 20},
	{"kib", 1 << 10}, {"kb", 1 << 10}, {"k", 1 << 10},
	{"b", 1},
}

// parseSize reads "64MB", "1.5 GiB", "4096", "512 kb".
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*mult > float64(maxCacheSize)*2 {
		return 0, fmt.Errorf("%q is not a size such as \"64MB\", \"1.5GB\" or \"4096\"", s)
	}
	return int64(f * mult), nil
}

func (v *validator) cacheSize(o opt[byteSize]) int64 {
	if !o.set {
		return defaultCacheSize
	}
	switch {
	case o.v.err != "":
		v.failAt("cache.size", o.line, "%s", o.v.err)
	case o.v.n < minCacheSize || o.v.n > maxCacheSize:
		v.failAt("cache.size", o.line, "%d bytes is outside 1MB to 1TB", o.v.n)
	default:
		return o.v.n
	}
	return defaultCacheSize
}
