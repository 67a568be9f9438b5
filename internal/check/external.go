package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	gemini "git.sr.ht/~adnano/go-gemini"

	"broadside/internal/capsule"
	"broadside/internal/diag"
)

// Codes of external link problems.
const (
	CodeExternalFailed      = "link/external-failed"      // a 5x answer: not found, gone, refused
	CodeExternalTemporary   = "link/external-temporary"   // a 4x answer: try again later
	CodeExternalUnreachable = "link/external-unreachable" // no answer: the host cannot be reached
)

// ExternalOptions tunes External. Zero values get the defaults.
type ExternalOptions struct {
	Timeout      time.Duration // for each request, redirects included; default 10 s
	Concurrency  int           // requests at once, one per host at a time; default 8
	MaxRedirects int           // redirects followed from one link; default 5
	// Dial replaces the network dialer (tests); nil dials with net.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// ExternalSummary counts what External found, by distinct URL.
type ExternalSummary struct {
	URLs        int      // distinct gemini:// URLs tried
	Failed      int      // 5x answers (and redirect loops)
	Temporary   int      // 4x answers
	Unreachable int      // no answer
	Hosts       []string // hosts that could not be reached, sorted
}

// String sums the results up in one line.
func (s ExternalSummary) String() string {
	msg := fmt.Sprintf("external links: %d checked, %d fine, %d failed (5x), %d temporary failures (4x), %d unreachable",
		s.URLs, s.URLs-s.Failed-s.Temporary-s.Unreachable, s.Failed, s.Temporary, s.Unreachable)
	if len(s.Hosts) > 0 {
		msg += " (" + strings.Join(s.Hosts, ", ") + ")"
	}
	return msg
}

// result is what one URL answered.
type result struct {
	code, msg string // "" code: fine
	host      string // set when the host could not be reached
}

// External requests every distinct gemini:// URL the documents link to,
// with go-gemini's client (certificates are not verified: Gemini trusts
// on first use), following redirects, and reports the links whose URL
// fails: a 5x answer is an error, a 4x answer or an unreachable host a
// warning, at every place the URL is written. At most Concurrency
// requests run at once and a host gets one at a time; once a host cannot
// be reached its other URLs are not tried. ctx bounds the whole run.
func External(ctx context.Context, docs []*capsule.Doc, opts ExternalOptions) ([]diag.Diagnostic, ExternalSummary) {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 5
	}
	type place struct {
		doc  *capsule.Doc
		link capsule.Link
	}
	places := map[string][]place{}
	var urls []string
	for _, d := range docs {
		for _, l := range d.Links {
			if !strings.HasPrefix(strings.ToLower(l.Target), "gemini://") {
				continue
			}
			u, _, _ := strings.Cut(l.Target, "#")
			if places[u] == nil {
				urls = append(urls, u)
			}
			places[u] = append(places[u], place{d, l})
		}
	}
	if opts.Dial == nil {
		opts.Dial = (&net.Dialer{}).DialContext
	}
	c := &checker{opts: opts, hosts: map[string]*hostState{}}
	results := make([]result, len(urls))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = result{code: CodeExternalUnreachable, msg: "not checked: " + ctx.Err().Error()}
				return
			}
			defer func() { <-sem }()
			results[i] = c.check(ctx, u)
		})
	}
	wg.Wait()

	var sum ExternalSummary
	var out []diag.Diagnostic
	down := map[string]bool{}
	for i, u := range urls {
		sum.URLs++
		r := results[i]
		sev := diag.Warning
		switch r.code {
		case "":
			continue
		case CodeExternalFailed:
			sum.Failed++
			sev = diag.Error
		case CodeExternalTemporary:
			sum.Temporary++
		case CodeExternalUnreachable:
			sum.Unreachable++
			if r.host != "" && !down[r.host] {
				down[r.host] = true
				sum.Hosts = append(sum.Hosts, r.host)
			}
		}
		for _, p := range places[u] {
			out = append(out, diag.Diagnostic{File: p.doc.Source, Line: p.link.Line, Col: p.link.Col, Severity: sev, Code: r.code,
				Message: fmt.Sprintf("link %s: %s", u, r.msg)})
		}
	}
	slices.Sort(sum.Hosts)
	diag.Sort(out)
	return out, sum
}

