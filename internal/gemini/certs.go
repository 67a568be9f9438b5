package gemini

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// Certificates is the server's certificate store: the default host's
// certificate plus any other NAME.crt/NAME.key pairs found in its folder,
// picked by SNI. It never creates a certificate for a name a client
// chooses. It is safe for concurrent use; Reload swaps the whole set
// atomically.
type Certificates struct {
	dir      string
	hostname string
	logger   *slog.Logger
	set      atomic.Pointer[certSet]
}

// certSet is one immutable loaded state of the folder.
type certSet struct {
	def    *tls.Certificate
	byName map[string]*tls.Certificate // lower-case SNI name -> certificate
}

// certValidity is how long a generated certificate lasts: clients pin
// self-signed certificates (TOFU), so it must never need a silent rotation.
const certValidity = 100 // years

// LoadCertificates opens the certificate folder dir, creating it with mode
// 0700 if missing. The default certificate is HOSTNAME.crt and HOSTNAME.key
// (PEM) in dir; if neither exists it generates an ECDSA P-256 self-signed
// certificate for hostname (DNS or IP SAN, CN = hostname, valid from an
// hour ago for 100 years), writes the key 0600 and the certificate 0644
// atomically, and logs that it did. If only one of the two exists it fails
// rather than overwrite anything. Every other NAME.crt with a NAME.key is
// loaded too and served to clients asking for NAME (or a DNS name in its
// SAN) by SNI. A nil logger logs nothing.
func LoadCertificates(dir, hostname string, logger *slog.Logger) (*Certificates, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	name := normalHost(hostname)
	if err := checkFileName(name); err != nil {
		return nil, fmt.Errorf("load certificates: hostname %q: %w", hostname, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("load certificates: %w", err)
	}
	// The folder holds private keys: others may not even list it. A
	// folder that came from a checkout (0755) is tightened once.
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, fi.Mode().Perm()&0o700); err != nil {
			return nil, fmt.Errorf("load certificates: %w", err)
		}
		logger.Info("restricted certificate folder to its owner", "dir", dir, "was", fi.Mode().Perm().String())
	}
	c := &Certificates{dir: dir, hostname: name, logger: logger}
	removeStaleTemp(dir, logger)
	if err := c.ensureDefault(); err != nil {
		return nil, fmt.Errorf("load certificates: %w", err)
	}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload re-reads every certificate pair from the folder (on SIGHUP). If
// anything fails, the error names every broken file and the previous set
// stays in use. Reload never generates a certificate.
func (c *Certificates) Reload() error {
	set, err := loadSet(c.dir, c.hostname)
	if err != nil {
		return fmt.Errorf("load certificates from %s: %w", c.dir, err)
	}
	c.set.Store(set)
	leaf := set.def.Leaf
	if time.Now().After(leaf.NotAfter) {
		c.logger.Warn("default certificate has expired", "host", c.hostname, "not_after", leaf.NotAfter)
	}
	return nil
}

// TLSConfig returns a new TLS configuration for the Server: TLS 1.2 at
// least (1.3 preferred), with only AEAD cipher suites with forward secrecy
// for 1.2 (no CBC, no SHA-1 MACs, no RSA key exchange); the certificate
// chosen by SNI with the default one for a missing SNI, an IP literal or
// an unknown name; and a client certificate requested but never required
// nor verified (handlers see it in Request.TLS).
func (c *Certificates) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   tls12Suites,
		ClientAuth:     tls.RequestClientCert,
		GetCertificate: c.getCertificate,
	}
}

// tls12Suites are the TLS 1.2 cipher suites offered: ECDHE with AES-GCM or
// ChaCha20-Poly1305. (TLS 1.3 suites are not configurable and all AEAD.)
var tls12Suites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// Fingerprint returns the hex SHA-256 fingerprint of the default
// certificate, as clients show it to users who pin it.
func (c *Certificates) Fingerprint() string {
	sum := sha256.Sum256(c.set.Load().def.Leaf.Raw)
	return hex.EncodeToString(sum[:])
}

func (c *Certificates) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	set := c.set.Load()
	if hello.ServerName != "" {
		if cert, ok := set.byName[normalHost(hello.ServerName)]; ok {
			return cert, nil
		}
	}
	return set.def, nil
}

