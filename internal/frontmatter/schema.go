package frontmatter

import "strings"

// fieldType is what a front-matter field holds, whichever syntax wrote it.
type fieldType int

// The field types.
const (
	// stringField is one line of text. Numbers and booleans are taken as
	// written (title: 1984).
	stringField fieldType = iota
	// dateField is a native YAML or TOML date, or a string ParseDate reads.
	dateField
	// boolField is true or false (YAML 1.1's yes/no/on/off too).
	boolField
	// tagsField is a list of strings, or one string of space-separated tags.
	tagsField
	// listField is a list of strings, or one string as a one-item list.
	listField
	// peopleField is a name, a list of names, or a table (or list of tables)
	// with a name key.
	peopleField
	// langField is a BCP 47 language tag.
	langField
	// taxonomiesField is Zola's table of taxonomies; only its tags are used.
	taxonomiesField
	// ignoredField is a field of Hugo, Jekyll or Zola that Broadside has no
	// use for: accepted whatever it holds, so that a migrated capsule
	// checks clean.
	ignoredField
)

// field is one front-matter key that Parse knows.
type field struct {
	name string // spelling as documented; keys match case-insensitively
	typ  fieldType
}

// schema lists every front-matter key Parse reads, with the keys of other
// generators it accepts and ignores. It is the one table both YAML and TOML
// are checked against: a key not in it is reported as unknown, with the
// nearest key of the table suggested.
var schema = []field{
	{"title", stringField},
	{"date", dateField},
	{"publishDate", dateField},
	{"lastmod", dateField},
	{"updated", dateField},
	{"draft", boolField},
	{"published", boolField},
	{"tags", tagsField},
	{"taxonomies", taxonomiesField},
	{"summary", stringField},
	{"description", stringField},
	{"author", peopleField},
	{"authors", peopleField},
	{"lang", langField},
	{"slug", stringField},
	{"aliases", listField},
	{"id", stringField},

	// Hugo, Jekyll and Zola keys with no meaning here.
	{"layout", ignoredField},
	{"permalink", ignoredField},
	{"categories", ignoredField},
	{"category", ignoredField},
	{"weight", ignoredField},
	{"params", ignoredField},
	{"extra", ignoredField},
	{"menu", ignoredField},
	{"menus", ignoredField},
	{"toc", ignoredField},
	{"keywords", ignoredField},
	{"images", ignoredField},
	{"image", ignoredField},
	{"cover", ignoredField},
	{"series", ignoredField},
	{"type", ignoredField},
	{"template", ignoredField},
	{"comments", ignoredField},
	{"math", ignoredField},
	{"excerpt", ignoredField},
	{"excerpt_separator", ignoredField},
	{"url", ignoredField},
	{"linkTitle", ignoredField},
	{"outputs", ignoredField},
	{"resources", ignoredField},
	{"headless", ignoredField},
	{"sitemap", ignoredField},
	{"expiryDate", ignoredField},
	{"markup", ignoredField},
	{"isCJKLanguage", ignoredField},
	{"build", ignoredField},
	{"cascade", ignoredField},
	{"path", ignoredField},
	{"in_search_index", ignoredField},
}

// MaxTags is the most tags one document keeps; the rest are dropped with a
// warning.
const MaxTags = 64

// MaxTagLen is the longest tag kept, in characters.
const MaxTagLen = 100

// schemaIndex maps lower-cased key names to their field.
var schemaIndex = func() map[string]field {
	m := make(map[string]field, len(schema))
	for _, f := range schema {
		m[strings.ToLower(f.name)] = f
	}
	return m
}()

// lookup returns the field of a key as written, matched case-insensitively.
func lookup(key string) (field, bool) {
	f, ok := schemaIndex[strings.ToLower(key)]
	return f, ok
}

// suggestions are the field names offered for an unknown key: the fields
// Broadside uses, never the ignored ones.
var suggestions = func() []string {
	var out []string
	for _, f := range schema {
		if f.typ != ignoredField {
			out = append(out, f.name)
		}
	}
	return out
}()
