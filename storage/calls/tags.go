package calls

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/humd/humd/storage"
)

// Tag limits (SPEC 1.8).
const (
	MaxTagLen   = 50
	MaxCallTags = 50
)

// CleanTag trims tag and checks it: 1-50 characters, no '/' (tags are path
// segments of DELETE /api/calls/{id}/tags/{tag}) and no control characters.
func CleanTag(tag string) (string, error) {
	t := strings.TrimSpace(tag)
	if n := utf8.RuneCountInString(t); n == 0 || n > MaxTagLen {
		return "", storage.Invalid("tag", fmt.Sprintf("must be 1-%d characters", MaxTagLen))
	}
	if strings.ContainsRune(t, '/') || strings.IndexFunc(t, unicode.IsControl) >= 0 {
		return "", storage.Invalid("tag", "must not contain '/' or control characters")
	}
	return t, nil
}

// Tags answers a call's tags (storage.ErrNotFound for an unknown call).
func Tags(s storage.Store, org, callID string) ([]string, error) {
	c, err := Get(s, org, callID)
	if err != nil {
		return nil, err
	}
	return normalize(c).Tags, nil
}

// AddTag adds tag to the call. Tags are unique per call ignoring case:
// adding "VIP" where "vip" exists changes nothing and answers "vip" with
// added false. A tag new to the call takes the org's spelling when another
// call already carries it in any case (the vocabulary's first spelling
// wins), and the vocabulary's count goes up in the same batch as the call.
// An unknown call is storage.ErrNotFound whatever the tag. The call's
// record is read, changed and written here, so only its writer (the call
// actor) calls it.
func AddTag(s storage.Store, org, callID, tag string, now time.Time) (stored string, added bool, err error) {
	c, err := Get(s, org, callID)
	if err != nil {
		return "", false, err
	}
	t, err := CleanTag(tag)
	if err != nil {
		return "", false, err
	}
	if i := tagIndex(c.Tags, t); i >= 0 {
		return c.Tags[i], false, nil
	}
	if len(c.Tags) >= MaxCallTags {
		return "", false, storage.Invalid("tag", fmt.Sprintf("a call has at most %d tags", MaxCallTags))
	}
	defer lockVocab(org)()
	if err := buildVocab(s, org); err != nil {
		return "", false, err
	}
	ot, err := orgTag(s, org, t)
	if err != nil {
		return "", false, err
	}
	ot.Calls++
	c.Tags = append(c.Tags, ot.Tag)
	c.UpdatedAt = now
	b := s.NewBatch()
	putOrgTag(b, org, ot)
	return ot.Tag, true, write(b, c)
}

// RemoveTag removes tag (matched ignoring case) from the call, and the
// call from the vocabulary's count in the same batch;
// storage.ErrNotFound when the call does not carry it. Like AddTag, only
// the call actor calls it.
func RemoveTag(s storage.Store, org, callID, tag string, now time.Time) error {
	c, err := Get(s, org, callID)
	if err != nil {
		return err
	}
	i := tagIndex(c.Tags, strings.TrimSpace(tag))
	if i < 0 {
		return fmt.Errorf("calls: tag %q on %s: %w", tag, callID, storage.ErrNotFound)
	}
	// Build before the change so the count being lowered includes this call.
	defer lockVocab(org)()
	if err := buildVocab(s, org); err != nil {
		return err
	}
	ot, err := orgTag(s, org, c.Tags[i])
	if err != nil {
		return err
	}
	ot.Calls-- // a missing entry reads as 0 and stays absent
	c.Tags = slices.Delete(c.Tags, i, i+1)
	c.UpdatedAt = now
	b := s.NewBatch()
	putOrgTag(b, org, ot)
	return write(b, c)
}

func tagIndex(tags []string, t string) int {
	return slices.IndexFunc(tags, func(x string) bool { return strings.EqualFold(x, t) })
}

// write stores an existing call record (its indexes are unchanged) with
// whatever else is in b.
func write(b *storage.Batch, c *Call) error {
	Put(b, c, c)
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("calls: write %s: %w", c.ID, err)
	}
	return nil
}
