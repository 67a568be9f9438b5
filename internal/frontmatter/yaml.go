package frontmatter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"broadside/internal/diag"
)

// maxNodes bounds how many YAML nodes one known key may expand to, so that
// aliases cannot blow a small file up into a huge value ("billion laughs").
const maxNodes = 10000

// errTooLarge stops a value that expands past maxNodes.
var errTooLarge = fmt.Errorf("value too large (over %d items, or nested too deeply)", maxNodes)

// yamlEntries parses a YAML block and returns its top-level mapping. base is
// the file line of the block's first line. Values of keys the schema does
// not know are never expanded: their entries carry only their position.
func yamlEntries(file string, data []byte, base, lastLine int) ([]entry, []*Error) {
	if entries, ok := simpleYAML(data, base); ok {
		return entries, nil
	}
	return yamlNodeEntries(file, data, base, lastLine)
}

// yamlNodeEntries is yamlEntries with yaml.v3, for any block.
func yamlNodeEntries(file string, data []byte, base, lastLine int) ([]entry, []*Error) {
	var doc yaml.Node
	if err := yamlUnmarshal(data, &doc); err != nil {
		rel := yamlErrLine(err.Error(), base) - base
		p := explainYAML(data, err.Error(), rel)
		return nil, []*Error{{File: file, Line: clampLine(p.line+base, base, lastLine), Col: p.col, Key: p.key,
			Code: CodeSyntax, Severity: diag.Error, Err: &syntaxError{msg: p.at(base), err: err}}}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil // empty or comments only
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, []*Error{{File: file, Line: root.Line + base - 1, Col: root.Column, Code: CodeNotMapping, Severity: diag.Error,
			Msg: "front matter must be key: value lines, such as title: \"My article\""}}
	}
	var out []entry
	var errs []*Error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			errs = append(errs, &Error{File: file, Line: k.Line + base - 1, Col: k.Column, Code: CodeUnknownKey,
				Severity: diag.Warning, Msg: "a key that is not a name; ignored"})
			continue
		}
		at := value{line: k.Line + base - 1, col: k.Column}
		if _, ok := lookup(k.Value); !ok {
			out = append(out, entry{key: k.Value, val: at})
			continue
		}
		budget := maxNodes
		val, err := fromYAML(v, base, &budget)
		if err != nil {
			code := CodeValue
			if errors.Is(err, errTooLarge) {
				code = CodeTooLarge
			}
			errs = append(errs, &Error{File: file, Line: at.line, Col: at.col, Key: k.Value, Code: code,
				Severity: diag.Error, Msg: err.Error()})
			continue
		}
		val.line, val.col = at.line, at.col // point at the key, even when the value starts below it
		out = append(out, entry{key: k.Value, val: val})
	}
	return out, errs
}

// yamlUnmarshal is yaml.Unmarshal that turns a panic inside the library into
// an error: a broken file must never take the site down.
func yamlUnmarshal(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: parser failure: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

// fromYAML converts a node. Aliases are followed within budget.
func fromYAML(n *yaml.Node, base int, budget *int) (value, error) {
	*budget--
	if *budget < 0 {
		return value{}, errTooLarge
	}
	v := value{line: n.Line + base - 1, col: n.Column}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return value{}, fmt.Errorf("unknown alias")
		}
		a, err := fromYAML(n.Alias, base, budget)
		a.line = v.line
		return a, err
	case yaml.SequenceNode:
		v.kind = listKind
		for _, c := range n.Content {
			item, err := fromYAML(c, base, budget)
			if err != nil {
				return value{}, err
			}
			v.items = append(v.items, item)
		}
	case yaml.MappingNode:
		v.kind = mapKind
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Kind != yaml.ScalarNode {
				continue
			}
			item, err := fromYAML(n.Content[i+1], base, budget)
			if err != nil {
				return value{}, err
			}
			v.keys = append(v.keys, entry{key: n.Content[i].Value, val: item})
		}
	case yaml.ScalarNode:
		v.text = n.Value
		switch n.ShortTag() {
		case "!!bool":
			v.tag = boolTag
		case "!!int":
			v.tag = intTag
		case "!!float":
			v.tag = floatTag
		case "!!timestamp":
			v.tag = timeTag
		case "!!null":
			v.tag = nullTag
		}
	default:
		return value{}, fmt.Errorf("unsupported YAML node")
	}
	return v, nil
}

// yamlParserProblems are the yaml.v3 parser (not scanner) error texts. For
// these, yaml.v3 prints a 0-based line (the start of the enclosing
// collection when there is one, so an unclosed "[" is reported where it
// opens); for scanner errors it prints a 1-based line.
var yamlParserProblems = []string{
	"did not find expected ',' or '}'",
	"did not find expected ',' or ']'",
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected node content",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
	"found undefined tag handle",
}

// yamlErrLine finds "line N" in a yaml.v3 error message (N relative to the
// block) and returns the absolute line, or base if there is none.
func yamlErrLine(msg string, base int) int {
	i := strings.Index(msg, "line ")
	if i < 0 {
		return base
	}
	j := i + len("line ")
	k := j
	for k < len(msg) && msg[k] >= '0' && msg[k] <= '9' {
		k++
	}
	n, err := strconv.Atoi(msg[j:k])
	if err != nil {
		return base
	}
	for _, p := range yamlParserProblems {
		if strings.HasSuffix(msg, p) {
			n++
			break
		}
	}
	return n + base - 1
}

// yamlErrText drops the "yaml: line N: " prefix, whose line is relative to
// the block and would contradict the absolute line of the *Error.
func yamlErrText(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			return after
		}
	}
	return msg
}

// clampLine keeps a reported line inside the block, delimiters included.
func clampLine(l, base, last int) int {
	if l < base-1 {
		return base - 1
	}
	if l > last {
		return last
	}
	return l
}
