package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/humd/humd/storage"
)

// DecodeStrict decodes one JSON object from body into v, rejecting unknown
// keys, wrong types, trailing data, empty bodies and anything but an object
// at the top (JSON null among them, which encoding/json would take as "no
// fields" and let through). Every failure is a *storage.ValidationError naming the
// field, so the HTTP edge answers 422 with details.
func DecodeStrict(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return storage.Invalid("body", "a JSON object is required")
	}
	if trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return storage.Invalid("body", "malformed JSON")
		}
		return storage.Invalid("body", "must be a JSON object, not "+jsonKind(trimmed[0]))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return storage.Invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var fieldErr *storage.ValidationError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &fieldErr):
		return fieldErr
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return storage.Invalid(field, fmt.Sprintf("must be %s, not %s", jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return storage.Invalid("body", "malformed JSON")
	case errors.As(err, &timeErr):
		// time.Time reports no field name through the decoder.
		return storage.Invalid("body", fmt.Sprintf("a time must be RFC 3339, like 2026-12-31T23:59:00Z, not %q", timeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return storage.Invalid(name, "unknown field")
	}
	return storage.Invalid("body", err.Error())
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
