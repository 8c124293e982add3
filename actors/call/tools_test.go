package call

import (
	"slices"
	"testing"

	"github.com/humd/humd/storage/flows"
)

// TestBuiltinCatalogue: the tools a call can offer are exactly the voice
// names tools_json.builtin is validated against, so an allow-list never
// names a tool that does not exist, nor misses one that does.
func TestBuiltinCatalogue(t *testing.T) {
	a := &Actor{d: &Deps{Text: func(_, _, _, _, _ string) {}},
		flow: &flows.Flow{TransfersJSON: []flows.Transfer{{Label: "desk", E164: "+13175550199"}}}}
	var got []string
	for _, tool := range a.builtinTools() {
		got = append(got, tool.Name)
	}
	want := slices.Clone(flows.VoiceBuiltins)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("built-in voice tools = %v; flows.VoiceBuiltins = %v", got, want)
	}
}
