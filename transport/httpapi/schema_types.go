package httpapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The document is reflected from Go types (DESIGN18 "OpenAPI from the
// types"): json tags name the keys (embedded structs flattened, a shallower
// key winning, as encoding/json does); a key without omitempty is required;
// a pointer without omitempty may be null (encoding/json writes null for
// nil); time.Time is a date-time string; json.RawMessage and interfaces are
// any JSON; a map is an object of caller-chosen keys. A field's `jsonschema`
// tag adds what Go types cannot say:
//
//	minLength=1,maxLength=120,minimum=1,maximum=100,minItems=2,pattern=^x$,
//	format=date,enum=open|closed,type=string|integer,nullable,required
//
// The same keys after "items." constrain an array's items; required makes
// an omitempty key required (a request field that is a pointer only so the
// decoder can tell it was sent); a `doc` tag is the key's description. A
// type finishes its own schema with a JSONSchemaExtend method
// (SchemaExtender), or, for a type of another package, with Extend or
// Component (enums and descriptions from Go constants).
//
// Answers and request bodies differ: in an answer a registered Component is
// a $ref and objects are open, so a new field is not a breaking change; a
// body is written out whole with its objects closed (additionalProperties
// false), as the decoders refuse unknown keys.
//
// The reflection is this file rather than a library: google/jsonschema-go
// (the MCP SDK's) inlines every type, writes a nullable $ref as
// {"$ref":...,"type":["null"]} and makes every slice nullable, and
// invopop/jsonschema never makes a pointer nullable without a tag on the
// field, which storage's types cannot carry; both would need more fixing
// up than the rules above take to write.

// optional is storage.Opt[T], a PATCH field whose wire type is T or null.
type optional interface{ OptElem() reflect.Type }

var optType = reflect.TypeFor[optional]()

// SchemaExtender is a type that finishes its reflected schema: enums and
// descriptions from Go constants, a shape reflection cannot see.
type SchemaExtender interface {
	JSONSchemaExtend(s Schema)
}

// ContentTyper is an answer that is not JSON: a string of that content type.
type ContentTyper interface {
	ContentType() string
}

// Text answers: the Go type of a route's non-JSON body.
type (
	// PlainText is text/plain (metrics).
	PlainText string
	// XML is text/xml (TwiML).
	XML string
	// YAML is application/yaml.
	YAML string
	// EventStream is text/event-stream (Server-Sent Events).
	EventStream string
)

func (PlainText) ContentType() string   { return "text/plain" }
func (XML) ContentType() string         { return "text/xml" }
func (YAML) ContentType() string        { return "application/yaml" }
func (EventStream) ContentType() string { return "text/event-stream" }

type component struct {
	name   string
	t      reflect.Type // nil for a hand-written schema
	schema Schema       // hand-written
	extend func(Schema)
}

// registry holds the named components and the extensions of other
// packages' types. Areas fill it from init, so it is complete before any
// document is built.
var registry = struct {
	sync.RWMutex
	byType  map[reflect.Type]*component
	byName  map[string]*component
	extends map[reflect.Type]func(Schema)
}{byType: map[reflect.Type]*component{}, byName: map[string]*component{}, extends: map[reflect.Type]func(Schema){}}

// Component names T in the document: wherever an answer holds a T, the
// document refers to #/components/schemas/name. extend, when given,
// finishes T's reflected schema (Prop, SetEnum help). Call it from init.
func Component[T any](name string, extend func(Schema)) {
	register(&component{name: name, t: reflect.TypeFor[T](), extend: extend})
}

// SchemaComponent names a hand-written schema, for shapes that are not a Go
// type of their own (the seed sessions' envelopes).
func SchemaComponent(name string, s Schema) {
	register(&component{name: name, schema: s})
}

func register(c *component) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.byName[c.name]; dup {
		panic("httpapi: component " + c.name + " registered twice")
	}
	if c.t != nil {
		if prev, dup := registry.byType[c.t]; dup {
			panic(fmt.Sprintf("httpapi: %s registered as %s and %s", c.t, prev.name, c.name))
		}
		registry.byType[c.t] = c
	}
	registry.byName[c.name] = c
}

