package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// DecodeStrict decodes one JSON object from body into v, rejecting unknown
// keys, wrong types, trailing data, empty bodies and anything but an object
// at the top (JSON null among them, which encoding/json would take as "no
// fields" and let through). Every failure is a *ValidationError naming the
// field, so the HTTP edge answers 422 with details.
func DecodeStrict(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Invalid("body", "a JSON object is required")
	}
	if trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return Invalid("body", "malformed JSON")
		}
		return Invalid("body", "must be a JSON object, not "+jsonKind(trimmed[0]))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var fieldErr *ValidationError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &fieldErr):
		return fieldErr
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return Invalid(field, fmt.Sprintf("must be %s, not %s", jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return Invalid("body", "malformed JSON")
	case errors.As(err, &timeErr):
		// time.Time reports no field name through the decoder.
		return Invalid("body", fmt.Sprintf("a time must be RFC 3339, like 2026-12-31T23:59:00Z, not %q", timeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Invalid(name, "unknown field")
	}
	return Invalid("body", err.Error())
}

// jsonKind names the kind of a valid JSON value by its first byte.
func jsonKind(first byte) string {
	switch first {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return kind
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

// MaxJSONDepth is how deeply any JSON input may nest objects and arrays: every
// body the HTTP edge accepts (checked before a handler runs), a trigger's
// payload and a model's tool-call arguments. Records embed inputs a few
// levels down (a trigger payload sits at depth 3 of its event), and both
// decoders humd uses stop at 10000 levels, so an input within this limit
// always reads back. Size needs no limit of its own here: body caps bound it.
const MaxJSONDepth = 64

// ErrTooDeep is a JSON input nested deeper than MaxJSONDepth.
var ErrTooDeep = fmt.Errorf("JSON nested deeper than %d levels", MaxJSONDepth)

// CheckJSONDepth answers ErrTooDeep when raw nests objects and arrays deeper
// than MaxJSONDepth. It does not otherwise validate raw: malformed input is
// the decoder's to refuse, with a better message.
func CheckJSONDepth(raw []byte) error {
	depth, inString := 0, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
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
				return ErrTooDeep
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
