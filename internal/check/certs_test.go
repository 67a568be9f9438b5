package check

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePair writes NAME.crt and NAME.key in dir: a self-signed
// certificate for names valid from notBefore to notAfter.
func writePair(t *testing.T, dir, name string, names []string, notBefore, notAfter time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: names,
		NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600)
}

func TestCertificates(t *testing.T) {
	long := now.AddDate(100, 0, 0)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string // "FILE: severity: message part [code]", FILE relative to dir
	}{
		{"no folder yet", func(t *testing.T, dir string) { os.Remove(dir) }, nil},
		{"no pair yet", func(t *testing.T, dir string) {}, nil},
		{"good pair", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.Add(-time.Hour), long)
		}, nil},
		{"expired", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -3))
		}, []string{"example.org.crt: error: expired on 2024-12-29 [cert/expired]"}},
		{"expiring", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.AddDate(-1, 0, 0), now.AddDate(0, 0, 10))
		}, []string{"example.org.crt: warning: expires on 2025-01-11, in 10 days [cert/expiring]"}},
		{"not valid yet", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.AddDate(0, 0, 1), long)
		}, []string{"example.org.crt: error: not valid before [cert/expired]"}},
		{"other host name", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"other.example"}, now.Add(-time.Hour), long)
		}, []string{`example.org.crt: error: does not cover the hostname "example.org" (it covers other.example) [cert/hostname]`}},
		{"key of another pair", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.Add(-time.Hour), long)
			writePair(t, dir, "spare", []string{"spare"}, now.Add(-time.Hour), long)
			os.Rename(filepath.Join(dir, "spare.key"), filepath.Join(dir, "example.org.key"))
			os.Remove(filepath.Join(dir, "spare.crt"))
		}, []string{"example.org.key: error: this key does not belong to example.org.crt [cert/key-mismatch]"}},
		{"lone certificate", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.Add(-time.Hour), long)
			os.Remove(filepath.Join(dir, "example.org.key"))
		}, []string{"example.org.crt: error: its key example.org.key is missing [cert/missing]"}},
		{"lone key", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.Add(-time.Hour), long)
			os.Remove(filepath.Join(dir, "example.org.crt"))
		}, []string{"example.org.key: error: example.org.crt is missing [cert/missing]"}},
		{"garbage", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "example.org.crt"), []byte("not a certificate"), 0o644)
			os.WriteFile(filepath.Join(dir, "example.org.key"), []byte("not a key"), 0o600)
		}, []string{"example.org.crt: error: cannot be used [cert/unreadable]"}},
		{"key readable by all", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.Add(-time.Hour), long)
			os.Chmod(filepath.Join(dir, "example.org.key"), 0o644)
		}, []string{"example.org.key: warning: private key readable by others (mode 0644) [cert/key-mode]"}},
		{"another host's pair is checked for its own name", func(t *testing.T, dir string) {
			writePair(t, dir, "example.org", []string{"example.org"}, now.Add(-time.Hour), long)
			writePair(t, dir, "mirror.example", []string{"elsewhere.example"}, now.Add(-time.Hour), now.AddDate(0, 0, -1))
		}, []string{
			"mirror.example.crt: error: expired on 2024-12-31 [cert/expired]",
			`mirror.example.crt: error: does not cover the name of its file "mirror.example" (it covers elsewhere.example) [cert/hostname]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs")
			os.Mkdir(dir, 0o700)
			tt.setup(t, dir)
			ds := Certificates(dir, "Example.org", now)
			if len(ds) != len(tt.want) {
				t.Fatalf("got %v, want %d problems: %q", ds, len(tt.want), tt.want)
			}
			for i, d := range ds {
				file, rest, _ := strings.Cut(tt.want[i], ": ")
				sev, rest, _ := strings.Cut(rest, ": ")
				msg, code, _ := strings.Cut(rest, " [")
				if d.File != filepath.Join(dir, file) || d.Severity.String() != sev || !strings.Contains(d.Message, msg) || d.Code+"]" != code {
					t.Errorf("problem %d = %s [%s], want %s", i, d, d.Code, tt.want[i])
				}
			}
		})
	}
}
