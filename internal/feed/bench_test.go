package feed

import (
	"io"
	"testing"
)

// BenchmarkWrite writes a 20-entry feed with 15 KB contents, the size of a
// site's main feed.
func BenchmarkWrite(b *testing.B) {
	f := generatedFeed(20, 15<<10)
	for i := range f.Entries { // every entry carries content here
		f.Entries[i].Content = f.Entries[0].Content
	}
	out, err := Marshal(f)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}
