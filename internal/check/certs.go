package check

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"broadside/internal/diag"
)

// Codes of certificate problems.
const (
	CodeCertUnreadable = "cert/unreadable"   // a certificate or key that cannot be read or parsed
	CodeCertMissing    = "cert/missing"      // one file of a pair without the other
	CodeCertKey        = "cert/key-mismatch" // a key that does not belong to its certificate
	CodeCertExpired    = "cert/expired"      // expired, or not valid yet
	CodeCertExpiring   = "cert/expiring"     // expires within ExpiryWarning
	CodeCertHostname   = "cert/hostname"     // does not cover the host name it is served for
	CodeCertKeyMode    = "cert/key-mode"     // a key file others may read
)

// ExpiryWarning is how far ahead an expiring certificate is reported.
const ExpiryWarning = 30 * 24 * time.Hour

// Certificates checks the certificate folder dir as the Gemini server
// will load it, without creating anything: the pair HOSTNAME.crt and
// HOSTNAME.key for hostname, and every other NAME.crt with a NAME.key
// (served to clients asking for NAME). A missing folder or a missing
// default pair is no problem: the server creates a self-signed one on
// first start. File names in the diagnostics are dir joined with the
// file's name.
func Certificates(dir, hostname string, now time.Time) []diag.Diagnostic {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	host := strings.ToLower(strings.Trim(hostname, "[]"))
	var out []diag.Diagnostic
	out = append(out, checkPair(dir, host, host, now, true)...)
	crts, _ := filepath.Glob(filepath.Join(dir, "*.crt"))
	for _, crt := range crts {
		name := strings.TrimSuffix(filepath.Base(crt), ".crt")
		if strings.EqualFold(name, host) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, name+".key")); err != nil {
			continue // a chain or CA file, not a pair
		}
		out = append(out, checkPair(dir, name, strings.ToLower(name), now, false)...)
	}
	return out
}

// checkPair checks NAME.crt and NAME.key in dir for serving host. A
// missing pair is reported only when it is not the default one.
func checkPair(dir, name, host string, now time.Time, isDefault bool) []diag.Diagnostic {
	crt, key := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	at := func(file, code string, sev diag.Severity, format string, args ...any) diag.Diagnostic {
		return diag.Diagnostic{File: file, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)}
	}
	_, crtErr := os.Stat(crt)
	keyInfo, keyErr := os.Stat(key)
	switch {
	case errors.Is(crtErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return nil // the server will create the default pair
	case errors.Is(crtErr, fs.ErrNotExist):
		return []diag.Diagnostic{at(key, CodeCertMissing, diag.Error,
			"%s is missing: restore it, or remove this key so that a new pair is made (clients that pinned the old certificate will warn)", filepath.Base(crt))}
	case errors.Is(keyErr, fs.ErrNotExist):
		return []diag.Diagnostic{at(crt, CodeCertMissing, diag.Error,
			"its key %s is missing: restore it, or remove the certificate so that a new pair is made", filepath.Base(key))}
	}
	var out []diag.Diagnostic
	if keyErr == nil && keyInfo.Mode().Perm()&0o077 != 0 {
		out = append(out, at(key, CodeCertKeyMode, diag.Warning, "private key readable by others (mode %04o): chmod 600 %s", keyInfo.Mode().Perm(), key))
	}
	pair, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		switch {
		case strings.Contains(err.Error(), "does not match"):
			return append(out, at(key, CodeCertKey, diag.Error, "this key does not belong to %s: restore the matching key", filepath.Base(crt)))
		case errors.Is(err, fs.ErrPermission):
			var pe *fs.PathError
			file := crt
			if errors.As(err, &pe) {
				file = pe.Path
			}
			return append(out, at(file, CodeCertUnreadable, diag.Error, "cannot be read: %v", errors.Unwrap(err)))
		}
		file := crt
		if strings.Contains(err.Error(), "private key") || strings.Contains(err.Error(), "key PEM") {
			file = key
		}
		return append(out, at(file, CodeCertUnreadable, diag.Error, "cannot be used: %v", err))
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return append(out, at(crt, CodeCertUnreadable, diag.Error, "cannot be parsed: %v", err))
	}
	switch {
	case now.After(leaf.NotAfter):
		out = append(out, at(crt, CodeCertExpired, diag.Error, "expired on %s: Gemini clients refuse it; renew it (clients that pinned it will warn)",
			leaf.NotAfter.UTC().Format("2006-01-02")))
	case now.Before(leaf.NotBefore):
		out = append(out, at(crt, CodeCertExpired, diag.Error, "not valid before %s: check the clock", leaf.NotBefore.UTC().Format(time.RFC3339)))
	case leaf.NotAfter.Sub(now) < ExpiryWarning:
		out = append(out, at(crt, CodeCertExpiring, diag.Warning, "expires on %s, in %d days: renew it before then",
			leaf.NotAfter.UTC().Format("2006-01-02"), int(leaf.NotAfter.Sub(now).Hours()/24)))
	}
	if err := leaf.VerifyHostname(host); err != nil {
		covers := strings.Join(append(append([]string{}, leaf.DNSNames...), ipStrings(leaf)...), ", ")
		if covers == "" {
			covers = "no name in its subject alternative names"
		}
		what := "the hostname"
		if !isDefault {
			what = "the name of its file"
		}
		out = append(out, at(crt, CodeCertHostname, diag.Error, "does not cover %s %q (it covers %s): clients will refuse it", what, host, covers))
	}
	return out
}

func ipStrings(c *x509.Certificate) []string {
	var out []string
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}
