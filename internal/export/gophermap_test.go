package export

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"broadside/internal/gopher"
)

func TestGophermap(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	tests := []struct {
		name, menu, want string
		changed          bool
	}{
		{"live menu unchanged",
			"iTitle\t\terror.host\t1\r\n0Article\t/posts/a.gmi\tlocalhost\t7070\r\n1Tags\t/tags/\tlocalhost\t7070\r\n.\r\n",
			"iTitle\t\terror.host\t1\r\n0Article\t/posts/a.gmi\tlocalhost\t7070\r\n1Tags\t/tags/\tlocalhost\t7070\r\n.\r\n", false},
		{"display that looks like a directive is fine after its type",
			"i=rm -rf /\t\terror.host\t1\r\n0#hash\t/x\th\t70\r\n.\r\n",
			"i=rm -rf /\t\terror.host\t1\r\n0#hash\t/x\th\t70\r\n.\r\n", false},
		{"run a command", "=touch /tmp/x;\tsel\tevil.example\t70\r\n.\r\n", "itouch /tmp/x;\tsel\tevil.example\t70\r\n.\r\n", true},
		{"stop and list", "*x\tsel\th\t70\r\n0after\t/a\th\t70\r\n.\r\n", "ix\tsel\th\t70\r\n0after\t/a\th\t70\r\n.\r\n", true},
		{"stop", ".dot\tsel\th\t70\r\n.\r\n", "idot\tsel\th\t70\r\n.\r\n", true},
		{"comment", "#c\tsel\th\t70\r\n.\r\n", "ic\tsel\th\t70\r\n.\r\n", true},
		{"title", "!t\tsel\th\t70\r\n.\r\n", "it\tsel\th\t70\r\n.\r\n", true},
		{"hide, map type, users, hosts", "-a\ts\th\t1\r\n:b\ts\th\t1\r\n~c\ts\th\t1\r\n%d\ts\th\t1\r\n.\r\n",
			"ia\ts\th\t1\r\nib\ts\th\t1\r\nic\ts\th\t1\r\nid\ts\th\t1\r\n.\r\n", true},
		{"empty selector of a link", "1Other server\t\tgopher.example\t70\r\n.\r\n", "1Other server\t/\tgopher.example\t70\r\n.\r\n", false},
		{"empty selector of an error", "3Oops\t\terror.host\t1\r\n.\r\n", "3Oops\t\terror.host\t1\r\n.\r\n", false},
		{"long display cut on a rune", "0" + long + "\t/a\th\t70\r\n.\r\n", "0" + long[:1000-len("0\t/a\th\t70")-(1000-len("0\t/a\th\t70"))%2] + "\t/a\th\t70\r\n.\r\n", true},
		{"long selector", "hLink\tURL:https://x/" + strings.Repeat("a", 1200) + "\th\t70\r\n.\r\n", "iLink\t\terror.host\t1\r\n.\r\n", true},
		{"not an item", "just text\r\n.\r\n", "ijust text\t\terror.host\t1\r\n.\r\n", true},
		{"leading tab", "\tx\ty\r\n.\r\n", "i x y\t\terror.host\t1\r\n.\r\n", true},
		{"empty line", "\r\n.\r\n", "i\t\terror.host\t1\r\n.\r\n", true},
		{"nothing after the end", "0a\t/a\th\t70\r\n.\r\n=evil\ts\th\t70\r\n", "0a\t/a\th\t70\r\n.\r\n", false},
		{"end added", "0a\t/a\th\t70\r\n", "0a\t/a\th\t70\r\n.\r\n", false},
		{"bare LF", "0a\t/a\th\t70\n.\n", "0a\t/a\th\t70\r\n.\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changes := Gophermap([]byte(tt.menu))
			if string(got) != tt.want {
				t.Errorf("Gophermap(%q)\n got %q\nwant %q", short(tt.menu), short(string(got)), short(tt.want))
			}
			if (len(changes) > 0) != tt.changed {
				t.Errorf("changes = %q, want changed=%v", changes, tt.changed)
			}
		})
	}
}

// FuzzGophermap builds menus from arbitrary items the way the live server
// writes them, plus arbitrary raw text, and checks what gophernicus would
// do with the map: obey no directive, read every line whole, and send
// one item per menu line, the same item wherever no change was reported.
func FuzzGophermap(f *testing.F) {
	f.Add(byte('0'), "Article", "/posts/a.gmi", "localhost", 7070, "")
	f.Add(byte('='), "touch /tmp/x;", "x", "evil.example", 70, "")
	f.Add(byte('1'), strings.Repeat("\u0301", 900), "", "gopher.example", 70, "=raw\r\n*\n")
	f.Add(byte('h'), "long", "URL:https://x/"+strings.Repeat("a", 1100), "h", 1, ".\r\n")
	f.Fuzz(func(t *testing.T, typ byte, display, selector, host string, port int, raw string) {
		m := gopher.Menu{Host: "localhost", Port: 7070}
		m.Info(display)
		m.Add(gopher.Item{Type: typ, Display: display, Selector: selector, Host: host, Port: port})
		m.Link('1', display, selector)
		var menu bytes.Buffer
		if _, err := m.WriteTo(&menu); err != nil {
			menu.Reset() // an item the live server would refuse: try raw alone
		}
		input := append(bytes.Clone(bytes.TrimSuffix(menu.Bytes(), []byte(".\r\n"))), raw...)
		got, changes := Gophermap(input)

		if !bytes.HasSuffix(got, []byte("\r\n.\r\n")) && string(got) != ".\r\n" {
			t.Fatalf("gophermap does not end with a \".\" line: %q", got)
		}
		if utf8.Valid(input) && !utf8.Valid(got) {
			t.Fatalf("valid UTF-8 in, invalid out: %q", got)
		}
		lines := strings.Split(strings.TrimSuffix(string(got), "\r\n"), "\r\n")
		for _, l := range lines {
			if len(l) > MaxGophermapLine {
				t.Fatalf("line of %d bytes", len(l))
			}
			if strings.ContainsAny(l, "\r\n") {
				t.Fatalf("line with CR or LF: %q", l)
			}
		}
		items, directives := gophernicusMenu(got, "/", "localhost", 7070)
		if len(directives) > 0 {
			t.Fatalf("gophernicus would obey %q in %q", directives, got)
		}
		if len(items) != len(lines)-1 {
			t.Fatalf("%d lines but gophernicus sends %d items", len(lines)-1, len(items))
		}
		again, more := Gophermap(got)
		if !bytes.Equal(again, got) || len(more) > 0 {
			t.Fatalf("not idempotent: %q -> %q (%q)", got, again, more)
		}
		if len(changes) == 0 && menu.Len() > 0 && raw == "" {
			// No change reported: gophernicus sends the live items.
			want := parseMenu(t, menu.Bytes())
			for i, w := range want {
				if w.Selector == "" {
					switch w.Type {
					case 'i', '3':
						w.Selector = w.Display // filled by gophernicus, ignored by clients
					default:
						w.Selector = "/"
					}
				}
				if items[i] != w {
					t.Fatalf("item %d: gophernicus sends %v, live menu has %v", i+1, items[i], w)
				}
			}
		}
	})
}
