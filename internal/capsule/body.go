package capsule

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrChanged is the error of Body when the file on disk is not the
// version the snapshot knows: it is being saved, was replaced or deleted.
// The watcher brings a new snapshot in a moment; until then the document's
// page is temporarily unavailable (Gemini 40), rather than showing a file
// half written, or a draft saved over a published article.
var ErrChanged = errors.New("the file changed since the capsule was loaded")

// bigDocument is the size above which Body converts one file at a time:
// a 4 MB file of 500,000 links takes about 550 MB to convert, and readers
// asking for its Gemini and Gopher views at once doubled that.
const bigDocument = 1 << 20

// bigRenders holds a token while a big document is converted.
var bigRenders = make(chan struct{}, 1)

// Body reads the file of d, a document of s, and converts it.
//
// The file must still be the version d was read from (same size and
// modification time). If d stands in for a newer version that is broken
// (see StandsIn), the file must be that newer version, and the body is
// its: front-matter errors, which make a version broken, do not touch the
// body, and the last good version's text can no longer be read. (The site
// keeps the last good body while it has it in memory, and asks for this
// one only when it does not.) Any other version gives ErrChanged.
//
// Body never keeps what it makes; it is safe for concurrent use.
func (s *Snapshot) Body(d *Doc) (*Body, error) {
	if d.notice != "" {
		return &Body{Gemtext: []byte(d.notice), Problems: d.Problems, Size: d.Size, ModTime: d.ModTime}, nil
	}
	if s.fsys == nil {
		return nil, fmt.Errorf("%s: the snapshot has no capsule folder to read", d.Source)
	}
	want := d
	if s.StandsIn(d) {
		want = s.bySource[d.Source]
	}
	target := d.Source
	if t, ok := s.scanned.links[d.Source]; ok {
		target = t
	}
	src, info, err := readFile(s.fsys, target, MaxDocSize, MaxDocSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", d.Source, ErrChanged)
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", d.Source, err)
	}
	if info.Size() != want.Size || !info.ModTime().Equal(want.ModTime) {
		return nil, fmt.Errorf("%s: %w", d.Source, ErrChanged)
	}
	if len(src) > bigDocument {
		// Converting a file of megabytes can take hundreds of megabytes
		// while goldmark holds its tree: one at a time.
		bigRenders <- struct{}{}
		defer func() { <-bigRenders }()
	}
	_, body := render(d.Source, src, s.conv)
	body.Size, body.ModTime = info.Size(), info.ModTime()
	return body, nil
}
