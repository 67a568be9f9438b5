package diag

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		name string
		d    Diagnostic
		want string
	}{
		{"full", Diagnostic{File: "posts/a.md", Line: 3, Col: 7, Severity: Error, Message: "title: unclosed quote"}, "posts/a.md:3:7: error: title: unclosed quote"},
		{"no column", Diagnostic{File: "a.md", Line: 2, Message: "m"}, "a.md:2: warning: m"},
		{"whole file", Diagnostic{File: "a.md", Col: 4, Message: "m"}, "a.md: warning: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSortAndCount(t *testing.T) {
	ds := []Diagnostic{
		{File: "b.md", Line: 1},
		{File: "a.md", Line: 10},
		{File: "a.md", Line: 2, Col: 5},
		{File: "a.md", Line: 2, Col: 5, Severity: Error},
		{File: "a.md", Line: 2, Col: 1},
	}
	Sort(ds)
	want := []Diagnostic{
		{File: "a.md", Line: 2, Col: 1},
		{File: "a.md", Line: 2, Col: 5, Severity: Error},
		{File: "a.md", Line: 2, Col: 5},
		{File: "a.md", Line: 10},
		{File: "b.md", Line: 1},
	}
	for i := range want {
		if ds[i] != want[i] {
			t.Fatalf("sorted[%d] = %+v, want %+v", i, ds[i], want[i])
		}
	}
	if e, w := Count(ds); e != 1 || w != 4 {
		t.Errorf("Count = %d, %d; want 1, 4", e, w)
	}
}

func TestJSON(t *testing.T) {
	d := Diagnostic{File: "a.md", Line: 1, Col: 2, Severity: Error, Code: "frontmatter/type", Message: "tags: want a list"}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"file":"a.md","line":1,"column":2,"severity":"error","code":"frontmatter/type","message":"tags: want a list"}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
	var back Diagnostic
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"severity":"fatal"}`), &back); err == nil {
		t.Error("unknown severity accepted")
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"title", "date", "publishDate", "tags", "summary", "description", "author", "authors", "draft"}
	tests := []struct{ got, want string }{
		{"titel", "title"},
		{"Titel", "title"},
		{"tag", "tags"},
		{"dat", "date"},
		{"sumary", "summary"},
		{"publishdate", "publishDate"},
		{"publish_date", "publishDate"},
		{"descripton", "description"},
		{"autor", "author"},
		{"drat", "draft"},
		{"layout", ""},
		{"x", ""},
		{"", ""},
		{"tit", ""},
		{"categories", ""},
	}
	for _, tt := range tests {
		t.Run(tt.got, func(t *testing.T) {
			if got := Suggest(tt.got, known); got != tt.want {
				t.Errorf("Suggest(%q) = %q, want %q", tt.got, got, tt.want)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3},
		{"titel", "title", 1}, {"ca", "abc", 3}, {"été", "ete", 2},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b, 100); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := distance(tt.b, tt.a, 100); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
		if got := distance(tt.a, tt.b, 1); got > 1 {
			t.Errorf("bounded distance(%q, %q) = %d, want at most the bound", tt.a, tt.b, got)
		}
	}
}
