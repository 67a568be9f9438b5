package capsule

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// mapFS builds a capsule from path/content pairs.
func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// mustLoad loads fsys with opts and no previous snapshot.
func mustLoad(t testing.TB, fsys fstest.MapFS, opts Options) *Snapshot {
	t.Helper()
	s, err := Load(fsys, opts, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

// bodyOf returns the gemtext body of d, a document of s.
func bodyOf(t testing.TB, s *Snapshot, d *Doc) []byte {
	t.Helper()
	b, err := s.Body(d)
	if err != nil {
		t.Fatalf("body of %s: %v", d.Source, err)
	}
	return b.Gemtext
}

// docBySource returns the served document loaded from source, failing the
// test when there is none.
func docBySource(t testing.TB, s *Snapshot, source string) *Doc {
	t.Helper()
	for _, d := range s.Docs {
		if d.Source == source {
			return d
		}
	}
	t.Fatalf("no served document from %s; docs: %v", source, served(s))
	return nil
}

// served lists the served paths, for messages.
func served(s *Snapshot) []string {
	var out []string
	for p := range s.Docs {
		out = append(out, p)
	}
	return out
}

// problemsOf returns the snapshot's problems about file.
func problemsOf(s *Snapshot, file string) []Problem {
	var out []Problem
	for _, p := range s.Problems {
		if p.File == file {
			out = append(out, p)
		}
	}
	return out
}

// hasProblem reports whether ps holds a problem of severity sev whose
// message contains msg.
func hasProblem(ps []Problem, sev Severity, msg string) bool {
	for _, p := range ps {
		if p.Severity == sev && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

// linkLines returns the URLs of the link lines of a gemtext body.
func linkLines(body []byte) []string {
	var out []string
	for line := range strings.SplitSeq(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, "=>"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				out = append(out, f[0])
			}
		}
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// significant drops the warnings about missing titles, which most small
// test files would get.
func significant(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Code != CodeNoTitle {
			out = append(out, p)
		}
	}
	return out
}
