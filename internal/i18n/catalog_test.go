package i18n

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

func TestIDs(t *testing.T) {
	keyRE := regexp.MustCompile(`^[a-z]+(\.[a-z][a-z_]*)+$`)
	seen := map[string]ID{}
	for id := range ID(numIDs) {
		key := id.String()
		if !keyRE.MatchString(key) {
			t.Errorf("ID %d: key %q is not dotted lower-case", id, key)
		}
		if prev, dup := seen[key]; dup {
			t.Errorf("IDs %d and %d share the key %q", prev, id, key)
		}
		seen[key] = id
		if got, ok := Lookup(key); !ok || got != id {
			t.Errorf("Lookup(%q) = %d, %v; want %d", key, got, ok, id)
		}
		if specs[id].doc == "" {
			t.Errorf("%s has no description", key)
		}
		for _, seg := range strings.Split(key, ".") {
			if _, isForm := formByName(seg); isForm {
				// A dotted key in TOML becomes nested tables; a segment
				// named like a plural form would read as one.
				t.Errorf("%s: segment %q is a plural form name", key, seg)
			}
		}
		for other := range ID(numIDs) {
			if strings.HasPrefix(other.String(), key+".") {
				t.Errorf("%s is a prefix of %s: TOML cannot hold both", key, other)
			}
		}
		if specs[id].count && id != BylineBy && !id.allows(phN) {
			t.Errorf("%s has plural forms but no {n}", key)
		}
	}
	if _, ok := Lookup("index.nope"); ok {
		t.Error(`Lookup("index.nope") found something`)
	}
	for _, bad := range []ID{-1, ID(numIDs)} {
		if s := bad.String(); s != "" {
			t.Errorf("ID(%d).String() = %q, want empty", bad, s)
		}
	}
}

// checkBuiltin lists what is wrong with a built-in catalog: a message
// missing, a text that does not use exactly its documented placeholders,
// plural forms that do not fit the language.
func checkBuiltin(tag language.Tag, src map[ID]forms) []string {
	var problems []string
	use := integerForms(tag)
	for id := range ID(numIDs) {
		f, ok := src[id]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: missing", id))
			continue
		}
		sp := specs[id]
		if f.Other == "" {
			problems = append(problems, fmt.Sprintf("%s: no other form", id))
		}
		given := 0
		for form := range numForms {
			s := f.get(plural.Form(form))
			if s == "" {
				continue
			}
			given++
			name := formNames[form]
			if plural.Form(form) != plural.Other && !sp.count {
				problems = append(problems, fmt.Sprintf("%s: %s form on a message without plural forms", id, name))
			}
			if plural.Form(form) != plural.Other && use[form] == 0 {
				problems = append(problems, fmt.Sprintf("%s: %s form, which %s does not use", id, name, tag))
			}
			p, err := parseTemplate(s)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s.%s: %v", id, name, err))
				continue
			}
			if len(p.unknown) > 0 {
				problems = append(problems, fmt.Sprintf("%s.%s: unknown placeholders %v", id, name, p.unknown))
			}
			var used, want []string
			for _, ph := range p.used {
				used = append(used, ph.String())
			}
			for _, ph := range sp.ph {
				want = append(want, ph.String())
			}
			slices.Sort(used)
			slices.Sort(want)
			if !slices.Equal(used, want) {
				problems = append(problems, fmt.Sprintf("%s.%s: placeholders %v, documented %v", id, name, used, want))
			}
			if s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
				problems = append(problems, fmt.Sprintf("%s.%s: stray spaces in %q", id, name, s))
			}
		}
		// A message with counts gives every form the language uses, or
		// only "other" when its text does not change with the number.
		if sp.count && given > 1 {
			for form, n := range use {
				if n > 0 && f.get(plural.Form(form)) == "" {
					problems = append(problems, fmt.Sprintf("%s: no %s form, which %s uses", id, formNames[form], tag))
				}
			}
		}
		if id == ListPair || id == ListComma || id == ListEnd {
			p, err := parseTemplate(f.Other)
			if err == nil {
				if _, ok := listPatternOf(p.t); !ok {
					problems = append(problems, fmt.Sprintf("%s: not of the shape {a}…{b}", id))
				}
			}
		}
	}
	return problems
}

