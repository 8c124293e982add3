package storage

import (
	"errors"
	"fmt"
)

// ErrPaymentRequired is a 402: the org's plan does not cover the request
// (SPEC 1.17). Nothing was changed.
var ErrPaymentRequired = errors.New("plan limit reached")

// PlanLimitError names the limit that was hit. It matches ErrPaymentRequired.
type PlanLimitError struct {
	Resource string // "numbers"
	Limit    int
}

func (e *PlanLimitError) Error() string {
	return fmt.Sprintf("the plan allows %d %s; raise the limit or allow extras in billing settings", e.Limit, e.Resource)
}

func (e *PlanLimitError) Unwrap() error { return ErrPaymentRequired }
