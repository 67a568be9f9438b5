package i18n

import "golang.org/x/text/feature/plural"

// Message documents one message, for the README, config.Example and
// "broadside check".
type Message struct {
	ID ID
	// Key is the dotted lower-case key, as written in [strings.LANG].
	Key string
	// Doc says in a few words where the message appears.
	Doc string
	// Placeholders are the names (without braces) that its text may use.
	Placeholders []string
	// Count reports that the message has plural forms ("one", "other",
	// and "few", "many" in Russian), chosen by the N argument.
	Count bool
	// English is the built-in English text: {"other": ...}, with "one"
	// too for a Count message.
	English map[string]string
}

// Messages returns the documentation of every message, in ID order. The
// result is the caller's to keep.
func Messages() []Message {
	ms := make([]Message, numIDs)
	for id := range ID(numIDs) {
		sp := specs[id]
		m := Message{ID: id, Key: sp.key, Doc: sp.doc, Count: sp.count, English: map[string]string{}}
		for _, p := range sp.ph {
			m.Placeholders = append(m.Placeholders, p.String())
		}
		f := builtinEnglish[id]
		for form, name := range formNames {
			if s := f.get(plural.Form(form)); s != "" || plural.Form(form) == plural.Other {
				m.English[name] = s
			}
		}
		ms[id] = m
	}
	return ms
}
