package crm_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/storagetest"
)

// TestOneEnabledUnderRace: creates and enables racing in one org leave one
// enabled connector; every loser is a conflict. A race is won or lost by
// timing, so it is run for several orgs.
func TestOneEnabledUnderRace(t *testing.T) {
	st := storagetest.OpenMem(t)
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	p := egresspolicy.Policy{AllowPrivate: true}
	const n, rounds = 32, 20
	race := func(org string, op func(i int) error) (won, lost int) {
		t.Helper()
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = op(i)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			var ce *storage.ConflictError
			switch {
			case err == nil:
				won++
			case errors.As(err, &ce):
				lost++
			default:
				t.Fatalf("org %s: %v", org, err)
			}
		}
		return won, lost
	}
	enabled := func(org string) int {
		cs, _, err := crm.List(st, org, storage.PageRequest{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		on := 0
		for _, c := range cs {
			if c.Enabled {
				on++
			}
		}
		return on
	}
	for r := range rounds {
		org := "org_c" + string(rune('a'+r))
		won, lost := race(org, func(int) error {
			_, _, err := crm.Create(st, org, storagetest.Typed[crm.Input](t, []byte(`{"name":"CRM","base_url":"https://crm.example.com"}`)), p, 0, now)
			return err
		})
		if won != 1 || lost != n-1 || enabled(org) != 1 {
			t.Fatalf("%d racing creates: %d won, %d conflicts, %d enabled; want 1, %d, 1", n, won, lost, enabled(org), n-1)
		}
	}
	for r := range rounds {
		org := "org_p" + string(rune('a'+r))
		ids := make([]string, n)
		for i := range ids {
			c, _, err := crm.Create(st, org, storagetest.Typed[crm.Input](t, []byte(`{"name":"CRM","base_url":"https://crm.example.com","enabled":0}`)), p, 0, now)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = c.ID
		}
		won, lost := race(org, func(i int) error {
			_, err := crm.Patch(st, org, ids[i], storagetest.Typed[crm.Input](t, []byte(`{"enabled":1}`)), p, now)
			return err
		})
		if won != 1 || lost != n-1 || enabled(org) != 1 {
			t.Fatalf("%d racing enables: %d won, %d conflicts, %d enabled; want 1, %d, 1", n, won, lost, enabled(org), n-1)
		}
	}
}