// TestCompleteness: every message exists in every built-in language,
// with exactly its documented placeholders and the plural forms its
// language uses.
func TestCompleteness(t *testing.T) {
	if builtins[0].tag != language.English {
		t.Fatal("English must be the first built-in catalog")
	}
	for _, bi := range builtins {
		t.Run(bi.tag.String(), func(t *testing.T) {
			for _, p := range checkBuiltin(bi.tag, bi.src) {
				t.Error(p)
			}
		})
	}
}

// TestCompletenessCatchesMistakes proves checkBuiltin can fail: each
// broken copy of the French catalog must be reported.
func TestCompletenessCatchesMistakes(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[ID]forms)
		want   string
	}{
		{"missing id", func(m map[ID]forms) { delete(m, SearchNone) }, "search.none: missing"},
		{"missing placeholder", func(m map[ID]forms) { m[NavHome] = forms{Other: "↩ Accueil"} }, "placeholders [], documented [site]"},
		{"extra placeholder", func(m map[ID]forms) { m[IndexRecent] = forms{Other: "Récents sur {site}"} }, "placeholders [site], documented []"},
		{"unknown placeholder", func(m map[ID]forms) { m[IndexRecent] = forms{Other: "Récents {x}"} }, "unknown placeholders [x]"},
		{"form the language lacks", func(m map[ID]forms) {
			m[CountArticles] = forms{One: "{n} article", Few: "{n} articles", Other: "{n} articles"}
		}, "few form, which fr does not use"},
		{"plural on plain message", func(m map[ID]forms) { m[IndexRecent] = forms{One: "Récent", Other: "Récents"} }, "one form on a message without plural forms"},
		{"syntax", func(m map[ID]forms) { m[IndexRecent] = forms{Other: "Récents {"} }, "opens no {name}"},
		{"list shape", func(m map[ID]forms) { m[ListEnd] = forms{Other: "{b} et {a}"} }, "not of the shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := maps.Clone(builtinFrench)
			tt.mutate(src)
			problems := strings.Join(checkBuiltin(language.French, src), "\n")
			if !strings.Contains(problems, tt.want) {
				t.Errorf("problems %q do not mention %q", problems, tt.want)
			}
		})
	}
	// Russian counts need one, few and many.
	src := maps.Clone(builtinRussian)
	src[CountArticles] = forms{One: "{n} статья", Many: "{n} статей", Other: "{n} статьи"}
	if p := strings.Join(checkBuiltin(language.Russian, src), "\n"); !strings.Contains(p, "no few form") {
		t.Errorf("a Russian count without few passed: %q", p)
	}
}

// TestBuiltinsDiffer catches a catalog pasted from another language: each
// non-English catalog translates nearly every message that is words.
func TestBuiltinsDiffer(t *testing.T) {
	for _, bi := range builtins[1:] {
		same := 0
		for id, f := range bi.src {
			if f.Other == builtinEnglish[id].Other && strings.ContainsFunc(f.Other, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
				same++
			}
		}
		// A few are the same words in several languages (April, Tags).
		if same > 8 {
			t.Errorf("%s: %d messages are the English text", bi.tag, same)
		}
	}
}

func TestMessages(t *testing.T) {
	ms := Messages()
	if len(ms) != numIDs {
		t.Fatalf("Messages() has %d entries, want %d", len(ms), numIDs)
	}
	m := ms[CountArticles]
	if m.Key != "count.articles" || !m.Count || !slices.Equal(m.Placeholders, []string{"n"}) ||
		m.English["one"] != "{n} article" || m.English["other"] != "{n} articles" {
		t.Errorf("Messages()[CountArticles] = %+v", m)
	}
	if r := ms[IndexRecent]; r.Count || len(r.Placeholders) != 0 || len(r.English) != 1 || r.English["other"] != "Recent articles" {
		t.Errorf("Messages()[IndexRecent] = %+v", r)
	}
	ms[0].Placeholders = append(ms[0].Placeholders, "mutated")
	if slices.Contains(Messages()[0].Placeholders, "mutated") {
		t.Error("Messages() shares its slices with the caller")
	}
}
