package frontmatter

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// zonedLayouts carry their own offset; localLayouts are read in the site's zone.
// Parsing accepts fractional seconds after the seconds field even when the
// layout does not show them.
var (
	zonedLayouts = []string{
		time.RFC3339,
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 -07:00",
		"2006-01-02T15:04:05 -0700",
	}
	localLayouts = []string{
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2006-01-02",
	}
)

// errBadDate is wrapped by every ParseDate failure.
var errBadDate = errors.New("write it as 2006-01-02, 2006-01-02T15:04[:05], 2006-01-02 15:04:05 -0700 or RFC 3339 (2006-01-02T15:04:05+01:00)")

// ParseDate reads a front-matter date. It accepts RFC 3339
// (2006-01-02T15:04:05Z07:00, fractional seconds allowed),
// "2006-01-02 15:04:05 -0700" (Jekyll), "2006-01-02 15:04:05+07:00",
// "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04",
// "2006-01-02 15:04" and "2006-01-02". A lower-case "t" or "z" (allowed by
// RFC 3339 and YAML) is accepted. A date without a zone is in loc; nil loc
// means UTC. Surrounding white space is ignored.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	v := strings.TrimSpace(s)
	if len(v) > 10 && v[10] == 't' {
		v = v[:10] + "T" + v[11:]
	}
	if strings.HasSuffix(v, "z") {
		v = v[:len(v)-1] + "Z"
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date: %w", s, errBadDate)
}
