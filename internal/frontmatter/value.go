package frontmatter

import "time"

// kind is the shape of a front-matter value.
type kind int

const (
	scalarKind kind = iota
	listKind
	mapKind
)

// tag says what a scalar holds, as its format typed it.
type tag int

const (
	strTag tag = iota
	boolTag
	intTag
	floatTag
	timeTag // YAML !!timestamp (text only) or TOML datetime (text and tm)
	nullTag
)

// localKind says which TOML local type a time came from, if any.
type localKind int

const (
	zoned localKind = iota
	localDatetime
	localDate
	localTime
)

// value is one front-matter value in a format-neutral form, so YAML and TOML
// map onto Meta through the same code. Line is the absolute file line.
type value struct {
	line int
	col  int // 1-based byte column, 0 if unknown
	kind kind

	// scalarKind
	tag   tag
	text  string    // the scalar as text (YAML: as written)
	tm    time.Time // TOML datetimes only; hasTm says so
	hasTm bool
	local localKind

	items []value // listKind
	keys  []entry // mapKind, in document order
}

// entry is one key of a mapping.
type entry struct {
	key string
	val value
}

// describe names a value's type for error messages.
func (v value) describe() string {
	switch v.kind {
	case listKind:
		return "a list"
	case mapKind:
		return "a table"
	}
	switch v.tag {
	case boolTag:
		return "a boolean"
	case intTag:
		return "a number"
	case floatTag:
		return "a number"
	case timeTag:
		return "a date"
	case nullTag:
		return "null"
	}
	return "a string"
}
