package gemtext

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// stockMarkdown is goldmark as it comes, with the extensions and options
// the converter's hardened parser reproduces: the baseline of the
// benchmarks and the reference of the differential tests.
func stockMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAttribute()),
	)
}
