package config

import "testing"

func BenchmarkParseExample(b *testing.B) {
	for b.Loop() {
		if _, err := Parse([]byte(Example), siteFile); err != nil {
			b.Fatal(err)
		}
	}
}
