package gemini

// Status is a Gemini response status code.
type Status int

// The status codes defined by the Gemini specification. No other code is
// ever written to a client.
const (
	StatusInput                    Status = 10
	StatusSensitiveInput           Status = 11
	StatusSuccess                  Status = 20
	StatusRedirect                 Status = 30
	StatusPermanentRedirect        Status = 31
	StatusTemporaryFailure         Status = 40
	StatusServerUnavailable        Status = 41
	StatusCGIError                 Status = 42
	StatusProxyError               Status = 43
	StatusSlowDown                 Status = 44
	StatusPermanentFailure         Status = 50
	StatusNotFound                 Status = 51
	StatusGone                     Status = 52
	StatusProxyRequestRefused      Status = 53
	StatusBadRequest               Status = 59
	StatusCertificateRequired      Status = 60
	StatusCertificateNotAuthorized Status = 61
	StatusCertificateNotValid      Status = 62
)

// Class returns the status class: the first digit times ten, so 51 is in
// class 50. Clients that do not know a code act on its class.
func (s Status) Class() int {
	return int(s) / 10 * 10
}

// Valid reports whether s is one of the codes the specification defines.
func (s Status) Valid() bool {
	return s.String() != ""
}

// String returns the specification's short name for the status, which also
// serves as the default META of failure responses. It returns "" for a code
// the specification does not define.
func (s Status) String() string {
	switch s {
	case StatusInput:
		return "Input"
	case StatusSensitiveInput:
		return "Sensitive input"
	case StatusSuccess:
		return "Success"
	case StatusRedirect:
		return "Redirect"
	case StatusPermanentRedirect:
		return "Permanent redirect"
	case StatusTemporaryFailure:
		return "Temporary failure"
	case StatusServerUnavailable:
		return "Server unavailable"
	case StatusCGIError:
		return "CGI error"
	case StatusProxyError:
		return "Proxy error"
	case StatusSlowDown:
		return "Slow down"
	case StatusPermanentFailure:
		return "Permanent failure"
	case StatusNotFound:
		return "Not found"
	case StatusGone:
		return "Gone"
	case StatusProxyRequestRefused:
		return "Proxy request refused"
	case StatusBadRequest:
		return "Bad request"
	case StatusCertificateRequired:
		return "Certificate required"
	case StatusCertificateNotAuthorized:
		return "Certificate not authorized"
	case StatusCertificateNotValid:
		return "Certificate not valid"
	}
	return ""
}
