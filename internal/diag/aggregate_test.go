package diag

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestAggregate(t *testing.T) {
	var ds []Diagnostic
	for i := range 512 {
		ds = append(ds, Diagnostic{File: fmt.Sprintf("pipes/%03d.md", i), Code: "capsule/not-regular", Message: "is not a regular file but a named pipe; skipped"})
		if i%100 == 0 {
			ds = append(ds, Diagnostic{File: fmt.Sprintf("x%d.md", i), Severity: Error, Code: "frontmatter/syntax", Message: "title: unclosed quote"})
		}
	}
	ds = append(ds, Diagnostic{File: "a.md", Message: "no code"}, Diagnostic{File: "b.md", Message: "no code"}, Diagnostic{File: "c.md", Message: "other"})
	groups := Aggregate(ds, Kind, 3)
	var got []string
	for _, g := range groups {
		var files []string
		for _, d := range g.Items {
			files = append(files, d.File)
		}
		got = append(got, strings.Join(files, ",")+" | "+g.MoreText())
	}
	want := []string{
		"pipes/000.md,pipes/001.md,pipes/002.md | and 509 more like this",
		"x0.md,x100.md,x200.md | and 3 more like this",
		"a.md,b.md | ",
		"c.md | ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if g := Aggregate([]string{"a", "a"}, func(s string) string { return s }, 0); len(g) != 1 || len(g[0].Items) != 1 || g[0].More != 1 {
		t.Errorf("keep 0 keeps one of each kind: %+v", g)
	}
	if g := Aggregate[string](nil, func(s string) string { return s }, 3); g != nil {
		t.Errorf("no items: %+v", g)
	}
}