// Extend finishes the schema of T, a type of another package that cannot
// have a JSONSchemaExtend method (storage.Bool takes 0 and 1 too).
func Extend[T any](extend func(Schema)) {
	registry.Lock()
	defer registry.Unlock()
	registry.extends[reflect.TypeFor[T]()] = extend
}

// ComponentTypes lists the components reflected from Go types, by name.
func ComponentTypes() map[string]reflect.Type {
	registry.RLock()
	defer registry.RUnlock()
	out := map[string]reflect.Type{}
	for name, c := range registry.byName {
		if c.t != nil {
			out[name] = c.t
		}
	}
	return out
}

// Prop is the schema of property name of object schema s, inside its
// nullable wrapper if it has one. It panics when s has no such property,
// so an extension that names a key the type lost fails at start.
func Prop(s Schema, name string) Schema {
	props, _ := s["properties"].(map[string]Schema)
	p, ok := props[name]
	if !ok {
		panic("httpapi: schema has no property " + name)
	}
	return nonNull(p)
}

// SetProp replaces property name of object s (which must have it).
func SetProp(s Schema, name string, p Schema) {
	Prop(s, name)
	s["properties"].(map[string]Schema)[name] = p
}

// SetEnum lists the values property name may take.
func SetEnum(s Schema, name string, vals ...string) { Prop(s, name)["enum"] = vals }

// Describe sets the description of property name.
func Describe(s Schema, name, desc string) { Prop(s, name)["description"] = desc }

// nonNull is the non-null branch of a nullable schema, or s.
func nonNull(s Schema) Schema {
	if alts, ok := s["anyOf"].([]any); ok && len(alts) == 2 {
		if n, _ := alts[1].(Schema); n != nil && n["type"] == "null" {
			if inner, ok := alts[0].(Schema); ok {
				return inner
			}
		}
	}
	return s
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	extenderType = reflect.TypeFor[SchemaExtender]()
	textType     = reflect.TypeFor[ContentTyper]()
)

// reflector builds schemas of Go types for one document and notes the
// components they refer to.
type reflector struct {
	used  map[string]bool
	stack []reflect.Type
}

func newReflector() *reflector { return &reflector{used: map[string]bool{}} }

// answer is the schema of t as an answer: components by reference.
func (r *reflector) answer(t reflect.Type) Schema { return r.of(t, false, true) }

// body is the schema of t as a request body: every object inline and closed.
func (r *reflector) body(t reflect.Type) Schema { return r.of(t, true, false) }

func (r *reflector) of(t reflect.Type, closed, refs bool) Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if refs {
		registry.RLock()
		c := registry.byType[t]
		registry.RUnlock()
		if c != nil {
			r.used[c.name] = true
			return ref(c.name)
		}
	}
	if t.Implements(optType) {
		// storage.Opt[T]: a PATCH field, T on the wire (object makes the
		// field nullable, after its tag has constrained T).
		return r.of(reflect.Zero(t).Interface().(optional).OptElem(), closed, refs)
	}
	if slices.Contains(r.stack, t) {
		panic(fmt.Sprintf("httpapi: %s contains itself; make it a Component", t))
	}
	r.stack = append(r.stack, t)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	s := r.inline(t, closed, refs)
	registry.RLock()
	ext := registry.extends[t]
	registry.RUnlock()
	if ext != nil {
		ext(s)
	}
	if reflect.PointerTo(t).Implements(extenderType) {
		reflect.New(t).Interface().(SchemaExtender).JSONSchemaExtend(s)
	}
	return s
}

