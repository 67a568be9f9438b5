package gemini

import (
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Upload is the body half of a Titan request: titan://host/path;mime=M;
// size=N;token=T followed by N bytes on the same connection. Titan lets
// authors publish from their Gemini client; the Server accepts it only
// when its Titan field is set.
type Upload struct {
	// Mime is the media type the client gave, lower-case, without
	// parameters; "text/gemini" when it gave none.
	Mime string
	// Size is the number of bytes the client says follow the request
	// line.
	Size int64
	// Token is the optional token parameter, "" if none.
	Token string
	// Body yields the uploaded bytes, at most Size of them. Reading it
	// waits for the client at most the send timeout between pieces, so a
	// slow upload takes as long as it needs while data keeps coming.
	Body io.Reader
}

// MaxUploadSize bounds the size parameter the parser accepts at all; the
// handler applies its own, smaller limit.
const MaxUploadSize = 1 << 40

const (
	metaNoSize  = "titan upload needs a size parameter"
	metaBadSize = "titan size must be a number of bytes"
	metaBadMime = "titan mime parameter is not a media type"
)

// titanParams splits the parameters off a Titan URI's path
// (";mime=text/plain;size=12;token=x") and leaves the path in u. It
// returns the 59 META for bad parameters, or "".
func titanParams(u *url.URL) (*Upload, string) {
	raw := u.EscapedPath()
	i := strings.IndexByte(raw, ';')
	if i < 0 {
		return nil, metaNoSize
	}
	params := raw[i+1:]
	p, err := url.PathUnescape(raw[:i])
	if err != nil {
		return nil, metaMalformed
	}
	u.Path, u.RawPath = p, raw[:i]
	up := &Upload{Mime: "text/gemini", Size: -1}
	for kv := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(kv, "=")
		v, err := url.PathUnescape(v)
		if err != nil || !utf8.ValidString(v) {
			return nil, metaMalformed
		}
		switch strings.ToLower(k) {
		case "size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > MaxUploadSize || strconv.FormatInt(n, 10) != v {
				return nil, metaBadSize
			}
			up.Size = n
		case "mime":
			mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(v)), ";")
			if !validMime(mt) {
				return nil, metaBadMime
			}
			up.Mime = mt
		case "token":
			up.Token = v
		}
	}
	if up.Size < 0 {
		return nil, metaNoSize
	}
	return up, ""
}

// validMime accepts "type/subtype" of token characters.
func validMime(mt string) bool {
	t, sub, ok := strings.Cut(mt, "/")
	return ok && isToken(t) && isToken(sub) && len(mt) <= 127
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// uploadBody reads at most n bytes: first those the request reader had
// already buffered, then from the connection, pushing the read deadline
// forward before each read so a slow but steady upload is never cut.
type uploadBody struct {
	buf     []byte
	conn    net.Conn
	n       int64
	timeout time.Duration
}

func (b *uploadBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	if len(b.buf) > 0 {
		k := copy(p, b.buf)
		b.buf = b.buf[k:]
		b.n -= int64(k)
		return k, nil
	}
	b.conn.SetReadDeadline(time.Now().Add(b.timeout))
	k, err := b.conn.Read(p)
	b.n -= int64(k)
	if err == io.EOF && b.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return k, err
}
