package i18n

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
)

var update = flag.Bool("update", false, "rewrite messages.md and testdata/*.txt")

// reference writes messages.md: every message key with its placeholders
// and English text, and the languages built in, for the README and for
// operators writing [strings.LANG] tables.
func reference() string {
	var b strings.Builder
	b.WriteString(`# Page chrome messages

Generated from internal/i18n by ` + "`go test ./internal/i18n -update`" + `; do not edit.

Broadside writes every string around an author's text from a message
catalog chosen by the page's language (the article's ` + "`lang`" + `, else the
config's ` + "`lang`" + `). Built-in languages: `)
	var langs []string
	for _, bi := range builtins {
		langs = append(langs, bi.tag.String())
	}
	b.WriteString(strings.Join(langs, ", ") + `. A site overrides a message, or adds a
language, in config.toml:

` + "```toml" + `
[strings.fr]
"index.recent" = "Derniers articles"          # quoted key
byline.reading_time = { one = "{n} minute de lecture", other = "{n} minutes de lecture" }
date.month.january = "janv."                  # dotted keys work too

[strings.en-US]                               # a variant starts from its parent (en)
"date.long" = "{month} {day}, {year}"
` + "```" + `

A text is one line of plain text (no control characters, at most
` + strconv.Itoa(MaxTemplate) + ` bytes). ` + "`{name}`" + ` is a placeholder; ` + "`{{`" + ` and ` + "`}}`" + ` write ` + "`{`" + ` and ` + "`}`" + `.
An empty text hides that piece of chrome. Messages marked *count* take a
table of CLDR plural forms (` + "`zero one two few many other`" + `, those the
language uses: English one/other, Russian one/few/many) chosen by ` + "`{n}`" + `,
or one string for every number. ` + "`broadside check`" + ` reports unknown ids,
unknown or missing placeholders, wrong plural forms, and which messages of
an added language are still English.

| key | placeholders | English | where |
|---|---|---|---|
`)
	for _, m := range Messages() {
		var ph []string
		for _, p := range m.Placeholders {
			ph = append(ph, "`{"+p+"}`")
		}
		if m.Count {
			ph = append(ph, "*count*")
		}
		en := "`" + m.English["other"] + "`"
		if one, ok := m.English["one"]; ok {
			en = "one: `" + one + "`, other: " + en
		}
		b.WriteString("| `" + m.Key + "` | " + strings.Join(ph, " ") + " | " + strings.ReplaceAll(en, "|", `\|`) + " | " + m.Doc + " |\n")
	}
	b.WriteString("\nPlural forms each built-in language uses for counts:\n\n")
	for _, bi := range builtins {
		use := integerForms(bi.tag)
		var names []string
		for _, f := range []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other} {
			if use[f] > 0 {
				names = append(names, formNames[f])
			}
		}
		b.WriteString("- " + bi.tag.String() + ": " + strings.Join(names, ", ") + "\n")
	}
	return b.String()
}

func TestReference(t *testing.T) {
	got := reference()
	// The example in it is valid and does what it says.
	_, example, _ := strings.Cut(got, "```toml\n")
	example, _, _ = strings.Cut(example, "```")
	var cfg struct{ Strings map[string]map[string]any }
	if _, err := toml.Decode(example, &cfg); err != nil {
		t.Fatalf("example: %v", err)
	}
	c, ds := New("fr", cfg.Strings)
	if len(ds) > 0 || len(cfg.Strings) != 2 {
		t.Errorf("example: %d languages, diagnostics %v", len(cfg.Strings), ds)
	}
	if got := c.For("en-US").Date(jan7); got != "January 7, 2022" {
		t.Errorf("example: en-US date %q", got)
	}
	if got := c.For("fr").T(BylineReadingTime, N(2)); got != "2 minutes de lecture" {
		t.Errorf("example: fr reading time %q", got)
	}
	golden(t, "messages.md", got)
}

// TestGoldenCatalogs renders every message of every built-in language
// with sample arguments into testdata/LANG.txt, for review by readers of
// the language and to show any change to the chrome in a diff. Messages
// with counts are rendered for the numbers whose forms differ.
func TestGoldenCatalogs(t *testing.T) {
	c := builtinCatalog(t)
	authors := []string{"Mara Ilić", "Jonas Berg", "Ana Ruiz"}
	for _, bi := range builtins {
		lang := bi.tag.String()
		t.Run(lang, func(t *testing.T) {
			loc := c.For(lang)
			var b strings.Builder
			for id := range ID(numIDs) {
				ns := []int{3}
				switch {
				case id == BylineBy:
					ns = []int{1, 2, 3} // n is the number of names
				case specs[id].count:
					ns = []int{0, 1, 2, 5, 21, 1234}
				}
				for _, n := range ns {
					names := authors[:min(n, 3)]
					args := []Arg{N(n), Names(names...), Date(jan7), Updated(jan7.AddDate(0, 1, 25)),
						Title("The mirrors go dark"), Site("Broadside"), TagName("press"), Path("/files/"),
						Query("mirror"), Page(2), Pages(5), Year(2022)}
					key := id.String()
					if specs[id].count {
						key += " n=" + strconv.Itoa(n)
					}
					b.WriteString(key + ": " + loc.T(id, args...) + "\n")
				}
			}
			b.WriteString("Date 1 May 2023: " + loc.Date(time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)) + "\n")
			b.WriteString("JoinMax 5 names, 2: " + loc.JoinMax([]string{"Ana", "Isabel", "Igor", "Hilda", "Yan"}, 2) + "\n")
			b.WriteString("Join 2 names: " + loc.Join([]string{"Ana", "Isabel"}) + "\n")
			golden(t, filepath.Join("testdata", lang+".txt"), b.String())
		})
	}
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/i18n -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs; run go test ./internal/i18n -update and review the diff", file)
	}
}
