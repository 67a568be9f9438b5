"""Parse an Atom file with feedparser and print what it saw as JSON.

Used by feedparser_test.go: python3 feedparser_check.py FILE
"""
import json
import sys

import feedparser

d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": bool(d.bozo),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "id": d.feed.get("id"),
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "link": e.get("link"),
        "summary": e.get("summary"),
        "content": [{"type": c.type, "value": c.value} for c in e.get("content", [])],
        "tags": [t.term for t in e.get("tags", [])],
        "updated": e.get("updated"),
    } for e in d.entries],
}))
