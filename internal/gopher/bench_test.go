package gopher

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
)

// benchArticle returns about 15 KB of gemtext built from the golden article.
func benchArticle(b *testing.B) []byte {
	src, err := os.ReadFile("testdata/article.gmi")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for buf.Len() < 15<<10 {
		buf.Write(src)
	}
	return buf.Bytes()
}

func BenchmarkTextView(b *testing.B) {
	src := benchArticle(b)
	opt := articleOptions()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := TextView(io.Discard, src, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMenuView(b *testing.B) {
	src := benchArticle(b)
	opt := articleOptions()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := MenuView(io.Discard, src, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServeConnPipe(b *testing.B) {
	s := &Server{Handler: testHandler(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	req := []byte("/posts/a.txt\r\n")
	b.ReportAllocs()
	for b.Loop() {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			s.ServeConn(context.Background(), server)
			close(done)
		}()
		if _, err := client.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, client); err != nil {
			b.Fatal(err)
		}
		client.Close()
		<-done
	}
}

// BenchmarkCopyText converts a 1 MB text of 70-column lines, with
// WriteText over the same bytes as the baseline.
func BenchmarkCopyText(b *testing.B) {
	text := bytes.Repeat([]byte(strings.Repeat("word ", 14)+"\n"), 1<<20/71)
	b.Run("CopyText", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			CopyText(io.Discard, bytes.NewReader(text))
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			referenceWriteText(io.Discard, text)
		}
	})
}
