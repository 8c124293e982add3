package calls

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/humd/humd/storage"
)

// OrgTag is one entry of an org's tag vocabulary (GET /api/call-tags): the
// spelling the org first used for the tag and how many calls carry it.
//
// The vocabulary holds only tags in use: a tag whose count drops to 0 is
// removed, so the list never shows tags no call carries, and the next call
// tagged with it sets the spelling afresh. Counts are exact because every
// change to Call.Tags (AddTag, RemoveTag) writes the entry in the same batch
// as the call, under the org's vocabulary lock.
type OrgTag struct {
	Tag   string `json:"tag"`
	Calls int    `json:"calls"`
}

// vocabLocks serialise an org's vocabulary read-modify-writes (two calls of
// one org tagged at once would otherwise lose a count). They are separate
// from the call locks so that an org id and a call id sharing a stripe can
// never deadlock; the order is always call lock, then org lock, and nothing
// takes a call lock while holding an org lock.
var vocabLocks storage.Stripes

func lockVocab(org string) (unlock func()) { return vocabLocks.Lock(org) }

// FoldTag is the case-folded form of a tag: each rune becomes one fixed
// member of its Unicode simple-folding orbit (its lower case when that is in
// the orbit, else the orbit's smallest rune), so FoldTag(a) == FoldTag(b)
// exactly when strings.EqualFold(a, b), which is how tags on one call are
// compared. strings.ToLower would not do: it keeps 'ς' and 'σ' apart, which
// EqualFold joins, and lowers 'İ' to 'i', which EqualFold keeps apart.
func FoldTag(tag string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		// Chosen from the orbit's least rune, not r: 'ς' is its own lower
		// case, yet its orbit's is 'σ'.
		lower := unicode.ToLower(least)
		for f := unicode.SimpleFold(least); f != least; f = unicode.SimpleFold(f) {
			if f == lower {
				return lower
			}
		}
		return least
	}, tag)
}

// ListOrgTags answers one page of the org's tag vocabulary sorted by folded
// tag; prefix, when not empty, keeps the tags that start with it ignoring
// case.
func ListOrgTags(s storage.Store, org, prefix string, page storage.PageRequest) ([]*OrgTag, string, error) {
	if err := ensureVocab(s, org); err != nil {
		return nil, "", err
	}
	scan := PrefixOrgTags(org)
	if prefix != "" {
		scan = append(scan, FoldTag(prefix)...)
	}
	return storage.ListPage(s, scan, page, func(_, v []byte) (*OrgTag, bool, error) {
		var t OrgTag
		if err := storage.DecodeJSON(v, &t); err != nil {
			return nil, false, err
		}
		return &t, true, nil
	})
}

// orgTag reads the vocabulary entry for tag; a missing one is answered as
// {tag, 0} so the caller's spelling becomes the org's.
func orgTag(s storage.Store, org, tag string) (*OrgTag, error) {
	t := OrgTag{Tag: tag}
	err := storage.GetJSON(s, KeyOrgTag(org, FoldTag(tag)), &t)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("calls: org tag %q: %w", tag, err)
	}
	return &t, nil
}

// putOrgTag writes t into b, or deletes it once no call carries it.
func putOrgTag(b *storage.Batch, org string, t *OrgTag) {
	if t.Calls <= 0 {
		b.Delete(KeyOrgTag(org, FoldTag(t.Tag)))
		return
	}
	b.SetJSON(KeyOrgTag(org, FoldTag(t.Tag)), t)
}

// ensureVocab builds the org's vocabulary from its calls the first time it
// is needed: calls tagged before the vocabulary existed have no entries.
// The build runs once per org (a ready marker is committed with the
// entries), lazily, so startup needs no migration step. Oldest calls are
// read first, so the first spelling the org used wins; older calls keep the
// spelling they were tagged with.
//
// It takes the org's vocabulary lock (buildVocab is the same for a caller
// already holding it); every committed change to Call.Tags holds that lock
// too, so the scan sees a settled set of tags.
func ensureVocab(s storage.Store, org string) error {
	if _, err := s.Get(KeyOrgTagsReady(org)); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("calls: tag vocabulary of %s: %w", org, err)
	}
	defer lockVocab(org)()
	return buildVocab(s, org)
}

// buildVocab is ensureVocab's work, with the org's vocabulary lock held.
func buildVocab(s storage.Store, org string) error {
	if _, err := s.Get(KeyOrgTagsReady(org)); err == nil {
		return nil // built while we waited for the lock
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("calls: tag vocabulary of %s: %w", org, err)
	}
	vocab := map[string]*OrgTag{}
	prefix := PrefixRecent(org)
	err := s.Scan(prefix, storage.ScanOptions{Reverse: true}, func(k, _ []byte) (bool, error) {
		_, id, ok := recentAt(prefix, k)
		if !ok {
			return true, nil
		}
		c, err := Get(s, org, id)
		if errors.Is(err, storage.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		seen := map[string]bool{} // one call counts once per tag
		for _, tag := range c.Tags {
			f := FoldTag(tag)
			if seen[f] {
				continue
			}
			seen[f] = true
			if vocab[f] == nil {
				vocab[f] = &OrgTag{Tag: tag}
			}
			vocab[f].Calls++
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("calls: build tag vocabulary of %s: %w", org, err)
	}
	b := s.NewBatch()
	for _, t := range vocab {
		putOrgTag(b, org, t)
	}
	b.Set(KeyOrgTagsReady(org), nil)
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("calls: build tag vocabulary of %s: %w", org, err)
	}
	return nil
}
