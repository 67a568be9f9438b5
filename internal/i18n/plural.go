package i18n

import (
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// formNames are the CLDR names of the plural forms, indexed by
// plural.Form, as operators write them: {one = "...", other = "..."}.
var formNames = [...]string{
	plural.Other: "other",
	plural.Zero:  "zero",
	plural.One:   "one",
	plural.Two:   "two",
	plural.Few:   "few",
	plural.Many:  "many",
}

const numForms = len(formNames)

// formByName finds a plural form by its CLDR name.
func formByName(name string) (plural.Form, bool) {
	for f, n := range formNames {
		if n == name {
			return plural.Form(f), true
		}
	}
	return 0, false
}

// forms is the text of a built-in message per plural form. A message
// without plural forms has only Other; "" means the form is not given.
type forms struct{ Zero, One, Two, Few, Many, Other string }

func (f forms) get(form plural.Form) string {
	switch form {
	case plural.Zero:
		return f.Zero
	case plural.One:
		return f.One
	case plural.Two:
		return f.Two
	case plural.Few:
		return f.Few
	case plural.Many:
		return f.Many
	}
	return f.Other
}

// formOf is the CLDR cardinal plural form of the whole number n in lang.
func formOf(lang language.Tag, n int) plural.Form {
	u := uint64(n)
	if n < 0 {
		u = -u // also right for math.MinInt, as an unsigned magnitude
	}
	// MatchPlural wants numbers below 10^7. CLDR integer rules test i
	// itself only for small values and otherwise i mod 10, 100 or 10^6, so
	// a large n keeps its form when folded into [10^6, 2*10^6) with the
	// same remainder mod 10^6.
	if u >= 1_000_000 {
		u = 1_000_000 + u%1_000_000
	}
	return plural.Cardinal.MatchPlural(lang, int(u), 0, 0, 0, 0)
}

// formUse tells, for each plural form, how many whole numbers of a wide
// sample fall in it for one language: 0 means the language never uses
// the form for counts, 1 that the form stands for a single number (such
// as English "one"), where a text may leave out {n}.
type formUse [numForms]int

// integerForms samples the whole numbers that CLDR rules tell apart (the
// small ones, the remainders mod 100 and 1000, and round millions, which
// French and Spanish give a form of their own in recent CLDR) and counts
// them per form. x/text keeps the list of a language's forms private.
func integerForms(lang language.Tag) formUse {
	var use formUse
	for n := range 2000 {
		use[formOf(lang, n)]++
		use[formOf(lang, 1_000_000+n)]++
	}
	for n := 2000; n <= 1_000_000; n += 1000 {
		use[formOf(lang, n)]++
	}
	return use
}
