package storage

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// MaxJSONDepth is how deeply any JSON input may nest objects and arrays: every
// body the HTTP edge accepts (checked before a handler runs), a trigger's
// payload, a model's tool-call arguments and the outcome of a call's summary.
// Records embed inputs a few levels down (a trigger payload sits at depth 3
// of its event), and both decoders humd uses stop at 10000 levels, so an
// input within this limit always reads back: that promise is storage's, so
// the limit is declared here, and each place that takes JSON from outside
// (transport/wire for requests and model arguments, actors/call for a
// model's outcome) holds its input to it. Size needs no limit of its own
// here: body caps bound it.
const MaxJSONDepth = 64

// WithinJSONDepth reports whether v nests objects and arrays no deeper than
// MaxJSONDepth. It only counts nesting (malformed input is its decoder's to
// refuse, with a better message): transport/wire holds requests and model
// arguments to it, actors/call a model's outcome.
func WithinJSONDepth(v []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > MaxJSONDepth {
				return false
			}
		case '}', ']':
			depth--
		}
	}
	return true
}

// Bool accepts true/false and the 0/1 integers the reference API uses (SPEC
// 1.0), and always encodes as a JSON boolean.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bool) UnmarshalJSON(raw []byte) error {
	switch string(bytes.TrimSpace(raw)) {
	case "true", "1":
		*b = true
	case "false", "0":
		*b = false
	default:
		return &json.UnmarshalTypeError{Value: string(raw), Type: boolType}
	}
	return nil
}

var boolType = reflect.TypeOf(false)
