package frontmatter

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		want string // RFC 3339 with offset, "" for an error
	}{
		{"rfc3339 utc", "2022-01-07T10:20:30Z", paris, "2022-01-07T10:20:30Z"},
		{"rfc3339 offset", "2022-01-07T10:20:30+02:00", nil, "2022-01-07T10:20:30+02:00"},
		{"rfc3339 fraction", "2022-01-07T10:20:30.5-05:00", nil, "2022-01-07T10:20:30.5-05:00"},
		{"rfc3339 lower case t and z", "2022-01-07t10:20:30z", nil, "2022-01-07T10:20:30Z"},
		{"jekyll", "2022-01-07 10:20:30 -0500", paris, "2022-01-07T10:20:30-05:00"},
		{"space offset with colon", "2022-01-07 10:20:30 -05:00", nil, "2022-01-07T10:20:30-05:00"},
		{"space then glued offset", "2022-01-07 10:20:30+01:00", nil, "2022-01-07T10:20:30+01:00"},
		{"datetime without zone in loc", "2022-01-07 10:20:30", paris, "2022-01-07T10:20:30+01:00"},
		{"T datetime without zone in loc", "2022-01-07T10:20:30", paris, "2022-01-07T10:20:30+01:00"},
		{"T minutes without zone", "2022-07-07T10:20", paris, "2022-07-07T10:20:00+02:00"},
		{"space minutes without zone", "2022-07-07 10:20", nil, "2022-07-07T10:20:00Z"},
		{"date only in loc", "2022-01-07", paris, "2022-01-07T00:00:00+01:00"},
		{"date only nil loc is utc", "2022-01-07", nil, "2022-01-07T00:00:00Z"},
		{"surrounding space", "  2022-01-07\t", nil, "2022-01-07T00:00:00Z"},
		{"word", "yesterday", nil, ""},
		{"empty", "", nil, ""},
		{"impossible day", "2022-02-30", nil, ""},
		{"us order", "01/07/2022", nil, ""},
		{"trailing junk", "2022-01-07 nope", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in, tt.loc)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tt.in, got)
				}
				if !errors.Is(err, errBadDate) {
					t.Errorf("error %v does not wrap errBadDate", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if s := got.Format(time.RFC3339Nano); s != tt.want {
				t.Errorf("ParseDate(%q) = %s, want %s", tt.in, s, tt.want)
			}
		})
	}
}
