package capsule

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// hostileCapsule builds, in a temporary folder, a capsule holding one of
// everything the walk must survive: named pipes, a socket, symbolic links
// that loop, leave, lead to hidden files, to nothing, to a folder, to an
// oversized file, to a draft, and names with control characters. It
// returns the capsule folder.
func hostileCapsule(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "capsule")
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	write("posts/good.md", "# Good\n\nText.\n")
	write("posts/draft.md", "---\ndraft: true\n---\n# Draft\n")
	write(".secret/key.md", "# Secret\n")
	write(".env", "PASSWORD=x\n")
	write("notes.txt", "static\n")
	if err := os.WriteFile(filepath.Join(base, "outside.md"), []byte("# Outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"posts/pipe.md", "pipe.txt"} {
		if err := syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(name)), 0o644); err != nil {
			t.Skipf("cannot make a named pipe here: %v", err)
		}
	}
	l, err := net.Listen("unix", filepath.Join(dir, "posts", "sock.md"))
	if err != nil {
		t.Skipf("cannot make a socket here: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	// A sparse file one byte over the limit: no disk used.
	huge, err := os.Create(filepath.Join(dir, "huge.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(MaxDocSize + 1); err != nil {
		t.Fatal(err)
	}
	huge.Close()
	link("loop2.md", "loop1.md")
	link("loop1.md", "loop2.md")
	link("self.md", "self.md")
	link("posts", "folder")
	link("..", "posts/up")
	link("../outside.md", "escape.md")
	link("/etc/passwd", "absolute.md")
	link(".secret/key.md", "hidden.md")
	link(".env", "env.txt")
	link("nothing.md", "dangling.md")
	link("huge.bin", "big.md")
	link("posts/good.md", "alias.md")
	link("posts/draft.md", "draftlink.md")
	link("posts/good.md", "raw.gmi")
	link("posts/pipe.md", "pipelink.md")
	write("bad\x1bname.md", "# Escape\n")
	write("\xffbad.md", "# Latin-1\n")
	write("ctl\x07dir/inner.md", "# Inner\n")
	write("bidi\u202etxt.md", "# Bidi\n")
	return dir
}

// loadWithin loads fsys, failing the test if that takes longer than a hang
// detector allows.
func loadWithin(t *testing.T, fsys fs.FS, prev *Snapshot) *Snapshot {
	t.Helper()
	type result struct {
		s   *Snapshot
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := Load(fsys, Options{}, prev)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Load: %v", r.err)
		}
		return r.s
	case <-time.After(20 * time.Second):
		t.Fatal("Load did not return: it blocks on something")
		return nil
	}
}

func TestScanHostileCapsule(t *testing.T) {
	dir := hostileCapsule(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, fsys := range []struct {
		name string
		fs   fs.FS
	}{{"RootFS", RootFS(root)}, {"root.FS", root.FS()}} {
		t.Run(fsys.name, func(t *testing.T) {
			s := loadWithin(t, fsys.fs, nil)
			problems := map[string]string{}
			for _, p := range s.Problems {
				problems[p.File] += p.Message + "; "
			}
			want := map[string]string{
				"posts/pipe.md":    "is not a regular file but a named pipe",
				"pipe.txt":         "is not a regular file but a named pipe",
				"posts/sock.md":    "is not a regular file but a socket",
				"loop1.md":         "symbolic link goes round in a loop",
				"loop2.md":         "symbolic link goes round in a loop",
				"self.md":          "symbolic link goes round in a loop",
				"folder":           "symbolic link to the folder posts is not followed",
				"posts/up":         "symbolic link to the folder . is not followed",
				"escape.md":        "symbolic link leads outside the capsule",
				"absolute.md":      "symbolic link leads outside the capsule",
				"hidden.md":        "symbolic link leads to a hidden file",
				"env.txt":          "symbolic link leads to a hidden file",
				"dangling.md":      "symbolic link leads to a file that does not exist",
				"big.md":           "over the 8388608 byte limit",
				"draftlink.md":     "symbolic link to the draft posts/draft.md",
				"raw.gmi":          "leads to a Markdown source from a file that is not Markdown",
				"pipelink.md":      "symbolic link to posts/pipe.md, which is not a regular file but a named pipe",
				"bad\uFFFDname.md": "file name \"bad\\x1bname.md\" holds control characters; skipped",
				"\uFFFDbad.md":     "file name \"\\xffbad.md\" is not valid UTF-8; skipped",
				"ctl\uFFFDdir":     "folder name \"ctl\\adir\" holds control characters; skipped",
				"bidi\uFFFDtxt.md": "holds bidirectional control characters",
			}
			for file, msg := range want {
				if !strings.Contains(problems[file], msg) {
					t.Errorf("%s: problems %q, want one containing %q", file, problems[file], msg)
				}
			}
			for file := range problems {
				if _, ok := want[file]; !ok {
					t.Errorf("unexpected problem for %s: %s", file, problems[file])
				}
			}
			for _, src := range []string{"posts/good.md", "posts/draft.md", "alias.md", "draftlink.md"} {
				docBySource(t, s, src)
			}
			if d := docBySource(t, s, "alias.md"); d.Title != "Good" || !d.Visible(time.Now()) {
				t.Errorf("link to a document: title %q, visible %v; want the target's, published", d.Title, d.Visible(time.Now()))
			}
			if d := docBySource(t, s, "draftlink.md"); d.Visible(time.Now()) {
				t.Error("link to a draft is published")
			}
			// The oversized target is not read, and the link not served.
			if d := s.Current("big.md"); d == nil || d.notice == "" || strings.Contains(string(bodyOf(t, s, d)), "\x00") || !d.Broken {
				t.Errorf("oversized link target: %+v, want a broken notice", d)
			}
			if len(s.Docs) != 4 {
				t.Errorf("documents %v, want the 4 above", served(s))
			}
			// A reload finds nothing changed, without blocking either.
			again := loadWithin(t, fsys.fs, s)
			if again.Parsed != 0 || again.Reused != 5 {
				t.Errorf("reload parsed %d and reused %d, want 0 and 5", again.Parsed, again.Reused)
			}
		})
	}
}

// TestLinkTargetChanges checks that a document read through a link is
// parsed again when its target changes or the link is pointed elsewhere.
func TestLinkTargetChanges(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"a.md": "# A\n", "b.md": "# B\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.md", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	fsys := RootFS(root)
	s := loadWithin(t, fsys, nil)
	if got := docBySource(t, s, "link.md").Title; got != "A" {
		t.Fatalf("title %q, want A", got)
	}
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte("# A edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "a.md"), later, later); err != nil {
		t.Fatal(err)
	}
	s = loadWithin(t, fsys, s)
	if got := docBySource(t, s, "link.md").Title; got != "A edited" {
		t.Errorf("after editing the target: title %q, want %q", got, "A edited")
	}
	// Point the link at a file of the same size and time as its old
	// target: only the link has changed.
	if err := os.WriteFile(filepath.Join(dir, "b.md"), []byte("# B edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "b.md"), later, later); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.md", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	s = loadWithin(t, fsys, s)
	if got := docBySource(t, s, "link.md").Title; got != "B edited" {
		t.Errorf("after pointing the link elsewhere: title %q, want %q", got, "B edited")
	}
}

// TestRootFS checks the rules RootFS applies to whoever opens files in the
// capsule, such as the site serving static files.
func TestRootFS(t *testing.T) {
	dir := hostileCapsule(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	fsys := RootFS(root)
	open := func(name string) error {
		done := make(chan error, 1)
		go func() {
			f, err := fsys.Open(name)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("Open(%q) blocks", name)
			return nil
		}
	}
	for _, name := range []string{"notes.txt", "posts/good.md", "alias.md", "folder", "folder/good.md", "posts", "."} {
		if err := open(name); err != nil {
			t.Errorf("Open(%q): %v, want it opened", name, err)
		}
	}
	for name, want := range map[string]error{
		"pipe.txt":      errNotRegular,
		"posts/pipe.md": errNotRegular,
		"posts/sock.md": nil, // a socket cannot be opened at all
		"env.txt":       errHiddenLink,
		".env":          fs.ErrNotExist,
		"hidden.md":     errHiddenLink,
		"raw.gmi":       errSourceLink,
		"escape.md":     errOutside,
		"loop1.md":      errLoop,
		"dangling.md":   fs.ErrNotExist,
		"posts/up/.env": fs.ErrNotExist,
		"../outside.md": fs.ErrInvalid,
	} {
		err := open(name)
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Errorf("Open(%q) = %v, want %v", name, err, want)
		}
	}
	if _, err := fs.Stat(fsys, "env.txt"); !errors.Is(err, errHiddenLink) {
		t.Errorf("Stat through a link to a hidden file: %v", err)
	}
	if entries, err := fs.ReadDir(fsys, "folder"); err != nil || len(entries) == 0 {
		t.Errorf("ReadDir through a link to a folder: %d entries, %v", len(entries), err)
	}
	if _, err := fs.ReadFile(fsys, "pipe.txt"); !errors.Is(err, errNotRegular) {
		t.Errorf("ReadFile of a pipe: %v", err)
	}
}

// TestOpenSwappedFile checks that a file which the walk saw as regular but
// which is a named pipe by the time it is read is refused, not waited on.
func TestOpenSwappedFile(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "x.md"), 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, fsys := range []fs.FS{RootFS(root), root.FS()} {
		done := make(chan *Doc, 1)
		go func() {
			d, _ := parseFile(newOpener(fsys), Options{}, fileInfo{source: "x.md", target: "x.md", size: 10, modTime: time.Now()})
			done <- d
		}()
		select {
		case d := <-done:
			if len(d.Problems) != 1 || !strings.Contains(d.Problems[0].Message, "not a regular file") {
				t.Errorf("%T: problems %v, want one saying it is not a regular file", fsys, d.Problems)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%T: reading a pipe blocks", fsys)
		}
	}
}

// TestScanMapFS checks the rules on an fs.FS without a folder behind it.
func TestScanMapFS(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md":            {Data: []byte("# A\n")},
		"pipe.md":         {Mode: fs.ModeNamedPipe},
		"dev.md":          {Mode: fs.ModeDevice | fs.ModeCharDevice},
		"sock.gmi":        {Mode: fs.ModeSocket},
		"link.md":         {Mode: fs.ModeSymlink, Data: []byte("a.md")},
		"up.md":           {Mode: fs.ModeSymlink, Data: []byte("../a.md")},
		"nul\x00name.md":  {Data: []byte("# Nul\n")},
		"c1\u0085name.md": {Data: []byte("# C1\n")},
	}
	s := loadWithin(t, fsys, nil)
	if len(s.Docs) != 2 {
		t.Errorf("documents %v, want a.md and link.md", served(s))
	}
	for file, msg := range map[string]string{
		"pipe.md":          "a named pipe",
		"dev.md":           "a character device",
		"sock.gmi":         "a socket",
		"up.md":            "leads outside the capsule",
		"nul\uFFFDname.md": "holds control characters",
		"c1\uFFFDname.md":  "holds control characters",
	} {
		ps := problemsOf(s, file)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, msg) || ps[0].Severity != Warning {
			t.Errorf("%s: problems %v, want one warning containing %q", file, ps, msg)
		}
	}
}

// exhaustedFS fails like a process out of file descriptors.
type exhaustedFS struct {
	fstest.MapFS
	readDir, open string
}

func (e exhaustedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == e.readDir {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EMFILE}
	}
	return e.MapFS.ReadDir(name)
}

func (e exhaustedFS) Open(name string) (fs.File, error) {
	if name == e.open {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EMFILE}
	}
	return e.MapFS.Open(name)
}

