package app

import (
	"encoding/json"

	"github.com/humd/humd/storage/hours"
)

// validateHours checks an org's business_hours_json (D-12).
func validateHours(raw json.RawMessage) error {
	_, err := hours.Parse(raw)
	return err
}