// clean makes a server's META safe to print: another capsule's answer must
// not put escape sequences on the author's terminal or flood it.
func clean(meta string) string {
	const max = 200
	meta = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(meta, "\uFFFD"))
	if r := []rune(meta); len(r) > max {
		meta = string(r[:max]) + "…"
	}
	return meta
}

// checker holds what requests share: each host's lock and reachability.
type checker struct {
	opts  ExternalOptions
	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	sync.Mutex
	err error // set once the host could not be reached
}

func (c *checker) host(h string) *hostState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.hosts[h]
	if st == nil {
		st = &hostState{}
		c.hosts[h] = st
	}
	return st
}

// check requests u and follows its redirects.
func (c *checker) check(ctx context.Context, u string) result {
	seen := map[string]bool{}
	cur := u
	for hop := 0; ; hop++ {
		if seen[cur] {
			return result{code: CodeExternalFailed, msg: "redirects in a loop"}
		}
		seen[cur] = true
		if hop > c.opts.MaxRedirects {
			return result{code: CodeExternalFailed, msg: fmt.Sprintf("more than %d redirects", c.opts.MaxRedirects)}
		}
		parsed, err := url.Parse(cur)
		if err != nil || parsed.Host == "" {
			return result{code: CodeExternalFailed, msg: "not a valid URL"}
		}
		status, meta, err := c.request(ctx, parsed)
		var de *dialError
		switch {
		case errors.Is(err, errNotGemini):
			return result{code: CodeExternalFailed, msg: err.Error()}
		case errors.As(err, &de):
			return result{code: CodeExternalUnreachable, msg: err.Error(), host: parsed.Host}
		case err != nil:
			return result{code: CodeExternalUnreachable, msg: err.Error()}
		}
		switch status.Class() {
		case gemini.StatusRedirect:
			next, err := parsed.Parse(meta)
			if err != nil {
				return result{code: CodeExternalFailed, msg: fmt.Sprintf("redirects to %q, not a URL", clean(meta))}
			}
			if !strings.EqualFold(next.Scheme, "gemini") {
				return result{} // leaves Gemini: not ours to check
			}
			cur = next.String()
		case gemini.StatusTemporaryFailure:
			return result{code: CodeExternalTemporary, msg: fmt.Sprintf("answers %d %s", status, clean(meta))}
		case gemini.StatusPermanentFailure:
			return result{code: CodeExternalFailed, msg: fmt.Sprintf("answers %d %s", status, clean(meta))}
		default:
			return result{} // success, input, or a certificate request: the page exists
		}
	}
}

// errNotGemini is a malformed answer: the host is there, the page is not.
var errNotGemini = errors.New("the answer is not a Gemini response")

// dialError is a failure to reach a host at all: its other URLs are not
// tried. A slow page or a TLS failure concerns one URL only.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// request sends one request, one at a time per host, unless the host is
// already known to be unreachable.
func (c *checker) request(ctx context.Context, u *url.URL) (gemini.Status, string, error) {
	st := c.host(strings.ToLower(u.Host))
	st.Lock()
	defer st.Unlock()
	if st.err != nil {
		return 0, "", st.err
	}
	rctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	client := &gemini.Client{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := c.opts.Dial(ctx, network, addr)
		if err != nil {
			st.err = &dialError{err}
		}
		return conn, err
	}}
	resp, err := client.Get(rctx, u.String())
	switch {
	case err == nil:
		resp.Body.Close()
		return resp.Status, resp.Meta, nil
	case st.err != nil:
		return 0, "", st.err
	case errors.Is(err, gemini.ErrInvalidResponse):
		return 0, "", errNotGemini
	case errors.Is(err, context.DeadlineExceeded):
		return 0, "", fmt.Errorf("no answer within %v", c.opts.Timeout)
	}
	return 0, "", err
}
