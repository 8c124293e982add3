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
	depth, inString := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
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
			if depth++; depth > storage.MaxJSONDepth {
				return ErrTooDeep
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
