package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/registry"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"GRÈVE":       "greve",
		"Straße":      "strasse",
		"ŒUVRE":       "oeuvre",
		"Łódź":        "lodz",
		"Ελληνικά":    "ελληνικα",
		"ΣΟΦΟΣ σοφός": "σοφοσ σοφοσ",
		"ЁЛКА":        "елка",
		"йогурт":      "йогурт", // й is a letter of its own
		"हिन्दी":      "हिन्दी", // Devanagari marks are letters' parts
		"Tiếng Việt":  "tieng viet",
		"plain":       "plain",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLangKey(t *testing.T) {
	for in, want := range map[string]string{
		"en": "en", "EN-gb": "en", "fr-CA": "fr", "pt_BR": "pt", "nb": "no", "nn-NO": "no",
		"zh-Hant-TW": "cjk", "ja": "cjk", "de-1996": "de", "": otherKey, "xx-nonsense!": otherKey,
		"tlh": otherKey, "pl": otherKey, "ckb": "ckb",
	} {
		if got := langKey(in); got != want {
			t.Errorf("langKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTagKey(t *testing.T) {
	for in, want := range map[string]string{
		"Small Web": "small-web", "small-web": "small-web", "SMALL_WEB": "small-web", " -x- ": "x",
		"Français": "francais", "日本": "日本", "C++": "c", "!!!": "",
	} {
		if got := tagKey(in); got != want {
			t.Errorf("tagKey(%q) = %q, want %q", in, got, want)
		}
	}
	if got := langTags(" zh-Hant_TW "); !slices.Equal(got, []string{"zh-hant-tw", "zh-hant", "zh"}) {
		t.Errorf("langTags: %q", got)
	}
}

// analyse returns the terms of s in the analysis named name.
func analyse(t *testing.T, name, s string) []string {
	t.Helper()
	a, err := registry.NewCache().AnalyzerNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, tok := range a.Analyze([]byte(s)) {
		terms = append(terms, string(tok.Term))
	}
	return terms
}

func TestAnalyses(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		{"de", "Arbeiterinnen ArbeiterInnen Arbeiterin beginnen", []string{"arbeiterin", "arbeiterin", "arbeiterin", "beginn"}},
		{"de", "für über", nil}, // stop words, with or without accents
		{"de", "fur uber", nil},
		{"fr", "l'État été ete", []string{"etat"}},
		{"ru", "ещё еще ёлки", []string{"елк"}},
		{"fa", "می\u200cخواهم", []string{"خواهم"}}, // ZWNJ splits the prefix off
		{"cjk", "日本語", []string{"日本", "本語"}},
		{otherKey, "Ελληνικά 日本", []string{"ελληνικα", "日本"}},
	}
	for _, tt := range tests {
		if got := analyse(t, analyzerName(tt.lang), tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s %q: %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
	// Every analysis builds, and each keeps offsets into its input.
	for _, l := range languages {
		for _, name := range []string{analyzerName(l.key), pairAnalyzerName(l.key), indexAnalyzerName(l.key)} {
			a, err := registry.NewCache().AnalyzerNamed(name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			in := "Zweiundvierzig\u200cwords, grève — 日本語 ещё"
			for _, tok := range a.Analyze([]byte(in)) {
				if tok.Start < 0 || tok.End > len(in) || tok.Start > tok.End {
					t.Errorf("%s: token %q at %d:%d", name, tok.Term, tok.Start, tok.End)
				}
			}
		}
	}
}

func TestPairs(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		{"en", "general strikes", []string{"gener strike"}},
		{"en", "freedom of the press", []string{"freedom   press"}},
		{"en", "x of the y z", []string{"x   y", "y z"}},
		{"en", "one", nil},
		{"en", "one two three", []string{"on two", "two three"}},
		{"en", "strike of the the the miners", nil}, // a gap wider than maxPairGap
	}
	for _, tt := range tests {
		got := analyse(t, pairAnalyzerName(tt.lang), tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %q: %q, want %q", tt.lang, tt.in, got, tt.want)
		}
		if all, want := analyse(t, indexAnalyzerName(tt.lang), tt.in), append(analyse(t, analyzerName(tt.lang), tt.in), tt.want...); !slices.Equal(all, want) {
			t.Errorf("%s %q indexed as %q, want %q", tt.lang, tt.in, all, want)
		}
		for _, p := range got {
			if strings.Count(strings.TrimSpace(p), " ") > maxPairGap {
				t.Errorf("pair %q wider than %d", p, maxPairGap)
			}
		}
	}
}
