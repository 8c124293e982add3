package app_test

import (
	"errors"
	"testing"

	"github.com/humd/humd/storage"
)

// wantField checks that err is a ValidationError naming the wire field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *storage.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Errorf("%s = %v; want a validation error on %s", what, err, field)
	}
}
