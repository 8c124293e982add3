package mcptools

import (
	"fmt"
	"slices"
	"strings"

	"github.com/humd/humd/storage"
)

func keyAttach(org, flow, id string) []byte { return storage.Key("flow-mcp", org, flow, id) }
func prefixAttach(org, flow string) []byte  { return storage.Prefix("flow-mcp", org, flow) }

// FlowIntegrations answers the ids of the integrations attached to a flow,
// in id order. Ids of integrations deleted since are not answered.
func FlowIntegrations(s storage.Store, org, flow string) ([]string, error) {
	prefix := prefixAttach(org, flow)
	ids := []string{}
	err := s.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		ids = append(ids, strings.TrimPrefix(string(k), string(prefix)))
		return true, nil
	})
	return ids, err
}

// SetFlowIntegrations replaces the flow's attachments with the body's
// {"integration_ids":[...]}; every id must be an integration of the org.
// The caller has checked that the flow is the org's.
func SetFlowIntegrations(s storage.Store, org, flow string, integrationIDs []string) ([]string, error) {
	if integrationIDs == nil {
		return nil, storage.Invalid("integration_ids", "required ([] detaches every integration)")
	}
	ids := append([]string{}, slices.Compact(slices.Sorted(slices.Values(integrationIDs)))...) // [] detaches all, answered as []
	if len(ids) > MaxAttached {
		return nil, storage.Invalid("integration_ids", fmt.Sprintf("at most %d integrations per flow", MaxAttached))
	}
	nameMu.Lock() // an integration deleted meanwhile would leave a dangling attachment
	defer nameMu.Unlock()
	for _, id := range ids {
		if ok, err := s.Has(keyIntegration(org, id)); err != nil {
			return nil, err
		} else if !ok {
			return nil, storage.Invalid("integration_ids", fmt.Sprintf("%q is not an MCP integration of this org", id))
		}
	}
	batch := s.NewBatch()
	err := s.Scan(prefixAttach(org, flow), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		batch.Delete(k)
		return true, nil
	})
	if err != nil {
		batch.Discard()
		return nil, err
	}
	for _, id := range ids {
		batch.Set(keyAttach(org, flow, id), []byte{})
	}
	return ids, batch.Commit(storage.Sync)
}