// ensureDefault generates the default pair when neither file exists.
func (c *Certificates) ensureDefault() error {
	crtPath, keyPath := c.paths(c.hostname)
	crtOK, err := exists(crtPath)
	if err != nil {
		return err
	}
	keyOK, err := exists(keyPath)
	if err != nil {
		return err
	}
	switch {
	case crtOK && keyOK:
		return nil
	case crtOK && !keyOK:
		return fmt.Errorf("certificate %s has no key %s: restore the key from a backup; "+
			"or, to start over with a new certificate (readers who pinned the old one will see a warning), run: rm %s",
			crtPath, keyPath, shellQuote(crtPath))
	case keyOK && !crtOK:
		// The key is written first, so this is what a crash during the
		// first start leaves behind.
		return fmt.Errorf("key %s has no certificate %s (a first start interrupted while creating them?): "+
			"restore the certificate from a backup; or, to make a new pair, run: rm %s",
			keyPath, crtPath, shellQuote(keyPath))
	}
	crtPEM, keyPEM, err := generateCertificate(c.hostname, time.Now())
	if err != nil {
		return err
	}
	// The key goes first: a crash between the two renames leaves a lone
	// key, which the check above reports instead of silently replacing.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeFileAtomic(crtPath, crtPEM, 0o644); err != nil {
		return err
	}
	block, _ := pem.Decode(crtPEM)
	sum := sha256.Sum256(block.Bytes)
	c.logger.Info("created self-signed certificate", "host", c.hostname, "cert", crtPath, "key", keyPath,
		"sha256", hex.EncodeToString(sum[:]))
	return nil
}

// tempPrefix starts the names of writeFileAtomic's temporary files.
const tempPrefix = ".tmp-"

// removeStaleTemp deletes temporary files that a crash in writeFileAtomic
// left in dir: half-written keys that nothing will ever use.
func removeStaleTemp(dir string, logger *slog.Logger) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	for _, n := range names {
		if fi, err := os.Lstat(n); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(n); err != nil {
			logger.Warn("could not remove a stale temporary file", "file", n, "err", err)
			continue
		}
		logger.Info("removed a stale temporary file", "file", n)
	}
}

// shellQuote quotes a path for a command line an operator copies.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (c *Certificates) paths(name string) (crt, key string) {
	return filepath.Join(c.dir, name+".crt"), filepath.Join(c.dir, name+".key")
}

// loadSet reads the default pair and every other complete pair in dir.
func loadSet(dir, hostname string) (*certSet, error) {
	set := &certSet{byName: make(map[string]*tls.Certificate)}
	var errs []error
	def, err := loadPair(dir, hostname)
	if err != nil {
		errs = append(errs, err)
	}
	set.def = def
	crts, err := filepath.Glob(filepath.Join(dir, "*.crt"))
	if err != nil {
		errs = append(errs, err)
	}
	for _, crt := range crts {
		name := strings.TrimSuffix(filepath.Base(crt), ".crt")
		if name == hostname {
			continue
		}
		if ok, _ := exists(filepath.Join(dir, name+".key")); !ok {
			continue // a chain or CA file, not a pair
		}
		cert, err := loadPair(dir, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set.byName[strings.ToLower(name)] = cert
		for _, dns := range cert.Leaf.DNSNames {
			if _, taken := set.byName[normalHost(dns)]; !taken {
				set.byName[normalHost(dns)] = cert
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// The default host's own name always maps to the default certificate,
	// whatever another pair's SAN says.
	set.byName[hostname] = def
	return set, nil
}

func loadPair(dir, name string) (*tls.Certificate, error) {
	crt, key := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	cert, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", crt, err)
	}
	if cert.Leaf == nil {
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", crt, err)
		}
		cert.Leaf = leaf
	}
	return &cert, nil
}

// generateCertificate makes a self-signed ECDSA P-256 certificate for host
// and returns it and its PKCS #8 key, PEM-encoded.
func generateCertificate(host string, now time.Time) (crtPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial number: %w", err)
	}
	notBefore := now.Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host},
		NotBefore:             notBefore,
		NotAfter:              notBefore.AddDate(certValidity, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	crtPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	return crtPEM, keyPEM, nil
}

// writeFileAtomic writes data to a temporary file in the same folder with
// the final mode, syncs it and renames it into place, so a reader never
// sees a partial key or certificate.
func writeFileAtomic(name string, data []byte, mode fs.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), tempPrefix+filepath.Base(name)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func exists(name string) (bool, error) {
	_, err := os.Stat(name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("check %s: %w", name, err)
	}
}

// checkFileName refuses host names that cannot safely be a file name.
func checkFileName(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case strings.ContainsAny(name, `/\`+"\x00"), strings.HasPrefix(name, "."):
		return errors.New("not usable as a file name")
	}
	return nil
}
