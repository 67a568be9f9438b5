package gemtext

import (
	"fmt"
	"io"
	"sync"
)

// defaultConverter is built once and never changes afterwards.
var defaultConverter = sync.OnceValue(func() *Converter { return New(Options{}) })

// Convert writes the gemtext for the Markdown body src to w with the default
// options. The only error is w's.
func Convert(w io.Writer, src []byte) error {
	doc, err := defaultConverter().Convert(src, nil)
	if err != nil {
		return err
	}
	if _, err := w.Write(doc.Gemtext); err != nil {
		return fmt.Errorf("gemtext: write: %w", err)
	}
	return nil
}
