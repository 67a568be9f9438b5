package diag

import "strconv"

// Group is a run of problems of one kind as Aggregate returns them: the
// first few, and how many more of that kind there were.
type Group[T any] struct {
	Items []T
	More  int
}

// MoreText is the line that stands for the problems left out, such as
// "and 511 more like this", or "" when none were.
func (g Group[T]) MoreText() string {
	if g.More == 0 {
		return ""
	}
	return "and " + strconv.Itoa(g.More) + " more like this"
}

// Aggregate groups items by kind, in the order in which each kind first
// appears, keeping the first keep items of each kind (at least one) and
// counting the rest, so that a log says "and 511 more like this" rather
// than repeating one line per named pipe. kind names an item's kind; Kind
// does it for a Diagnostic.
func Aggregate[T any](items []T, kind func(T) string, keep int) []Group[T] {
	keep = max(keep, 1)
	var groups []Group[T]
	index := map[string]int{}
	for _, it := range items {
		k := kind(it)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, Group[T]{})
		}
		if len(groups[i].Items) < keep {
			groups[i].Items = append(groups[i].Items, it)
		} else {
			groups[i].More++
		}
	}
	return groups
}

// Kind is the kind of a Diagnostic for Aggregate: its severity and code,
// or its message when it has no code.
func Kind(d Diagnostic) string {
	if d.Code != "" {
		return d.Severity.String() + " " + d.Code
	}
	return d.Severity.String() + " " + d.Message
}
