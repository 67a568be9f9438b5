package feed

import "bytes"

// Marshal returns the document Write would write.
func Marshal(f *Feed) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