// TestTransientFailure checks that running out of file descriptors fails
// the load instead of dropping the files it could not open.
func TestTransientFailure(t *testing.T) {
	files := fstest.MapFS{"a.md": {Data: []byte("A\n")}, "posts/b.md": {Data: []byte("B\n")}}
	for _, fsys := range []exhaustedFS{{MapFS: files, readDir: "posts"}, {MapFS: files, open: "posts/b.md"}} {
		if _, err := Load(fsys, Options{}, nil); !errors.Is(err, syscall.EMFILE) {
			t.Errorf("%+v: err = %v, want one wrapping EMFILE", fsys, err)
		}
	}
	// Other failures stay problems of their file.
	denied := exhaustedFS{MapFS: files}
	s, err := Load(denied, Options{}, nil)
	if err != nil || len(s.Docs) != 2 {
		t.Errorf("healthy capsule: %v, %d documents", err, len(s.Docs))
	}
}

// TestDeepFolders checks that the walk stops at maxDepth.
func TestDeepFolders(t *testing.T) {
	deep := strings.Repeat("d/", maxDepth+5)
	fsys := fstest.MapFS{
		"top.md":                                 {Data: []byte("# Top\n")},
		strings.Repeat("d/", maxDepth) + "ok.md": {Data: []byte("# OK\n")},
		deep + "deep.md":                         {Data: []byte("# Deep\n")},
	}
	s := loadWithin(t, fsys, nil)
	if len(s.Docs) != 2 {
		t.Errorf("documents %v, want top.md and the one %d folders down", served(s), maxDepth)
	}
	ps := problemsOf(s, strings.Repeat("d/", maxDepth)+"d")
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "nested more than 64 deep") {
		t.Errorf("problems %v, want one about the depth", s.Problems)
	}
}

