package wire

import (
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/storage"
)

// TestDecodeStrictWantsAnObject: anything but a JSON object at the top is a
// validation error on "body"; JSON null used to decode as an empty request.
func TestDecodeStrictWantsAnObject(t *testing.T) {
	type req struct {
		Name string `json:"name"`
	}
	cases := map[string]string{
		"null":            "must be a JSON object, not null",
		" \n null \t":     "must be a JSON object, not null",
		"[]":              "must be a JSON object, not an array",
		`"x"`:             "must be a JSON object, not a string",
		"true":            "must be a JSON object, not a boolean",
		"-1.5":            "must be a JSON object, not a number",
		"nul":             "malformed JSON",
		"":                "a JSON object is required",
		"{":               "malformed JSON",
		`{"name":1}`:      "must be a string",
		`{"other":"x"}`:   "unknown field",
		`{"name":"x"} {}`: "unexpected data after the JSON object",
		`{} null`:         "unexpected data after the JSON object",
	}
	for body, want := range cases {
		targets := []any{&req{}, &map[string]any{}}
		if strings.Contains(body, `"`) {
			targets = targets[:1] // about the struct's fields
		}
		for _, v := range targets {
			err := DecodeStrict([]byte(body), v)
			var ve *storage.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), want) {
				t.Errorf("DecodeStrict(%q, %T) = %v; want a validation error saying %q", body, v, err, want)
			}
		}
	}
	var r req
	if err := DecodeStrict([]byte(` {"name":"x"} `), &r); err != nil || r.Name != "x" {
		t.Errorf("DecodeStrict of an object = %+v, %v", r, err)
	}
}
