package capsule

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrChanged is the error of Body when the file on disk is no longer one
// whose text may be served for the document: it was deleted, or a newer
// version is a draft or moved to another path. The watcher brings a new
// snapshot in a moment; until then the document's page is temporarily
// unavailable.
var ErrChanged = errors.New("the file changed since the capsule was loaded")

// Body reads the file of d, a document of s, and converts it.
//
// Normally the file is the version d was read from (same size and
// modification time) and the body is d's own. When it is not:
//
//   - A draft is never served for a document that is not one:
//     ErrChanged.
//   - If d stands in for a newer version that is broken (see StandsIn),
//     the body is the file as it is now: front-matter errors, which make
//     a version broken, do not touch the body, and the last good version's
//     text can no longer be read. (The site keeps the last good body when
//     it still has it in memory, and asks for this one only when not.)
//   - Otherwise a newer version is being saved, and the watcher will bring
//     its metadata in a moment: its body is served now, unless it has
//     moved to another path, which returns ErrChanged; so does a deleted
//     file.
//
// Body never keeps what it makes; it is safe for concurrent use.
func (s *Snapshot) Body(d *Doc) (*Body, error) {
	if d.notice != "" {
		return &Body{Gemtext: []byte(d.notice), Problems: d.Problems, Size: d.Size, ModTime: d.ModTime}, nil
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
	now, body := render(d.Source, src, s.conv)
	body.Size, body.ModTime = info.Size(), info.ModTime()
	switch {
	case info.Size() == d.Size && info.ModTime().Equal(d.ModTime):
		return body, nil
	case now.Draft && !d.Draft:
		return nil, fmt.Errorf("%s: %w", d.Source, ErrChanged)
	case s.StandsIn(d):
		return body, nil
	case now.Path != d.Path:
		return nil, fmt.Errorf("%s: %w", d.Source, ErrChanged)
	}
	return body, nil
}