func TestFollowLinks(t *testing.T) {
	fsys := fstest.MapFS{
		"a/b/c.md":  {Data: []byte("x")},
		"a/up":      {Mode: fs.ModeSymlink, Data: []byte("..")},
		"a/link":    {Mode: fs.ModeSymlink, Data: []byte("b/c.md")},
		"a/dirlink": {Mode: fs.ModeSymlink, Data: []byte("b")},
		"chain1":    {Mode: fs.ModeSymlink, Data: []byte("chain2")},
		"chain2":    {Mode: fs.ModeSymlink, Data: []byte("a/dirlink/c.md")},
		"escape":    {Mode: fs.ModeSymlink, Data: []byte("a/../../x")},
		"abs":       {Mode: fs.ModeSymlink, Data: []byte("/a")},
		"empty":     {Mode: fs.ModeSymlink, Data: []byte("")},
	}
	for _, tt := range []struct {
		name, want string
		err        error
	}{
		{"a/b/c.md", "a/b/c.md", nil},
		{"a/link", "a/b/c.md", nil},
		{"a/up/a/up/a/link", "a/b/c.md", nil},
		{"a/dirlink/c.md", "a/b/c.md", nil},
		{"a/dirlink/../up", ".", nil},
		{"chain1", "a/b/c.md", nil},
		{"escape", "", errOutside},
		{"a/up/..", "", errOutside},
		{"abs", "", errOutside},
		{"empty", "", errOutside},
		{"missing", "", fs.ErrNotExist},
	} {
		got, err := followLinks(fsys, tt.name)
		if got != tt.want || (tt.err == nil) != (err == nil) || (tt.err != nil && !errors.Is(err, tt.err)) {
			t.Errorf("followLinks(%q) = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
	loop := fstest.MapFS{}
	for i := range maxLinkHops + 2 {
		loop["l"+strconv.Itoa(i)] = &fstest.MapFile{Mode: fs.ModeSymlink, Data: []byte("l" + strconv.Itoa(i+1))}
	}
	loop["l"+strconv.Itoa(maxLinkHops+2)] = &fstest.MapFile{Data: []byte("end")}
	if _, err := followLinks(loop, "l0"); !errors.Is(err, errLoop) {
		t.Errorf("a chain of %d links: %v, want the loop error", maxLinkHops+2, err)
	}
	if got, err := followLinks(loop, "l2"); err != nil || got != "l"+strconv.Itoa(maxLinkHops+2) {
		t.Errorf("a chain of %d links: %q, %v", maxLinkHops, got, err)
	}
}
