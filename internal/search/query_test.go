package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	w := func(s string) Term { return Term{Kind: TermWord, Text: s} }
	tests := []struct {
		name string
		in   string
		want []Term
		err  error
	}{
		{"words", "press  freedom", []Term{w("press"), w("freedom")}, nil},
		{"phrase", `"mirror network" archive`, []Term{{Kind: TermPhrase, Text: "mirror network"}, w("archive")}, nil},
		{"phrase spaces collapse", "\"  mirror \t network \"", []Term{{Kind: TermPhrase, Text: "mirror network"}}, nil},
		{"one-word phrase stays a phrase", `"-x"`, []Term{{Kind: TermPhrase, Text: "-x"}}, nil},
		{"unclosed quote runs to the end", `a "b c`, []Term{w("a"), {Kind: TermPhrase, Text: "b c"}}, nil},
		{"quote inside a word starts a phrase", `say"hello world"`, []Term{w("say"), {Kind: TermPhrase, Text: "hello world"}}, nil},
		{"tag", "tag:press", []Term{{Kind: TermTag, Text: "press"}}, nil},
		{"tag any case", "TAG:Press", []Term{{Kind: TermTag, Text: "Press"}}, nil},
		{"tag quoted", `tag:"Small Web" x`, []Term{{Kind: TermTag, Text: "Small Web"}, w("x")}, nil},
		{"excluded tag", "x -tag:y", []Term{w("x"), {Kind: TermTag, Text: "y", Exclude: true}}, nil},
		{"lang", "lang:fr-CA x", []Term{{Kind: TermLang, Text: "fr-CA"}, w("x")}, nil},
		{"bad lang is a word", "lang:fr_CA!", []Term{w("lang:fr_CA!")}, nil},
		{"empty filters ignored", `tag: lang: x`, []Term{w("x")}, nil},
		{"empty tag then phrase", `tag:"" "a b"`, []Term{{Kind: TermPhrase, Text: "a b"}}, nil},
		{"excluded word", "strike -general", []Term{w("strike"), {Kind: TermWord, Text: "general", Exclude: true}}, nil},
		{"excluded phrase", `strike -"general strike"`, []Term{w("strike"), {Kind: TermPhrase, Text: "general strike", Exclude: true}}, nil},
		{"dashes", "--x - y", []Term{{Kind: TermWord, Text: "x", Exclude: true}, w("y")}, nil},
		{"hyphen inside word", "covid-19", []Term{w("covid-19")}, nil},
		{"bleve syntax is literal", `+title:x^5 y~2 (a OR b) *`, []Term{w("+title:x^5"), w("y~2"), w("(a"), w("OR"), w("b)"), w("*")}, nil},
		{"repeats dropped", "a b a", []Term{w("a"), w("b")}, nil},
		{"invalid UTF-8 separates", "a\xffb", []Term{w("a"), w("b")}, nil},
		{"controls separate", "a\x00b\u200bc", []Term{w("a"), w("b"), w("c")}, nil},
		{"16 terms", "1 2 3 4 5 6 7 8 " + `"a b c d e f g h"`, nil, nil},
		{"17 terms", "1 2 3 4 5 6 7 8 9 " + `"a b c d e f g h"`, nil, ErrTooManyTerms},
		{"repeats do not count", strings.Repeat("w ", 100), []Term{w("w")}, nil},
		{"too long", strings.Repeat("x", MaxQueryBytes+1), nil, ErrTooLong},
		{"longest", strings.Repeat("x", MaxQueryBytes), []Term{w(strings.Repeat("x", MaxQueryBytes))}, nil},
		{"empty", "   ", nil, ErrEmpty},
		{"only quotes", `"" -`, nil, ErrEmpty},
		{"only excluded", "-a -tag:b", nil, ErrOnlyExcluded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if err != nil || tt.want == nil {
				return
			}
			if !reflect.DeepEqual(q.Terms, tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, q.Terms, tt.want)
			}
		})
	}
}

func TestQueryString(t *testing.T) {
	for in, want := range map[string]string{
		`  a   "b  c"  -d tag:"e f" -lang:fr`: `a "b c" -d tag:"e f" -lang:fr`,
		`--x "y"`:                             `-x "y"`,
		`tag:"g"`:                             `tag:g`,
	} {
		q, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", in, got, want)
		}
	}
}

// checkQuery asserts the properties of every query Parse returns.
func checkQuery(t *testing.T, in string, q Query) {
	t.Helper()
	if len(q.Terms) == 0 {
		t.Fatalf("Parse(%q): no terms and no error", in)
	}
	cost, positive := 0, false
	for _, term := range q.Terms {
		cost += term.cost()
		positive = positive || !term.Exclude
		if term.Text == "" || !utf8.ValidString(term.Text) {
			t.Errorf("Parse(%q): term text %q empty or invalid", in, term.Text)
		}
		if strings.ContainsRune(term.Text, '"') || strings.Contains(term.Text, "  ") ||
			strings.HasPrefix(term.Text, " ") || strings.HasSuffix(term.Text, " ") ||
			strings.ContainsFunc(term.Text, func(r rune) bool { return r != ' ' && separator(r) }) {
			t.Errorf("Parse(%q): term text %q has quotes or stray white space", in, term.Text)
		}
		if term.Kind == TermWord && (strings.ContainsRune(term.Text, ' ') || strings.HasPrefix(term.Text, "-")) {
			t.Errorf("Parse(%q): word %q", in, term.Text)
		}
		if term.Kind == TermLang && !langTag(term.Text) {
			t.Errorf("Parse(%q): language %q", in, term.Text)
		}
	}
	if cost > MaxTerms {
		t.Errorf("Parse(%q): %d terms", in, cost)
	}
	if !positive {
		t.Errorf("Parse(%q): only excluded terms", in)
	}
	again, err := parse(q.String())
	if err != nil || !reflect.DeepEqual(again, q) {
		t.Errorf("Parse(%q) = %#v; Parse(String()=%q) = %#v, %v", in, q, q.String(), again, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`a "b c" -d tag:"e f" -lang:fr`, `+title:x^5 y~2 (a OR b) *`, `tag:""x`, `lang:"fr"`,
		"\"\xff\"", `-"" - -- tag: lang:`, `say"hello world"`, "a\u00a0b\u3000c", `TAG:X LaNg:EN-gb`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			for _, e := range []error{ErrEmpty, ErrTooLong, ErrTooManyTerms, ErrOnlyExcluded} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("Parse(%q): unexpected error %v", s, err)
		}
		if len(s) > MaxQueryBytes {
			t.Fatalf("Parse accepted %d bytes", len(s))
		}
		checkQuery(t, s, q)
		// Every letter or digit typed is in some term, unless Parse
		// dropped a repeated term or an empty filter took it.
		for _, r := range s {
			if (unicode.IsLetter(r) || unicode.IsDigit(r)) && !strings.ContainsRune(q.String(), r) &&
				!strings.Contains(strings.ToLower(s), "tag:") && !strings.Contains(strings.ToLower(s), "lang:") {
				t.Fatalf("Parse(%q) lost %q: %q", s, r, q.String())
			}
		}
	})
}
