// Package i18n holds the page chrome of Broadside in several languages:
// every string the site writes around the author's text (headings, the
// byline, reading time, dates, counts, navigation, Gopher labels, error
// messages, the search prompt), as message catalogs chosen by the page's
// language.
//
// A Catalog is built once per configuration with New, from the built-in
// catalogs (en, fr, de, es, ru, it, nl, uk) and the operator's [strings.LANG]
// overrides, which New checks and reports as diag.Diagnostics. For picks
// the Locale that best serves a BCP 47 tag (language matching from
// golang.org/x/text/language: "fr-CA" gets French, "de-AT" German, a
// language without a catalog the site's default). A Locale formats
// messages by typed ID with named arguments:
//
//	cat, diags := i18n.New(cfg.Lang, cfg.Strings)
//	loc := cat.For(doc.Lang)
//	loc.T(i18n.IndexRecent)                                  // "Recent articles"
//	loc.T(i18n.CountArticles, i18n.N(5))                     // "5 статей" in Russian
//	loc.T(i18n.BylineBy, i18n.N(len(a)), i18n.Names(a...))   // "Par A, B et C"
//	loc.Date(t)                                              // "7 janvier 2022"
//
// Messages with a count choose their plural form by the CLDR rules of
// golang.org/x/text/feature/plural (Russian has one, few and many). Every
// template is parsed once, in New; formatting a message costs one
// allocation for the result string in the common case.
//
// The text a Locale returns is plain UTF-8 on one line, with no control
// characters of its own; escaping it for gemtext, Gopher menus or XML is
// the caller's business, as is the length of a Gemini META line built from
// it. Arguments are written as given.
//
// Catalog and Locale are immutable and safe for concurrent use.
package i18n
