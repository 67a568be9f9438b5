// Command scale measures what issue 11 asks of a running Broadside on a
// large capsule: how soon it serves its index after starting, how long an
// edit takes to show, and a crawl of random articles (for the memory it
// leaves behind). bench/run.sh drives it; it talks to loopback only and
// every subcommand stops by itself.
//
//	scale ready -addr 127.0.0.1:1965 -since UNIX_NANOS [-want TEXT] [-path /]
//	scale crawl -addr 127.0.0.1:1965 -capsule DIR -n 3000 [-c 4]
//	scale edit  -addr 127.0.0.1:1965 -capsule DIR [-n 5]
//	scale paths -capsule DIR -n 1         # served paths of random articles
//
// Output lines are key=value, for scripts.
package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: scale ready|crawl|edit|paths [flags]")
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1965", "server address (loopback only)")
	host := fs.String("host", "localhost", "host name in request URLs and SNI")
	since := fs.Int64("since", 0, "start time of the server, Unix nanoseconds (ready)")
	want := fs.String("want", "", "text the page must hold (ready)")
	path := fs.String("path", "/", "path to request (ready)")
	timeout := fs.Duration("timeout", 300*time.Second, "give up after this long")
	capsule := fs.String("capsule", "", "capsule folder (crawl, edit, paths)")
	n := fs.Int("n", 3000, "requests (crawl), edits (edit) or paths (paths)")
	conc := fs.Int("c", 4, "concurrent requests (crawl)")
	seed := fs.Uint64("seed", 1, "random seed (crawl, paths)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if h, _, err := net.SplitHostPort(*addr); err != nil || !isLoopback(h) {
		fmt.Fprintf(os.Stderr, "scale: -addr %q is not a loopback address\n", *addr)
		return 2
	}
	c := client{addr: *addr, host: *host}
	if _, port, _ := net.SplitHostPort(*addr); port != "1965" {
		c.authority = net.JoinHostPort(*host, port)
	} else {
		c.authority = *host
	}
	var err error
	switch args[0] {
	case "ready":
		err = ready(c, *path, *want, *since, *timeout)
	case "crawl":
		err = crawl(c, *capsule, *n, *conc, *seed, *timeout)
	case "edit":
		err = edit(c, *capsule, *n, *timeout)
	case "paths":
		var ps []string
		if ps, err = articles(*capsule); err == nil {
			r := rand.New(rand.NewPCG(*seed, 3))
			for range *n {
				fmt.Println(ps[r.IntN(len(ps))])
			}
		}
	default:
		err = fmt.Errorf("unknown subcommand %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		return 1
	}
	return 0
}

func isLoopback(h string) bool {
	ip := net.ParseIP(h)
	return h == "localhost" || (ip != nil && ip.IsLoopback())
}

// client fetches pages over Gemini: it dials addr, sends SNI host and asks
// for gemini://authority/path (the port is part of it unless it is 1965).
type client struct{ addr, host, authority string }

// get fetches path over Gemini and returns the status line and body.
func (c client) get(path string) (string, string, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(&d, "tcp", c.addr, &tls.Config{ServerName: c.host, InsecureSkipVerify: true})
	if err != nil {
		return "", "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, "gemini://"+c.authority+path+"\r\n"); err != nil {
		return "", "", err
	}
	r := bufio.NewReader(io.LimitReader(conn, 64<<20))
	header, err := r.ReadString('\n')
	if err != nil {
		return "", "", err
	}
	body, err := io.ReadAll(r)
	return strings.TrimRight(header, "\r\n"), string(body), err
}

// ready polls path until it answers 20 (with want in its body), and prints
// the time since the server started.
func ready(c client, path, want string, since int64, timeout time.Duration) error {
	start := time.Now()
	if since == 0 {
		since = start.UnixNano()
	}
	for time.Since(start) < timeout {
		h, body, err := c.get(path)
		if err == nil && strings.HasPrefix(h, "20") && strings.Contains(body, want) {
			fmt.Printf("ready_ms=%.0f\n", float64(time.Now().UnixNano()-since)/1e6)
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v", path, timeout)
}

// articles lists the served paths of the Markdown articles under dir.
func articles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !d.IsDir() && strings.HasPrefix(rel, "posts/") && strings.HasSuffix(rel, ".md") {
			out = append(out, "/"+strings.TrimSuffix(rel, ".md")+".gmi")
		}
		return nil
	})
	if len(out) == 0 && err == nil {
		err = errors.New("no articles under posts/")
	}
	slices.Sort(out)
	return out, err
}

// crawl requests n random articles, conc at a time.
func crawl(c client, dir string, n, conc int, seed uint64, timeout time.Duration) error {
	paths, err := articles(dir)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 3))
	todo := make(chan string, n)
	for range n {
		todo <- paths[r.IntN(len(paths))]
	}
	close(todo)
	var ok, failed atomic.Int64
	var bytes atomic.Int64
	deadline := time.Now().Add(timeout)
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for p := range todo {
				if time.Now().After(deadline) {
					failed.Add(1)
					continue
				}
				h, body, err := c.get(p)
				if err != nil || !strings.HasPrefix(h, "20") {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				bytes.Add(int64(len(body)))
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("crawled=%d ok=%d failed=%d secs=%.1f req_s=%.0f mb=%.1f\n", n, ok.Load(), failed.Load(), el.Seconds(),
		float64(ok.Load())/el.Seconds(), float64(bytes.Load())/1e6)
	if failed.Load() > 0 {
		return fmt.Errorf("%d requests failed", failed.Load())
	}
	return nil
}

// edit writes n new articles dated now, one at a time, and measures how
// long each takes to show on the index; then removes them and measures
// how long each takes to leave it.
func edit(c client, dir string, n int, timeout time.Duration) error {
	var shown, gone []time.Duration
	for i := range n {
		title := fmt.Sprintf("Edit probe %d %d", i, time.Now().UnixNano())
		name := filepath.Join(dir, "posts", fmt.Sprintf("zz-edit-probe-%d.md", i))
		src := fmt.Sprintf("---\ntitle: %q\ndate: %s\ntags: [probe]\n---\n\nWritten to measure how soon an edit shows.\n",
			title, time.Now().UTC().Add(-time.Second).Format(time.RFC3339))
		d, err := until(c, timeout, func() error { return os.WriteFile(name, []byte(src), 0o644) },
			func(body string) bool { return strings.Contains(body, title) })
		if err != nil {
			return err
		}
		shown = append(shown, d)
		d, err = until(c, timeout, func() error { return os.Remove(name) },
			func(body string) bool { return !strings.Contains(body, title) })
		if err != nil {
			return err
		}
		gone = append(gone, d)
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("edits=%d shown_ms_median=%.0f shown_ms_max=%.0f removed_ms_median=%.0f removed_ms_max=%.0f\n",
		n, ms(median(shown)), ms(slices.Max(shown)), ms(median(gone)), ms(slices.Max(gone)))
	return nil
}

// until runs change, then polls the index until seen holds for it.
func until(c client, timeout time.Duration, change func() error, seen func(string) bool) (time.Duration, error) {
	start := time.Now()
	if err := change(); err != nil {
		return 0, err
	}
	for time.Since(start) < timeout {
		h, body, err := c.get("/")
		if err == nil && strings.HasPrefix(h, "20") && seen(body) {
			return time.Since(start), nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, fmt.Errorf("edit not seen on the index within %v", timeout)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
