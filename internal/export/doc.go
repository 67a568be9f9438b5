// Package export writes a site as static files that any Gemini or Gopher
// server can serve without Broadside: "broadside build DIR".
//
// DIR/gemini/ holds every page, article, tag page, feed and static file at
// its path ("/" is index.gmi, "/tags/x/" is tags/x/index.gmi), each the
// exact body the live Gemini server sends. DIR/gopher/ mirrors the Gopher
// selectors: every menu (index, archive, tags, tag pages, folder listings,
// and each document's ";menu" view) is a folder holding a gophermap in the
// gophernicus/Bucktooth format, and every text view, feed and static file
// is a file with the exact bytes the live Gopher server sends. Selectors
// the live server answers by following a redirect (front-matter aliases,
// .md sources) are hard links to what they lead to. Redirects and removed
// paths, which a folder cannot express, are listed in DIR/redirects.txt
// and, ready to paste, in DIR/molly-brown.conf.
//
// The bytes are made by the real front-end handlers (frontend.Gemini and
// frontend.Gopher) driven in-process, so an export equals what "broadside
// serve" answers by construction; the package tests check it over the
// real protocol servers. The export is written into a temporary folder
// beside DIR and renamed over it at the end, so a reader of DIR sees the
// old export or the new one.
package export
