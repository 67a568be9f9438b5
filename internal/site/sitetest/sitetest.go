// Package sitetest holds the capsule that the site and front-end tests
// share: one of everything the site routes, hostile names included. Only
// tests import it.
package sitetest

import (
	"testing/fstest"
	"time"
)

// Now is the fixed moment test sites are built for.
var Now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// ModTime is the modification time of every test file.
var ModTime = time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)

// File is a capsule file with contents s.
func File(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), ModTime: ModTime} }

// Capsule returns a fresh copy of the test capsule, which tests may change.
func Capsule() fstest.MapFS {
	return fstest.MapFS{
		"index.md":  File("# Welcome\n\nAn intro with a [link](about.md).\n"),
		"about.md":  File("---\ntitle: About us\n---\n\nWe write things.\n"),
		"notes.gmi": File("# Notes\n\n=> about.gmi About\nHand-written.\n"),
		"posts/2024-01-05-first.md": File("---\ntitle: First <post> & more\ntags: [Go, News]\naliases: [/old/first.gmi]\nsummary: The first one.\n---\n\n" +
			"Hello [second](second.md) and [out](<https://example.org/a b>).\n"),
		"posts/second.md":  File("---\ntitle: Second\ndate: 2024-02-01T10:00:00Z\ntags: [go, Français]\nauthor: Zoé\nlang: fr\n---\n\n# Second\n\nBonjour.\n"),
		"posts/third.md":   File("---\ntitle: Third\ndate: 2024-03-01\ntags: [news]\nupdated: 2024-03-05\n---\n\nThird body.\n"),
		"posts/draft.md":   File("---\ntitle: Draft\ndate: 2024-01-10\ndraft: true\ntags: [go]\n---\n\nSecret.\n"),
		"posts/future.md":  File("---\ntitle: Future\ndate: 2031-06-01\ntags: [go]\n---\n\nNot yet.\n"),
		"posts/broken.md":  File("---\ntitle: Broken\ndate: 2024-01-20\nupdated: yesterday\n---\n\nBody survives.\n"),
		"posts/maybe.md":   File("---\ntitle: Maybe\ndate: 2024-01-22\ndraft: maybe\n---\n\nUndecided.\n"),
		"posts/garbled.md": File("---\ntitle: [unclosed\ndate: 2024-01-21\n---\n\nGarbled body survives.\n"),
		"images/a.png":     &fstest.MapFile{Data: []byte("\x89PNG\r\n\x1a\nfake"), ModTime: ModTime},
		"docs/index.gmi":   File("# Docs\n\nFolder index.\n"),
		"docs/readme.txt":  File("plain text\n"),
		".hidden.md":       File("secret\n"),
		".git/config":      File("secret\n"),
		"posts/.x.md":      File("secret\n"),
	}
}
