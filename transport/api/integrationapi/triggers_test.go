package integrationapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/transport/wire"
)

// TestFirePayloadRefused: a fire's body must be one JSON object.
func TestFirePayloadRefused(t *testing.T) {
	for _, bad := range []string{``, `[]`, `"x"`, `{"a":`, `{} {}`, `null`} {
		if _, err := decodeFire([]byte(bad)); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("decodeFire(%q) = %v; want invalid", bad, err)
		}
	}
	p, err := decodeFire([]byte(` {"order": 42} `))
	if err != nil || string(p) != `{"order": 42}` {
		t.Errorf("decodeFire = %s, %v", p, err)
	}
}

// TestPayloadWithinJSONLimits: a payload is stored verbatim inside its
// event, so one nested past storage's limit is refused (ErrTooDeep), even
// where json.Valid accepts it; one at the limit passes (storage/triggers'
// TestFireAtJSONDepthLimit reads it back from its event).
func TestPayloadWithinJSONLimits(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1) }
	for _, n := range []int{storage.MaxJSONDepth + 1, 9999} {
		if _, err := decodeFire([]byte(deep(n))); !errors.Is(err, wire.ErrTooDeep) {
			t.Errorf("decodeFire of %d levels = %v; want ErrTooDeep", n, err)
		}
	}
	if _, err := decodeFire([]byte(deep(storage.MaxJSONDepth))); err != nil {
		t.Errorf("decodeFire at the limit = %v", err)
	}
}

// TestTriggerWireFaults: a trigger body's wire faults are refused as the
// transport decodes it, each as a validation error naming the wire field.
func TestTriggerWireFaults(t *testing.T) {
	for body, field := range map[string]string{
		`{"name":"x","event_name":"external.x","flow_id":7}`: "flow_id",
		`{"name":"x","event_name":"external.x","extra":1}`:   "extra",
	} {
		var in triggers.Input
		var ve *storage.ValidationError
		if err := wire.DecodeStrict([]byte(body), &in); !errors.As(err, &ve) || ve.Fields[field] == "" {
			t.Errorf("DecodeStrict(%s) = %v; want a problem with %s", body, err, field)
		}
	}
}
