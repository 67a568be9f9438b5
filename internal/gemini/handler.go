package gemini

// Handler answers one Gemini request. ServeGemini writes the response
// header and, for status 20 only, a body; it must not keep w or r after it
// returns. A panic in ServeGemini is recovered by the Server: the client
// gets 40 if no header was written yet, and the server keeps running.
type Handler interface {
	ServeGemini(w ResponseWriter, r *Request)
}
