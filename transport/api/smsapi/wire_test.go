package smsapi

import (
	"errors"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/wire"
)

// TestTypedInputsNameWireFields: a bad field of a typed input is named as
// the wire names it (the edge shows it beside the field), not by the Go
// path of the input.
func TestTypedInputsNameWireFields(t *testing.T) {
	for _, c := range []struct {
		body, field string
		in          any
	}{
		{`{"e164":"+13175550100","name":5}`, "name", &sms.NewContact{}},
		{`{"tags":[1]}`, "tags", &sms.NewContact{}},
		{`{"email":true}`, "email", &sms.ContactInput{}},
		{`{"mps":"fast"}`, "mps", &sms.NumberPatch{}},
		{`{"e164":7}`, "e164", &sms.ListEntry{}},
	} {
		var ve *storage.ValidationError
		if err := wire.DecodeStrict([]byte(c.body), c.in); !errors.As(err, &ve) || ve.Fields[c.field] == "" {
			t.Errorf("DecodeStrict(%s into %T) = %v; want a problem with %q", c.body, c.in, err, c.field)
		}
	}
}
