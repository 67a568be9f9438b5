package site

import (
	"maps"
	"slices"
	"sort"
	"time"

	"broadside/internal/capsule"
)

// maxDelta bounds the documents an Update changes in place; past it, a
// Build costs less than that many moves in the sorted lists.
const maxDelta = 256

// Update makes the site of snap at time now, with prev's options, as Build
// does, when snap was made from prev's snapshot by capsule.Update (an
// edit): instead of sorting and grouping every article again, it takes
// prev's lists and indexes and changes them where the documents that left
// and came are (capsule.Snapshot.Delta), so that an edit costs about the
// same on 100,000 articles as on 100. It falls back to Build when the
// snapshot is not such a successor, when many documents changed, or when
// a scheduled article fell due between prev's time and now.
func Update(prev *Site, snap *capsule.Snapshot, now time.Time) *Site {
	gone, come, ok := snap.Delta(prev.snap)
	if !ok || len(gone)+len(come) > maxDelta || now.Before(prev.Built) ||
		(!prev.NextChange.IsZero() && !now.Before(prev.NextChange)) {
		return Build(snap, prev.opts, now)
	}
	s := &Site{
		opts:       prev.opts,
		snap:       snap,
		docs:       maps.Clone(prev.docs),
		folders:    maps.Clone(prev.folders),
		aliases:    maps.Clone(prev.aliases),
		redirects:  prev.redirects,
		rules:      prev.rules,
		gone:       prev.gone,
		cache:      prev.cache,
		loc:        prev.loc,
		Built:      now,
		NextChange: prev.NextChange,
		Articles:   slices.Clone(prev.Articles),
	}
	left := map[*capsule.Doc]bool{}
	var listed []*capsule.Doc // newly listed, newest first
	years := map[int]bool{}
	slugs := map[string]bool{}
	touch := func(d *capsule.Doc) {
		years[d.Date.In(s.opts.Location).Year()] = true
		for _, t := range d.Tags {
			slugs[t.Slug] = true
		}
	}
	recount := false
	for _, d := range gone {
		s.removeDoc(d)
		if i, ok := s.position(d); ok {
			s.Articles = slices.Delete(s.Articles, i, i+1)
			left[d] = true
			touch(d)
		}
		recount = recount || (prev.scheduled(d) && d.Date.Equal(prev.NextChange))
	}
	for _, d := range come {
		if s.visible(d) {
			s.addDoc(d)
		}
		if s.listed(d) {
			i, _ := slices.BinarySearchFunc(s.Articles, d, newestFirst)
			s.Articles = slices.Insert(s.Articles, i, d)
			listed = append(listed, d)
			touch(d)
		}
		if s.scheduled(d) && (s.NextChange.IsZero() || d.Date.Before(s.NextChange)) {
			s.NextChange = d.Date
		}
	}
	if recount {
		// The article due next was removed: find the next one.
		s.NextChange = time.Time{}
		for _, d := range snap.Docs {
			if s.scheduled(d) && (s.NextChange.IsZero() || d.Date.Before(s.NextChange)) {
				s.NextChange = d.Date
			}
		}
	}
	slices.SortFunc(listed, newestFirst)
	s.updateTags(prev, slugs, left, listed)
	s.updateYears(prev, years)
	s.finish()
	return s
}

// updateTags makes the tags whose slugs are given again, from prev's
// lists without the articles that left and with those newly listed
// (newest first), and shares prev's other tags.
func (s *Site) updateTags(prev *Site, slugs map[string]bool, left map[*capsule.Doc]bool, listed []*capsule.Doc) {
	if len(slugs) == 0 {
		s.Tags, s.tagIndex, s.legacyTags = prev.Tags, prev.tagIndex, prev.legacyTags
		return
	}
	s.tagIndex = maps.Clone(prev.tagIndex)
	for slug := range slugs {
		var list []*capsule.Doc
		if old := prev.tagIndex[slug]; old != nil {
			list = make([]*capsule.Doc, 0, len(old.Articles)+1)
			for _, d := range old.Articles {
				if !left[d] {
					list = append(list, d)
				}
			}
		}
		for _, d := range listed {
			if hasTag(d, slug) {
				i, _ := slices.BinarySearchFunc(list, d, newestFirst)
				list = slices.Insert(list, i, d)
			}
		}
		if len(list) == 0 {
			delete(s.tagIndex, slug)
			continue
		}
		s.tagIndex[slug] = tagInfo(slug, list)
	}
	s.Tags = slices.Collect(maps.Values(s.tagIndex))
	sortTags(s.Tags)
	s.legacyTags = legacyTagSlugs(s.Tags)
}

// tagInfo is the tag slug of articles, newest first, as collectTags makes
// it: named with the spelling most of them use.
func tagInfo(slug string, articles []*capsule.Doc) *TagInfo {
	var ti *TagInfo
	counts := map[string]int{}
	for _, d := range articles {
		for _, t := range d.Tags {
			if t.Slug != slug {
				continue
			}
			if ti == nil {
				ti = &TagInfo{Tag: t, Articles: articles}
			}
			respell(ti, counts, t.Name)
		}
	}
	return ti
}

func hasTag(d *capsule.Doc, slug string) bool {
	for _, t := range d.Tags {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

// updateYears makes the years given again from the site's articles, and
// shares prev's others.
func (s *Site) updateYears(prev *Site, years map[int]bool) {
	if len(years) == 0 {
		s.years, s.yearIndex = prev.years, prev.yearIndex
		return
	}
	s.yearIndex = maps.Clone(prev.yearIndex)
	year := func(i int) int { return s.Articles[i].Date.In(s.opts.Location).Year() }
	for y := range years {
		// Articles is newest first: a year is the run between the first
		// article of that year or older and the first older one.
		lo := sort.Search(len(s.Articles), func(i int) bool { return year(i) <= y })
		hi := sort.Search(len(s.Articles), func(i int) bool { return year(i) < y })
		if lo < hi {
			s.yearIndex[y] = &YearInfo{Year: y, Articles: s.Articles[lo:hi:hi]}
		} else {
			delete(s.yearIndex, y)
		}
	}
	s.years = slices.SortedFunc(maps.Values(s.yearIndex), func(a, b *YearInfo) int { return b.Year - a.Year })
}
