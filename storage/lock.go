package storage

import (
	"errors"
	"strings"
	"syscall"
)

// Locked tells whether err from Open means another process (or this one)
// holds the data directory: Pebble takes an exclusive lock on its LOCK
// file, so a second opener fails rather than corrupting the store.
func Locked(err error) bool {
	return err != nil && (errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) ||
		strings.Contains(err.Error(), "lock held by current process"))
}
