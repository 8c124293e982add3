package storage

import (
	"encoding/json"
	"slices"
	"strings"
)

// maskPrefix starts every masked value.
const maskPrefix = "****"

// Mask is how humd shows a secret it keeps: "****" and its last four
// characters, or "****" alone when it has fewer than 12 (the last four of a
// short secret give too much of it away); "" stays "".
func Mask(secret string) string {
	switch {
	case secret == "":
		return ""
	case len(secret) < 12:
		return maskPrefix
	}
	return maskPrefix + secret[len(secret)-4:]
}

// Masked reports whether v has the shape of a masked value.
func Masked(v string) bool { return strings.HasPrefix(v, maskPrefix) }

// Headers are the custom request headers of an integration (webhook
// endpoints, HTTP tools), name to value. A value is as often a credential
// (Authorization, X-Api-Key) as not, so every value is treated as one: it
// is sealed at rest (the records keep SealHeaders' map beside the
// answer's) and JSON shows it masked, so no answer ever carries it.
type Headers map[string]string

// MarshalJSON answers the names with masked values.
func (h Headers) MarshalJSON() ([]byte, error) {
	m := make(map[string]string, len(h))
	for k, v := range h {
		m[k] = Mask(v)
	}
	return json.Marshal(m)
}

// Unmask answers h with each masked value, as an answer showed it, put
// back to old's value of the same header (a client that edits headers sends
// the whole map back); a masked value that is not the mask of old's value
// is named in bad, sorted.
func (h Headers) Unmask(old Headers) (out Headers, bad []string) {
	out = make(Headers, len(h))
	for k, v := range h {
		if !Masked(v) {
			out[k] = v
			continue
		}
		prev, ok := old[k]
		if !ok {
			for name, ov := range old {
				if strings.EqualFold(name, k) {
					prev, ok = ov, true
					break
				}
			}
		}
		if !ok || Mask(prev) != v {
			bad = append(bad, k)
			continue
		}
		out[k] = prev
	}
	slices.Sort(bad)
	return out, bad
}

// SealHeaders answers h with every value sealed, for a record.
func (s *Sealer) SealHeaders(h Headers) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = s.Seal(v)
	}
	return out
}

// OpenHeaders opens what SealHeaders sealed (a value stored before sealing
// is answered as it is); an error names owner.
func (s *Sealer) OpenHeaders(owner string, sealed map[string]string) (Headers, error) {
	out := make(Headers, len(sealed))
	for k, v := range sealed {
		if err := s.OpenIn(owner+" header "+k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}
