package sms

import (
	"errors"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

// A removed number is gone from its org and its E.164 is free: another
// org can register it.
func TestRemoveNumberFreesTheE164(t *testing.T) {
	st := storagetest.OpenMem(t)
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	n, err := RegisterNumber(st, "org_1", "+13175550100", "Front", "sandbox", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RegisterNumber(st, "org_2", "+13175550100", "", "sandbox", now); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("a held number registered elsewhere: %v", err)
	}
	if err := RemoveNumber(st, "org_1", n.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := GetNumber(st, "org_1", n.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the removed number still loads: %v", err)
	}
	if _, err := RegisterNumber(st, "org_2", "+13175550100", "", "sandbox", now); err != nil {
		t.Fatalf("the released E.164 is still held: %v", err)
	}
	if err := RemoveNumber(st, "org_1", n.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("removing it twice: %v", err)
	}
}
