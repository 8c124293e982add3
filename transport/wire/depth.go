package wire

import (
	"fmt"

	"github.com/humd/humd/storage"
)

// ErrTooDeep is a JSON input nested deeper than storage.MaxJSONDepth.
var ErrTooDeep = fmt.Errorf("JSON nested deeper than %d levels", storage.MaxJSONDepth)

// CheckDepth answers ErrTooDeep when body nests objects and arrays deeper
// than storage.MaxJSONDepth. It does not otherwise validate body: malformed
// input is the decoder's to refuse, with a better message.
func CheckDepth(body []byte) error {
	if !storage.WithinJSONDepth(body) {
		return ErrTooDeep
	}
	return nil
}
