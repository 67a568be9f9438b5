package search

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/blevesearch/bleve/v2/mapping"
)

// schema names the layout of a persisted index: the fields below, the
// analyses of analysis.go and the text extraction of text.go. Change it
// whenever any of them changes what gets indexed, and every persisted
// index is rebuilt from scratch when it is next opened.
const schema = "broadside-search/1 bleve/v2.6.3"

// The fields of an indexed article. Text fields exist once per analysis:
// headField+"fr" and bodyField+"fr" for a French article; they hold the
// analysed words and their pairs (see pairFilter).
const (
	pathField    = "path"    // served path; doc values only, to reload meta
	fpField      = "fp"      // fingerprint, hex; doc values only
	langField    = "lang"    // analysis key; doc values only
	langTagField = "langtag" // the BCP 47 tag and its prefixes, lower case: lang:xx
	tagField     = "tag"     // tagKey of each slug and name: tag:x
	dateField    = "date"    // Unix seconds as sortable text (encodeDate); doc values only
	titleField   = "title"   // stored for results
	whenField    = "when"    // stored: the date in RFC 3339, with its zone
	textField    = "text"    // stored: the text snippets are cut from
	headField    = "head_"   // + key: title and tag names, words and pairs
	bodyField    = "body_"   // + key: summary and body, words and pairs
)

// maxTags bounds the tags indexed per article; more are ignored.
const maxTags = 100

// headBoost weighs a match in the title or a tag name against one in the
// body.
const headBoost = 3.0

// newMapping returns the index mapping: a static one, so that nothing but
// the fields above is ever indexed, with stored values only where results
// need them, and BM25 ranking.
func newMapping() *mapping.IndexMappingImpl {
	m := mapping.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	m.DefaultAnalyzer = analyzerName(otherKey)
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	dm := mapping.NewDocumentStaticMapping()

	field := func(typ, analyzer string, indexed, stored, docValues bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: typ, Analyzer: analyzer, Index: indexed, Store: stored, DocValues: docValues}
	}

	dm.AddFieldMappingsAt(pathField, field("text", keyword.Name, true, false, true))
	dm.AddFieldMappingsAt(fpField, field("text", keyword.Name, true, false, true))
	dm.AddFieldMappingsAt(langField, field("text", keyword.Name, true, false, true))
	dm.AddFieldMappingsAt(langTagField, field("text", keyword.Name, true, false, false))
	dm.AddFieldMappingsAt(tagField, field("text", keyword.Name, true, false, false))
	dm.AddFieldMappingsAt(dateField, field("text", keyword.Name, true, false, true))
	dm.AddFieldMappingsAt(titleField, field("text", keyword.Name, false, true, false))
	dm.AddFieldMappingsAt(whenField, field("text", keyword.Name, false, true, false))
	dm.AddFieldMappingsAt(textField, field("text", keyword.Name, false, true, false))
	for _, l := range languages {
		dm.AddFieldMappingsAt(headField+l.key, field("text", indexAnalyzerName(l.key), true, false, false))
		dm.AddFieldMappingsAt(bodyField+l.key, field("text", indexAnalyzerName(l.key), true, false, false))
	}
	m.DefaultMapping = dm
	return m
}

// entry is what the index keeps in memory about each article: enough to
// tell whether it changed, to choose the analyses a query needs, and to
// break ties between equally relevant results.
type entry struct {
	fp   uint64
	date int64  // Unix seconds
	lang string // analysis key (one of the strings in languages)
}

// prepared is a Doc turned into what bleve indexes.
type prepared struct {
	path  string
	entry entry
	doc   map[string]any
}

// entryOf returns d's entry: cheap, so that Sync can skip unchanged
// articles before preparing anything.
func entryOf(d *Doc) entry {
	return entry{fp: fingerprint(d), date: d.Date.Unix(), lang: languageByKey[langKey(d.Lang)].key}
}

