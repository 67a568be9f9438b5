package capsule

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"broadside/internal/gemtext"
)

// sameDoc compares documents as a restart must keep them: dates by instant
// and offset (a zone's name is not kept), everything else exactly.
func sameDoc(a, b *Doc) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	for _, p := range [][2]*time.Time{{&x.Date, &y.Date}, {&x.Updated, &y.Updated}, {&x.ModTime, &y.ModTime}} {
		_, o1 := p[0].Zone()
		_, o2 := p[1].Zone()
		if !p[0].Equal(*p[1]) || o1 != o2 {
			return false
		}
		*p[0], *p[1] = time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(x, y)
}

func TestIndexRoundTrip(t *testing.T) {
	dir := updateCapsule(t)
	writeAt(t, dir, "zone.md", "---\ntitle: Zoned\ndate: 2024-03-01T10:00:00+05:30\nupdated: 2024-03-02\n---\nZ.\n", 0)
	writeAt(t, dir, "posts/a.md", "---\ntitle: A\ndate: 2024-01-01\ntags: [go]\naliases: [/old.gmi]\nauthor: [X, Y]\nid: urn:a\nslug: ay\n---\n[l](b.md)\n", 0)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	for _, opts := range []Options{{}, {Full: true}, {Location: paris}} {
		first, err := Load(RootFS(root), opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		// A broken edit, so that the index holds a last good version.
		writeAt(t, dir, "posts/b.md", "---\ntitle: \"B\n---\nDamaged.\n", 1)
		s, err := Load(RootFS(root), opts, first)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := s.WriteIndex(&buf); err != nil {
			t.Fatal(err)
		}
		restored, err := ReadIndex(bytes.NewReader(buf.Bytes()), opts)
		if err != nil {
			t.Fatal(err)
		}
		for src, d := range s.bySource {
			if !sameDoc(d, restored.bySource[src]) {
				t.Errorf("%s: restored as %+v\nwant %+v", src, restored.bySource[src], d)
			}
		}
		if len(restored.good) != 1 || !sameDoc(restored.good["posts/b.md"], s.good["posts/b.md"]) {
			t.Errorf("last good versions not restored: %v", restored.good)
		}
		if !maps.Equal(restored.scanned.links, s.scanned.links) {
			t.Errorf("links %v, want %v", restored.scanned.links, s.scanned.links)
		}
		// A restart with the index parses nothing, and serves what was
		// served before, last good version included.
		again, err := Load(RootFS(root), opts, restored)
		if err != nil {
			t.Fatal(err)
		}
		if again.Parsed != 0 || again.Reused != len(s.bySource) {
			t.Errorf("restart parsed %d and reused %d, want 0 and %d", again.Parsed, again.Reused, len(s.bySource))
		}
		if !slices.Equal(slices.Sorted(maps.Keys(again.Docs)), slices.Sorted(maps.Keys(s.Docs))) || !reflect.DeepEqual(again.Problems, s.Problems) {
			t.Errorf("restart serves %v\nwith problems %v", slices.Sorted(maps.Keys(again.Docs)), again.Problems)
		}
		// A file changed while the server was down is parsed again.
		writeAt(t, dir, "posts/a.md", "---\ntitle: A changed\ndate: 2024-01-01\n---\n", 2)
		later, err := Load(RootFS(root), opts, restored)
		if err != nil {
			t.Fatal(err)
		}
		if later.Parsed != 2 || later.Current("posts/a.md").Title != "A changed" { // and the link to it
			t.Errorf("changed file: parsed %d, title %q", later.Parsed, later.Current("posts/a.md").Title)
		}
		writeAt(t, dir, "posts/b.md", "---\ntitle: B\ndate: 2024-01-02\ntags: [Go]\n---\nB body.\n", 0)
		writeAt(t, dir, "posts/a.md", "---\ntitle: A\ndate: 2024-01-01\ntags: [go]\naliases: [/old.gmi]\nauthor: [X, Y]\nid: urn:a\nslug: ay\n---\n[l](b.md)\n", 0)
	}
}

func TestIndexRefused(t *testing.T) {
	fsys := mapFS(map[string]string{"a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nA.\n", "b.gmi": "# B\n"})
	s := mustLoad(t, fsys, Options{})
	var buf bytes.Buffer
	if err := s.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, err := ReadIndex(bytes.NewReader(good), Options{}); err != nil {
		t.Fatalf("good index refused: %v", err)
	}
	for _, opts := range []Options{
		{Full: true},
		{Location: time.FixedZone("X", 3600)},
		{Converter: gemtext.New(gemtext.Options{KeepEmphasis: true})},
		{Converter: gemtext.New(gemtext.Options{Links: gemtext.LinksAtEnd})},
		{Converter: gemtext.New(gemtext.Options{DeepHeadings: gemtext.DeepHeadingsAsText})},
	} {
		if _, err := ReadIndex(bytes.NewReader(good), opts); !errors.Is(err, ErrIndexStale) {
			t.Errorf("index read with other options %+v: %v, want ErrIndexStale", opts, err)
		}
	}
	// Every truncation and every flipped byte is refused.
	for i := range good {
		if _, err := ReadIndex(bytes.NewReader(good[:i]), Options{}); err == nil {
			t.Fatalf("index cut at %d of %d bytes accepted", i, len(good))
		}
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		if _, err := ReadIndex(bytes.NewReader(bad), Options{}); err == nil {
			t.Fatalf("index with byte %d flipped accepted", i)
		}
	}
}

// FuzzReadIndex feeds ReadIndex damaged indexes with a valid checksum (the
// checksum alone would refuse almost everything): it never panics, and
// what it accepts holds only documents a load could have made.
func FuzzReadIndex(f *testing.F) {
	fsys := mapFS(map[string]string{"a.md": "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\nA.\n", "b.gmi": "# B\n=> /a.gmi\n",
		"c.md": "---\ntitle: [\n---\n"})
	s := mustLoad(f, fsys, Options{})
	var buf bytes.Buffer
	if err := s.WriteIndex(&buf); err != nil {
		f.Fatal(err)
	}
	body := buf.Bytes()[:buf.Len()-4]
	f.Add(body[len(indexMagic):])
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, rest []byte) {
		b := append([]byte(indexMagic), rest...)
		b = binary.LittleEndian.AppendUint32(b, checksum(b))
		got, err := ReadIndex(bytes.NewReader(b), Options{})
		if err != nil {
			return
		}
		for src, d := range got.bySource {
			if d.Source != src || !IsDocument(src) || Hidden(src) || d.Path == "" || d.Path[0] != '/' {
				t.Errorf("accepted an entry no load makes: %+v", d)
			}
		}
	})
}

func TestIndexFileInStateFolder(t *testing.T) {
	dir := t.TempDir()
	fsys := mapFS(map[string]string{"a.md": "# A\n"})
	s := mustLoad(t, fsys, Options{})
	state := filepath.Join(dir, "state")
	if err := SaveIndex(state, s); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(state)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state folder: %v, mode %v; want 0700", err, fi.Mode())
	}
	got, err := OpenIndex(state, Options{})
	if err != nil || got.Current("a.md") == nil {
		t.Fatalf("OpenIndex: %v", err)
	}
	if _, err := OpenIndex(filepath.Join(dir, "none"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing index: %v, want ErrNotExist", err)
	}
	entries, _ := os.ReadDir(state)
	if len(entries) != 1 {
		t.Errorf("state folder holds %d files, want the index alone (no temporary file left)", len(entries))
	}
}
