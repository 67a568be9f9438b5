package config

// Example is a complete, commented config.toml. Every value in it is the
// default, so it parses to the same Config as an empty file (a test checks
// this). Ship it as config.toml and edit what differs.
const Example = `# Broadside configuration. Every key is optional: the value shown is the
# default. Unknown keys are errors, so a typo is reported, not ignored.
# Relative paths resolve against the folder of this file.

# Site title: the heading of the index page and the title of the feeds.
title = "Broadside"

# Public host name, as readers type it: a DNS name or an IP address, without
# scheme, port or path. Used in the self-signed certificate, in absolute URLs
# (feeds) and to refuse requests for other hosts (status 53).
hostname = "localhost"

# Folder of Markdown articles, pages and static files.
capsule = "capsule"

# Default language of the content (BCP 47: en, fr, pt-BR), sent as
# "text/gemini; lang=...". An article's own front-matter lang overrides it.
lang = "en"

# Default author for the Atom feeds, when an article names none.
author = ""

# Zone for dates written without one, in front matter ("2022-01-07") and
# file names: an IANA name such as "Europe/Paris". Empty means UTC.
timezone = "UTC"

# Paths that are gone for good: they answer "52 Gone" (Gemini) instead of
# "51 Not found". Each starts with "/". Example: ["/posts/retracted.gmi"]
removed = []

# Body of /robots.txt when the capsule has no robots.txt of its own.
# Empty means the built-in default.
robots = ""

# One emoji served as /favicon.txt (the Gemini favicon convention).
favicon = "📰"

# Folder for data kept between runs: the capsule's metadata index (so that
# a restart reads only the files that changed meanwhile; safe to delete),
# the search index and the history of files replaced or deleted by Titan
# uploads (back it up with the capsule). Created 0700 when first needed.
state = "state"

[gemini]
# Address to listen on, host:port. ":1965" is every interface.
listen = ":1965"
# Public port written in URLs and expected in requests; set it when a proxy
# or NAT maps another port to this one. Default: the listen port.
# port = 1965
# Folder for the TLS certificate and key. Created (0700) with a self-signed
# certificate for hostname on first start; keys are written 0600.
certs = "certs"
# Expect a PROXY protocol header (v1 or v2, as HAProxy's send-proxy and
# send-proxy-v2 write them) on every connection, from an address listed
# in trusted under [proxy]; the client address in the log and limits is then
# the one the header names. Connections from anywhere else are closed.
proxy_protocol = false
# Session ticket keys, shared by every instance behind one load balancer
# so that a returning reader resumes its TLS session on any of them. The
# file is created (0600) if missing; a new key is added every 24 hours and
# used once every instance has had time to read it, and old keys are still
# accepted for two days. Give every instance the same file (and the same
# certificate). Default: tickets.key in the certs folder. "" keeps keys in
# memory only, one set per process.
# ticket_keys = "certs/tickets.key"

[gopher]
# Address to listen on, host:port. An empty string disables Gopher.
listen = ":7070"
# Public port written into menus (may differ behind NAT). Default: the
# listen port.
# port = 7070
# Expect a PROXY protocol header (v1 or v2); see [gemini].
proxy_protocol = false

[log]
# How much of a reader's address the access log keeps:
#   "truncated" the network only: the IPv4 /24 or IPv6 /48 (203.0.113.0/24)
#   "full"      the address and port (203.0.113.7:51234)
#   "none"      nothing
# (true and false, from older versions, mean "full" and "none".)
client_addr = "truncated"
# Least severe level logged: "debug", "info", "warn" or "error".
level = "info"
# "text" (key=value lines) or "json" (one object per line). Both protocols
# write the same access log record: msg=request proto client request
# status bytes duration, and error when a response was cut short.
format = "text"

[limits]
# Limits per client address (IPv6: per /64), for Gemini and Gopher
# together, and connection timeouts. The defaults are far above what a
# reader does; behind a load balancer without proxy_protocol every client
# shares its address, so raise them or turn on the PROXY protocol.
# Connections (Gemini and Gopher serve one request each) per second, the
# refill rate of each address's token bucket; 0 turns the limit off. Over
# it a client gets "44 <seconds>" (Gemini) or a "Too many requests" error
# item (Gopher); one that goes on regardless is closed before any TLS work.
rate = 10
# Connections an address may open at once above the rate.
burst = 60
# Connections an address may hold open at once; 0 turns the cap off.
per_address = 16
# Connections each server (Gemini, Gopher) holds at once. When full, the
# connection that has waited longest without sending its request makes
# room; if there is none, the new one is closed.
connections = 1024
# Time from connecting to a complete request line, TLS handshake included.
read_timeout = "10s"
# Longest wait for a client to take the next 17 KiB of a response: a
# response may take as long as it needs while the client keeps reading.
send_timeout = "30s"

[proxy]
# Addresses and CIDR blocks of the load balancers allowed to send PROXY
# headers (gemini.proxy_protocol, gopher.proxy_protocol), e.g.
# ["10.0.0.5", "10.1.0.0/16", "2001:db8::/32"].
trusted = []

[render]
# Where link lines go in converted Markdown:
#   "block"    after the paragraph, list, quote or table that holds them
#   "end"      all together at the end of the document
#   "numbered" at the end, with [n] markers in the text
#   "off"      no link lines (the link text stays)
links = "block"
# Headings deeper than ### (h4-h6): "h3" makes them ### headings, "text"
# makes them plain text lines.
deep_headings = "h3"
# Emphasis, strong, code span and strikethrough markers: "strip" removes
# them, "keep" leaves *stars*, _underscores_, ` + "`backticks`" + ` and ~~tildes~~.
emphasis = "strip"

[feed]
# Entries in each Atom feed (site and per tag), newest first: 1 to 1000.
entries = 20
# Host name used in the permanent ids of feed entries (tag:HOST,DATE:PATH).
# Default: hostname. When the capsule moves to a new host name, set this to
# the old one so that feed readers do not see every article as new.
# id_authority = "localhost"

[index]
# Articles listed on the home page, newest first: 1 to 10000.
recent = 30
# Articles on one page of a tag (/tags/x/), newest first; older ones
# follow on /tags/x/2/ and on. 1 to 10000. The archive lists the years,
# and each year's page (/archive/2024/) all of its articles by month.
page_size = 50

[cache]
# Memory for built pages (articles, tag pages, feeds), the converted text
# of articles and their Gopher views: "64MB", "1GB" or a number of bytes,
# at least 1MB. Metadata of every article is always kept; texts and pages
# past this budget are read and built again on request (a fraction of a
# millisecond for a long article), so memory does not grow with the
# archive. A quarter of it is filled with the newest articles after a
# start.
size = "64MB"

[titan]
# Let authors publish from their Gemini client (Lagrange, ...) with the Titan
# protocol on the Gemini port: titan://HOST/posts/x.md;mime=text/markdown;size=N
# Only [[titan.authors]] below may upload; every replaced or deleted file is
# kept under the state folder. Uploaded Markdown must pass check.
enabled = false
# Largest upload: "1MB", "512KB" or a number of bytes, at most 64MB.
max_size = "1MB"
# One table per author:
# [[titan.authors]]
# name = "Editor"
# # SHA-256 of their client certificate, 64 hex digits (colons allowed):
# #   openssl x509 -in editor.crt -noout -fingerprint -sha256
# certificate = "..."
# # Path prefixes they may write; leave out for the whole capsule.
# paths = ["/posts/"]

# Redirect rules, one [[redirect]] table each (none by default). "from" is
# a path; ending in "/" makes it a prefix rule that carries the rest of the
# path over ("/old/" to "/posts/": /old/a.gmi goes to /posts/a.gmi). "to"
# is a path of this site or an absolute URL (another host or scheme).
# "permanent" (default true) answers 31, false answers 30. Rules come
# before articles: "broadside check" warns when one hides an article, and
# a chain of rules that loops is an error. Gopher, which has no redirects,
# follows local rules itself and shows a link for the others.
# [[redirect]]
# from = "/old/"
# to = "/posts/"
# permanent = true
`
