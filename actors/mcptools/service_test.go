package mcptools

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/storagetest"
)

var openAIName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func TestModelName(t *testing.T) {
	long := strings.Repeat("very_long_tool_name_", 6)
	cases := []struct{ slug, tool, want string }{
		{"shop", "get_order", "mcp_shop__get_order"},
		{"shop", "orders.get/v2", "mcp_shop__orders_get_v2"},
		{"shop", long, ""},
	}
	for _, c := range cases {
		got := ModelName(c.slug, c.tool)
		if !openAIName.MatchString(got) || (c.want != "" && got != c.want) {
			t.Errorf("ModelName(%q, %q) = %q; want %q within OpenAI's name rules", c.slug, c.tool, got, c.want)
		}
	}
	if ModelName("shop", long) == ModelName("shop", long+"x") {
		t.Errorf("two long names cut to the same model name")
	}
	if got := mcptools.Slug("  Shop Tools! (EU) "); got != "shop_tools_eu" {
		t.Errorf("Slug = %q", got)
	}
}

// fakeRemote lists tools and counts listings; fail makes listing fail.
type fakeRemote struct {
	mu     sync.Mutex
	lists  int
	fail   bool
	called []string
}

func (f *fakeRemote) ListTools(context.Context, *mcptools.Integration) ([]RemoteTool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.fail {
		return nil, errors.New("down")
	}
	return []RemoteTool{{Name: "a", Description: "tool a"}, {Name: "b"}}, nil
}

func (f *fakeRemote) CallTool(_ context.Context, _ *mcptools.Integration, tool string, _ map[string]any) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called = append(f.called, tool)
	return "done " + tool, false, nil
}

func setup(t *testing.T) (*Service, *fakeRemote, *clock.Fake, string) {
	t.Helper()
	st := storagetest.OpenMem(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	r := &fakeRemote{}
	s := New(Config{Store: st, Clock: clk, Remote: r, Logger: slog.New(slog.DiscardHandler)})
	in, err := mcptools.Create(st, "org_1", storagetest.Typed[mcptools.Input](t, []byte(`{"name":"Shop","url":"http://127.0.0.1:1/mcp","allowed_tools_json":["a"]}`)),
		egresspolicy.Policy{AllowPrivate: true}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mcptools.SetFlowIntegrations(st, "org_1", "flow_1", []string{in.ID}); err != nil {
		t.Fatal(err)
	}
	return s, r, clk, in.ID
}

func TestToolsCacheAndStale(t *testing.T) {
	s, r, clk, _ := setup(t)
	ctx := context.Background()
	tools := func() []string {
		t.Helper()
		out, err := s.Tools(ctx, "org_1", "flow_1")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tl := range out {
			names = append(names, tl.Name)
		}
		return names
	}
	if got := tools(); len(got) != 1 || got[0] != "mcp_shop__a" || r.lists != 1 {
		t.Fatalf("tools = %v after %d listings; want only the allowed mcp_shop__a", got, r.lists)
	}
	tools()
	if r.lists != 1 {
		t.Errorf("listings = %d within the TTL; want 1 (cached)", r.lists)
	}
	clk.Advance(2 * time.Minute)
	r.fail = true
	if got := tools(); len(got) != 1 || r.lists != 2 {
		t.Errorf("tools = %v after a failed refresh (%d listings); want the stale list", got, r.lists)
	}
	clk.Advance(20 * time.Minute)
	if got := tools(); len(got) != 0 {
		t.Errorf("tools = %v long after the server went down; want none", got)
	}
	if got, _ := s.Tools(ctx, "org_1", "flow_other"); len(got) != 0 {
		t.Errorf("another flow sees %v", got)
	}
}

func TestCallRoutesOnlyAllowedTools(t *testing.T) {
	s, r, _, _ := setup(t)
	ctx := context.Background()
	sub := ai.Subject{Type: ai.SubjectConversation, ID: "conv_1"}
	if _, handled, _ := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "lookup_knowledge", Arguments: "{}"}); handled {
		t.Errorf("a built-in tool was handled")
	}
	if _, handled, err := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "mcp_shop__b", Arguments: "{}"}); !handled || err == nil {
		t.Errorf("a tool that is not allowed: handled %v, err %v; want a refusal", handled, err)
	}
	if _, handled, err := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "mcp_shop__a", Arguments: "[1]"}); !handled || err == nil {
		t.Errorf("arguments that are not an object: handled %v, err %v", handled, err)
	}
	out, handled, err := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "mcp_shop__a", Arguments: `{"x":1}`})
	if !handled || err != nil || !strings.Contains(out, "approval_required") {
		t.Errorf("a tool needing approval = %q, %v, %v", out, handled, err)
	}
	if len(r.called) != 0 {
		t.Errorf("server calls = %v; want none", r.called)
	}
}
