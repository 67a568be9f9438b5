package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/frontend"
	"broadside/internal/gemini"
	"broadside/internal/gopher"
	"broadside/internal/site"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleNow is the moment the sample site is built for: after every dated
// sample article but the scheduled one.
var sampleNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// sampleOptions are the sample config.toml's settings.
func sampleOptions() site.Options {
	return site.Options{
		Title:      "The Weekly Broadside",
		Hostname:   "localhost",
		Lang:       "en",
		Author:     "The Broadside collective",
		GeminiPort: 1965,
		GopherPort: 7070,
	}
}

// buildSite loads the capsule at dir as serve does (through os.Root) and
// builds its site for now.
func buildSite(t testing.TB, dir string, opts site.Options, now time.Time) *site.Site {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	snap, err := capsule.Load(root.FS(), capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts.Static = root.FS()
	return site.Build(snap, opts, now)
}

// export writes s to a new folder and returns the folder.
func export(t testing.TB, s *site.Site) (string, *Result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	res, err := Write(context.Background(), s, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return dir, res
}

func liveOf(s *site.Site) *site.Live {
	l := &site.Live{}
	l.Store(s)
	return l
}

// geminiGet sends one request for path p through the real Gemini server
// over net.Pipe and returns the header line and the body.
func geminiGet(t testing.TB, s *site.Site, p string) (string, []byte) {
	t.Helper()
	opts := s.Options()
	srv := &gemini.Server{Hostnames: []string{opts.Hostname}, Port: opts.GeminiPort,
		Handler: &frontend.Gemini{Live: liveOf(s)}, Logger: slog.New(slog.DiscardHandler)}
	b := roundTrip(t, func(c net.Conn) { srv.ServeConn(context.Background(), c) }, s.URL(p)+"\r\n")
	header, body, ok := bytes.Cut(b, []byte("\r\n"))
	if !ok {
		t.Fatalf("%s: no header in %q", p, b)
	}
	return string(header), body
}

// gopherGet sends one selector through the real Gopher server over
// net.Pipe and returns the response.
func gopherGet(t testing.TB, s *site.Site, selector string) []byte {
	t.Helper()
	srv := &gopher.Server{Handler: &frontend.Gopher{Live: liveOf(s)}, Logger: slog.New(slog.DiscardHandler)}
	return roundTrip(t, func(c net.Conn) { srv.ServeConn(context.Background(), c) }, selector+"\r\n")
}

func roundTrip(t testing.TB, serve func(net.Conn), request string) []byte {
	t.Helper()
	c, s := net.Pipe()
	done := make(chan struct{})
	go func() { serve(s); close(done) }()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang detector, not a timing
	go io.WriteString(c, request)
	b, err := io.ReadAll(c)
	c.Close()
	<-done
	if err != nil {
		t.Fatalf("%q: %v", request, err)
	}
	return b
}

// menuItem is one line of a Gopher menu.
type menuItem struct {
	Type                    byte
	Display, Selector, Host string
	Port                    int
}

func (it menuItem) String() string {
	return fmt.Sprintf("%c%q sel=%q %s:%d", it.Type, it.Display, it.Selector, it.Host, it.Port)
}

// parseMenu reads a menu as a client does: items up to the "." line.
func parseMenu(t testing.TB, b []byte) []menuItem {
	t.Helper()
	var items []menuItem
	for line := range strings.SplitSeq(string(b), "\r\n") {
		if line == "." {
			return items
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" {
			t.Fatalf("bad menu line %q", line)
		}
		port, _ := strconv.Atoi(f[3])
		items = append(items, menuItem{f[0][0], f[0][1:], f[1], f[2], port})
	}
	t.Fatalf("menu without final \".\": %q", b)
	return nil
}

// gophernicusMenu is the menu gophernicus sends for a folder with this
// gophermap, following gophermap() in its development menu.c (3.1.1, the
// Debian 12 version, keeps an empty selector after a TAB as it is): lines read with
// fgets into a 1024-byte buffer, trailing CR and LF chomped; '#' lines
// skipped; '.' stops; '*', '~', '%', '-', ':', '=' and '!' lines are
// directives (returned in directives, never items); a line without a TAB
// is an info line; an item with an empty selector takes its display as
// selector; an item without host and port gets the server's, and a
// relative selector on the server's own host gets the request's selector
// in front. The footer (off with -nf) is not included.
func gophernicusMenu(gophermap []byte, reqSelector, host string, port int) (items []menuItem, directives []string) {
	const bufsize = 1024
	for len(gophermap) > 0 {
		// fgets(line, sizeof(line) - 1, fp): at most 1022 bytes, and
		// the line feed if it comes first.
		n := min(len(gophermap), bufsize-2)
		if i := bytes.IndexByte(gophermap[:n], '\n'); i >= 0 {
			n = i + 1
		}
		line := string(gophermap[:n])
		gophermap = gophermap[n:]
		if i := strings.LastIndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if i := strings.LastIndexByte(line, '\r'); i >= 0 {
			line = line[:i]
		}
		var typ byte
		if line != "" {
			typ = line[0]
		}
		switch typ {
		case '#':
			continue
		case '.':
			return items, directives
		case '*', '~', '%', '-', ':', '=', '!':
			directives = append(directives, line)
			if typ == '*' {
				return items, directives
			}
			continue
		}
		if !strings.Contains(line, "\t") {
			items = append(items, menuItem{'i', line, "", "null.host", 1})
			continue
		}
		name, rest, _ := strings.Cut(line[1:], "\t")
		selector, rest, hasHost := strings.Cut(rest, "\t")
		if selector == "" {
			selector = name
		}
		h, p := host, port
		if hasHost {
			var ps string
			var hasPort bool
			h, ps, hasPort = strings.Cut(rest, "\t")
			if hasPort {
				p, _ = strconv.Atoi(ps) // atoi: digits up to the first other byte
			}
		}
		if !hasHost && !strings.HasPrefix(selector, "URL:") && !strings.HasPrefix(selector, "/") {
			selector = reqSelector + selector
		}
		items = append(items, menuItem{typ, name, selector, h, p})
	}
	return items, directives
}

// treeFile is one entry of an exported tree.
type treeFile struct {
	rel  string // slash path below the tree's top
	data []byte
	info fs.FileInfo
}

// walkTree lists the regular files below dir, failing on anything that is
// neither a file nor a folder (an export holds no symbolic links).
func walkTree(t testing.TB, dir string) []treeFile {
	t.Helper()
	var files []treeFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			if info.Mode().Perm() != 0o755 {
				t.Errorf("%s: folder mode %v, want 0755", rel, info.Mode().Perm())
			}
			return nil
		case !info.Mode().IsRegular():
			t.Errorf("%s: %v is neither a file nor a folder", rel, info.Mode())
			return nil
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s: file mode %v, want 0644", rel, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, treeFile{rel: filepath.ToSlash(rel), data: data, info: info})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// links reports how many names the file has.
func links(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// listing describes a tree for a golden file: one line per file with its
// size, a short hash, and its link count when it has several names.
func listing(t testing.TB, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range walkTree(t, dir) {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&b, "%s %d %s", f.rel, len(f.data), hex.EncodeToString(sum[:6]))
		if n := links(f.info); n > 1 {
			fmt.Fprintf(&b, " links=%d", n)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// selectorOf is the selector a file of DIR/gopher answers: a gophermap
// answers its folder, which is a menu ("/tags/x/" or "/posts/x.gmi;menu").
func selectorOf(rel string) (string, bool) {
	if rel == "gophermap" {
		return "/", true
	}
	if dir, ok := strings.CutSuffix(rel, "/gophermap"); ok {
		if strings.HasSuffix(dir, frontend.MenuSuffix) {
			return "/" + dir, true
		}
		return "/" + dir + "/", true
	}
	return "/" + rel, false
}

// pathOf is the Gemini path whose body a file of DIR/gemini holds.
func pathOf(rel string) string {
	if rel == "index.gmi" {
		return "/"
	}
	if dir, ok := strings.CutSuffix(rel, "/index.gmi"); ok {
		return "/" + dir + "/"
	}
	return "/" + rel
}