// componentSchema is the schema of a registered component itself.
func (r *reflector) componentSchema(c *component) Schema {
	if c.t == nil {
		return c.schema
	}
	r.stack = append(r.stack, c.t)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	s := r.inline(c.t, false, true)
	if reflect.PointerTo(c.t).Implements(extenderType) {
		reflect.New(c.t).Interface().(SchemaExtender).JSONSchemaExtend(s)
	}
	if c.extend != nil {
		c.extend(s)
	}
	return s
}

func (r *reflector) inline(t reflect.Type, closed, refs bool) Schema {
	switch {
	case t == timeType:
		return dateTime()
	case t == rawType:
		return Schema{}
	}
	switch t.Kind() {
	case reflect.String:
		return str()
	case reflect.Bool:
		return boolean()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return integer()
	case reflect.Float32, reflect.Float64:
		return number()
	case reflect.Interface:
		return Schema{}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return str()
		}
		return arr(r.of(t.Elem(), closed, refs))
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return Schema{"type": "object", "additionalProperties": true}
		}
		return mapOf(r.of(t.Elem(), closed, refs))
	case reflect.Struct:
		return r.object(t, closed, refs)
	}
	panic(fmt.Sprintf("httpapi: %s has no JSON Schema", t))
}

func (r *reflector) object(t reflect.Type, closed, refs bool) Schema {
	props := map[string]Schema{}
	var required []string
	for _, f := range jsonFields(t) {
		p := r.of(f.typ, closed, refs)
		if err := applyTag(p, f.tag); err != nil {
			panic(fmt.Sprintf("httpapi: %s.%s: %v", t, f.goName, err))
		}
		if f.doc != "" {
			p["description"] = f.doc
		}
		if f.typ.Kind() == reflect.Pointer && !f.omitempty || f.typ.Implements(optType) || strings.Contains(","+f.tag+",", ",nullable,") {
			p = nullable(p)
		}
		props[f.name] = p
		if !f.omitempty || strings.Contains(","+f.tag+",", ",required,") {
			required = append(required, f.name)
		}
	}
	s := obj(required, props)
	if closed {
		s["additionalProperties"] = false
	}
	return s
}

// applyTag adds a field's jsonschema tag to its schema.
func applyTag(s Schema, tag string) error {
	if tag == "" {
		return nil
	}
	for kv := range strings.SplitSeq(tag, ",") {
		k, v, _ := strings.Cut(kv, "=")
		target := s
		if item, ok := strings.CutPrefix(k, "items."); ok {
			target, _ = s["items"].(Schema)
			if target == nil {
				return fmt.Errorf("%s on a schema without items", k)
			}
			k = item
		}
		switch k {
		case "nullable", "required":
		case "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum":
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s=%q: %w", k, v, err)
			}
			target[k] = n
		case "pattern", "format":
			target[k] = v
		case "enum":
			target[k] = strings.Split(v, "|")
		case "type":
			target[k] = strings.Split(v, "|")
		default:
			return fmt.Errorf("unknown jsonschema tag key %q", k)
		}
	}
	return nil
}

type jsonField struct {
	name, goName string
	typ          reflect.Type
	omitempty    bool
	tag, doc     string
}

// jsonFields lists the keys encoding/json writes for struct t: embedded
// structs flattened, and a shallower field winning over a deeper one of the
// same name, as encoding/json does.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	seen := map[string]bool{}
	level := []reflect.Type{t}
	for len(level) > 0 {
		var next []reflect.Type
		names := map[string]bool{}
		for _, t := range level {
			for i := range t.NumField() {
				f := t.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" || !f.IsExported() && !f.Anonymous {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				ft := f.Type
				if f.Anonymous && name == "" {
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if ft.Kind() == reflect.Struct {
						next = append(next, ft)
						continue
					}
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if seen[name] || names[name] {
					continue
				}
				names[name] = true
				out = append(out, jsonField{name: name, goName: f.Name, typ: f.Type,
					omitempty: strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,"),
					tag:       f.Tag.Get("jsonschema"), doc: f.Tag.Get("doc")})
			}
		}
		for n := range names {
			seen[n] = true
		}
		level = next
	}
	return out
}
