package gemtext

import (
	"strings"

	east "github.com/yuin/goldmark/extension/ast"

	"broadside/internal/termwidth"
)

// table renders a GFM table as a preformatted block (rule 11): columns
// padded by display width and aligned as the table asks, a rule under the
// header row, cell text otherwise unchanged. Links in cells are registered
// like any other and so follow the table.
//
// Padding multiplies: one wide cell widens its column in every row, and a
// header of 10,000 columns pads every short row to 10,000 cells. A table
// whose padded form would be much larger than its text is written
// unpadded instead, each row as its own cells joined by " | ".
func (r *render) table(n *east.Table, c bctx) {
	var rows [][]string
	cols, plain := 0, 0
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			var b strings.Builder
			r.inlines(&b, cell)
			t := strings.ReplaceAll(cleanLabel(b.String()), "\t", " ")
			r.words += countWords(t)
			cells = append(cells, t)
			plain += len(t) + 3
		}
		cols = max(cols, len(cells))
		rows = append(rows, cells)
	}
	if cols == 0 {
		return
	}
	widths := make([]int, cols)
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], termwidth.String(cell))
		}
	}
	rowWidth := 0
	for _, w := range widths {
		rowWidth += w + 3
	}
	padded := len(rows) < (2*plain+maxTablePadding)/rowWidth+1
	r.flushMarker(c)
	r.qsep, r.lastQuote = false, false
	r.out.sep()
	r.out.line("```")
	var b strings.Builder
	for i, row := range rows {
		b.Reset()
		if padded {
			for j := range cols {
				if j > 0 {
					b.WriteString(" | ")
				}
				cell := ""
				if j < len(row) {
					cell = row[j]
				}
				align := east.AlignNone
				if j < len(n.Alignments) {
					align = n.Alignments[j]
				}
				b.WriteString(pad(cell, widths[j], align))
			}
		} else {
			b.WriteString(strings.Join(row, " | "))
		}
		r.out.pre([]byte(strings.TrimRight(b.String(), " ")))
		if i == 0 {
			b.Reset()
			for j, cell := range row {
				if j > 0 {
					b.WriteString("-|-")
				}
				w := termwidth.String(cell)
				if padded {
					w = widths[j]
				}
				b.WriteString(strings.Repeat("-", max(w, 1)))
			}
			if padded {
				for j := len(row); j < cols; j++ {
					b.WriteString("-|-")
					b.WriteString(strings.Repeat("-", max(widths[j], 1)))
				}
			}
			r.out.pre([]byte(b.String()))
		}
	}
	r.out.line("```")
	r.out.sep()
}

// maxTablePadding is how many bytes of padding a table may add beyond
// doubling its text before it is written unpadded.
const maxTablePadding = 16 << 10

// pad fills s to w display columns according to the column's alignment.
func pad(s string, w int, a east.Alignment) string {
	gap := w - termwidth.String(s)
	if gap <= 0 {
		return s
	}
	switch a {
	case east.AlignRight:
		return strings.Repeat(" ", gap) + s
	case east.AlignCenter:
		left := gap / 2
		return termwidth.Pad(strings.Repeat(" ", left)+s, w)
	}
	return termwidth.Pad(s, w)
}
