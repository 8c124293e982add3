package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/humd/humd/storage"
)

type reflInner struct {
	N int `json:"n"`
}

type reflBase struct {
	ID   string `json:"id"`
	Note string `json:"note,omitempty"`
}

type reflAnswer struct {
	*reflBase
	Note    int               `json:"note"` // shadows the embedded one
	When    time.Time         `json:"when"`
	Maybe   *time.Time        `json:"maybe"`
	Absent  *string           `json:"absent,omitempty"`
	Raw     json.RawMessage   `json:"raw,omitempty"`
	Tags    []string          `json:"tags"`
	Vars    map[string]string `json:"vars"`
	Free    map[string]any    `json:"free"`
	Inner   reflInner         `json:"inner"`
	Hidden  string            `json:"-"`
	private string
	Status  string `json:"status" jsonschema:"enum=a|b" doc:"what it is"`
}

type reflBody struct {
	Name  string       `json:"name" jsonschema:"minLength=1,maxLength=9"`
	Flag  *bool        `json:"flag,omitempty" jsonschema:"required"`
	Clear *string      `json:"clear,omitempty" jsonschema:"nullable"`
	Items []string     `json:"items,omitempty" jsonschema:"items.maxLength=3"`
	Inner reflInner    `json:"inner"`
	Ext   reflExtended `json:"ext"`
}

type reflExtended string

func (reflExtended) JSONSchemaExtend(s Schema) { s["description"] = "extended" }

type reflComponent struct {
	A string `json:"a"`
}

func init() { Component[reflComponent]("ReflComponent", func(s Schema) { SetEnum(s, "a", "x") }) }

type reflHolder struct {
	C  reflComponent  `json:"c"`
	CP *reflComponent `json:"cp"`
}

// TestReflectAnswer holds the reflection of an answer type to the rules the
// document relies on: json names with shallower keys winning, omitempty
// optional, nil pointers nullable, tags, and open objects.
func TestReflectAnswer(t *testing.T) {
	s := newReflector().answer(reflect.TypeFor[reflAnswer]())
	props := s["properties"].(map[string]Schema)
	for _, k := range []string{"-", "Hidden", "private"} {
		if _, ok := props[k]; ok {
			t.Errorf("reflected %q, which encoding/json never writes", k)
		}
	}
	if got := props["note"]["type"]; got != "integer" {
		t.Errorf("note is %v; want the outer field's integer, which shadows the embedded string", got)
	}
	if got := props["when"]; got["format"] != "date-time" {
		t.Errorf("time.Time reflects as %v; want a date-time string", got)
	}
	if !isNullable(props["maybe"]) {
		t.Errorf("a pointer without omitempty reflects as %v; want it nullable", props["maybe"])
	}
	if isNullable(props["absent"]) {
		t.Errorf("a pointer with omitempty reflects as %v; want it not nullable (nil leaves the key out)", props["absent"])
	}
	if len(props["raw"]) != 0 {
		t.Errorf("json.RawMessage reflects as %v; want any JSON ({})", props["raw"])
	}
	if props["vars"]["additionalProperties"].(Schema)["type"] != "string" || props["free"]["additionalProperties"] != true {
		t.Errorf("maps reflect as %v and %v; want objects of string values and of any values", props["vars"], props["free"])
	}
	if st := props["status"]; !reflect.DeepEqual(st["enum"], []string{"a", "b"}) || st["description"] != "what it is" {
		t.Errorf("status reflects as %v; want its tag's enum and doc", st)
	}
	want := []string{"id", "note", "when", "maybe", "tags", "vars", "free", "inner", "status"}
	if got := s["required"].([]string); !sameSet(got, want) {
		t.Errorf("required = %v; want %v (every key without omitempty)", got, want)
	}
	if _, ok := s["additionalProperties"]; ok {
		t.Errorf("an answer's object is closed: %v", s)
	}
}

// TestReflectBody: a request body's objects are closed and inline, and its
// tags constrain it.
func TestReflectBody(t *testing.T) {
	s := newReflector().body(reflect.TypeFor[reflBody]())
	props := s["properties"].(map[string]Schema)
	if s["additionalProperties"] != false || props["inner"]["additionalProperties"] != false {
		t.Errorf("a body's objects are open: %v", s)
	}
	if n := props["name"]; n["minLength"] != 1 || n["maxLength"] != 9 {
		t.Errorf("name reflects as %v; want its tag's lengths", n)
	}
	if isNullable(props["flag"]) || !slices.Contains(s["required"].([]string), "flag") {
		t.Errorf("flag (omitempty, required tag) is %v, required %v; want required and not nullable", props["flag"], s["required"])
	}
	if !isNullable(props["clear"]) || slices.Contains(s["required"].([]string), "clear") {
		t.Errorf("clear (omitempty, nullable tag) is %v; want optional and nullable", props["clear"])
	}
	if props["items"]["items"].(Schema)["maxLength"] != 3 {
		t.Errorf("items reflects as %v; want its items' maxLength", props["items"])
	}
	if props["ext"]["description"] != "extended" {
		t.Errorf("a type's JSONSchemaExtend did not run: %v", props["ext"])
	}
}

// TestReflectComponents: a registered component is a $ref in answers (a
// nullable one when a pointer), inline in bodies, and its extension runs on
// its own schema.
func TestReflectComponents(t *testing.T) {
	rf := newReflector()
	props := rf.answer(reflect.TypeFor[reflHolder]())["properties"].(map[string]Schema)
	if props["c"]["$ref"] != "#/components/schemas/ReflComponent" {
		t.Errorf("c reflects as %v; want the component's $ref", props["c"])
	}
	if !isNullable(props["cp"]) || nonNull(props["cp"])["$ref"] != "#/components/schemas/ReflComponent" {
		t.Errorf("cp reflects as %v; want a nullable $ref", props["cp"])
	}
	comps := rf.components()
	c, _ := comps["ReflComponent"].(Schema)
	if c == nil || !reflect.DeepEqual(Prop(c, "a")["enum"], []string{"x"}) {
		t.Errorf("components = %v; want ReflComponent with its extension's enum", comps)
	}
	if body := newReflector().body(reflect.TypeFor[reflHolder]()); body["properties"].(map[string]Schema)["c"]["$ref"] != nil {
		t.Errorf("a body refers to a component: %v", body)
	}
}

func isNullable(s Schema) bool { return !reflect.DeepEqual(nonNull(s), s) }

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestReflectOptIsNullableElem(t *testing.T) {
	type patch struct {
		Name storage.Opt[string] `json:"name,omitempty" jsonschema:"maxLength=9"`
	}
	s := newReflector().body(reflect.TypeFor[patch]())
	got, _ := json.Marshal(s)
	want, _ := json.Marshal(Schema{"type": "object", "additionalProperties": false,
		"properties": map[string]Schema{"name": Nullable(Schema{"type": "string", "maxLength": 9})}})
	if string(got) != string(want) {
		t.Fatalf("schema of an Opt field:\n got %s\nwant %s", got, want)
	}
}