// prepare turns d, whose entry is e, into a bleve document.
func prepare(d *Doc, e entry) prepared {
	key := e.lang
	body := d.Body
	if body == nil && d.LoadBody != nil {
		body, _ = d.LoadBody()
	}
	text := plainText(body)
	if s := oneLine(d.Summary); s != "" && !strings.Contains(text, s) {
		text = s + "\n" + text
	}
	var head strings.Builder
	head.WriteString(oneLine(d.Title))
	var tags []string
	for _, t := range d.Tags[:min(len(d.Tags), maxTags)] {
		head.WriteString("\n" + oneLine(t.Name))
		tags = appendNew(tags, tagKey(t.Slug), tagKey(t.Name))
	}
	doc := map[string]any{
		pathField:       d.Path,
		fpField:         strconv.FormatUint(e.fp, 16),
		langField:       key,
		langTagField:    langTags(d.Lang),
		tagField:        tags,
		dateField:       encodeDate(e.date),
		titleField:      d.Title,
		whenField:       d.Date.Format("2006-01-02T15:04:05.999999999Z07:00"),
		textField:       text,
		headField + key: head.String(),
		bodyField + key: text,
	}
	return prepared{path: d.Path, entry: e, doc: doc}
}

// dateBias makes every Unix time of encodeDate positive.
const dateBias = 1 << 62

// encodeDate writes Unix seconds as 16 hexadecimal digits, so that text
// order is time order. A numeric field would do, but bleve keeps sixteen
// terms per number in its doc values, which a sort by date then
// decompresses for every matching article.
func encodeDate(unix int64) string {
	return fmt.Sprintf("%016x", uint64(unix)+dateBias)
}

// decodeDate reads what encodeDate wrote.
func decodeDate(term []byte) (int64, error) {
	u, err := strconv.ParseUint(string(term), 16, 64)
	return int64(u - dateBias), err
}

// oneLine returns s with white space and control characters collapsed
// into single spaces, at most 1 KiB of it: titles, summaries and tag names
// are short, and a hostile one must not cost more than a body.
func oneLine(s string) string {
	var b strings.Builder
	writeCollapsed(&b, s, false, 1<<10)
	return b.String()
}

// appendNew appends the values of vs that are not empty and not in list.
func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// tagKey is the form in which tags are indexed and tag:x filters look
// them up: folded, with every run of characters other than letters, digits
// and marks one hyphen, so that "Small Web", "small-web" and "SMALL_WEB"
// are one key.
func tagKey(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// langTags returns the lower-case tag and its prefixes ("zh-hant-tw",
// "zh-hant", "zh"), which lang:xx filters match.
func langTags(tag string) []string {
	tag = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	var tags []string
	for tag != "" {
		tags = append(tags, tag)
		i := strings.LastIndexByte(tag, '-')
		if i < 0 {
			break
		}
		tag = tag[:i]
	}
	return tags
}

// fingerprint sums up everything about d that the index depends on: a
// change in any field changes it (with the odds of a 64-bit hash). The
// caller's Fingerprint stands for Body when it is set.
func fingerprint(d *Doc) uint64 {
	h := fnv.New64a()
	var n [8]byte
	str := func(s string) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	num := func(i int64) {
		binary.LittleEndian.PutUint64(n[:], uint64(i))
		h.Write(n[:])
	}
	str(d.Path)
	str(d.Title)
	num(d.Date.UnixNano())
	_, off := d.Date.Zone()
	num(int64(off))
	num(d.Updated.UnixNano())
	str(d.Lang)
	num(int64(len(d.Tags)))
	for _, t := range d.Tags {
		str(t.Slug)
		str(t.Name)
	}
	str(d.Summary)
	if d.Fingerprint != "" {
		str("fingerprint")
		str(d.Fingerprint)
	} else {
		str("body")
		binary.LittleEndian.PutUint64(n[:], uint64(len(d.Body)))
		h.Write(n[:])
		h.Write(d.Body)
	}
	return h.Sum64()
}
