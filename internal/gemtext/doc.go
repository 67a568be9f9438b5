// Package gemtext parses gemtext and converts Markdown (CommonMark + GFM +
// footnotes, parsed by goldmark) into gemtext that follows every rule of
// CONVERSION.md: no false line types, balanced preformatted blocks, link lines
// placed after the block that holds them, clean URLs and normalised output.
//
// Choices the rules leave open:
//
//   - An empty document converts to empty output (zero bytes); anything else
//     ends with exactly one newline.
//   - A text line that would read as another line type gets Neutraliser
//     (U+200B) in front; so does a preformatted line starting with "```".
//   - A horizontal rule is the text line "-----". The footnote section starts
//     with the same line, followed by "[n] text" lines, each note followed by
//     its own link lines. In LinksNumbered mode footnote markers are "[^n]"
//     so that they cannot be mistaken for link numbers.
//   - Code blocks and tables inside list items and block quotes are written
//     as top-level preformatted blocks where they occur; the quote or list
//     resumes after them.
//   - Nested list items are text lines indented by two spaces per level;
//     ordered items keep their numbers ("3. item") and are text lines.
//   - Root-relative links to Markdown (/posts/a.md) are rewritten like other
//     relative ones: they name a file of the capsule.
//   - An unclosed <script>, <style> or <iframe> hides the rest of its
//     top-level block only, never the rest of the document.
//   - Runs of spaces in text lines are collapsed to one, as Markdown renders
//     them; preformatted content is byte-exact.
//
// Any input converts in time and memory linear in its size, to at most four
// times its size plus 64 KiB. goldmark is parsed with its quadratic parts
// replaced or guarded (parser.go); block quotes, lists, footnotes and
// inline spans nested past MaxNesting, over-wide tables and oversized
// heading attributes are shown as text with a warning; and a document that
// would still exceed its work, output or time budget (budget.go) is served
// as one preformatted block of its own text, with a warning giving the
// reason.
package gemtext
