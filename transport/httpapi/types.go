package httpapi

import (
	"reflect"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/hours"
)

// Type is reflect.TypeFor, short for route tables: Request: Type[T]().
func Type[T any]() reflect.Type { return reflect.TypeFor[T]() }

// Answer declares T as the body of each status: Responses: Answer[T](200).
func Answer[T any](statuses ...int) map[int]reflect.Type {
	out := make(map[int]reflect.Type, len(statuses))
	for _, st := range statuses {
		out[st] = reflect.TypeFor[T]()
	}
	return out
}

// NoBody declares statuses answered without a body (204).
func NoBody(statuses ...int) map[int]reflect.Type {
	out := make(map[int]reflect.Type, len(statuses))
	for _, st := range statuses {
		out[st] = nil
	}
	return out
}

// Types the edge knows how every area writes.
func init() {
	// storage.Bool is how request bodies take a flag: true/false or 0/1
	// (SPEC 1.0).
	Extend[storage.Bool](func(s Schema) { s["type"] = []string{"boolean", "integer"} })
	// storage.Headers answer each value masked.
	Extend[storage.Headers](func(s Schema) {
		s["additionalProperties"] = Schema{"type": "string", "pattern": `^(\*\*\*\*.{0,4})?$`}
		s["description"] = "Custom headers with each value masked: \"****\" and the last four characters of a value of 12 or more."
	})
}

// BusinessHours is D-12's business_hours_json (storage/hours), kept as
// given; null is always open. Orgs and flows carry it.
func BusinessHours() Schema {
	pair := Schema{"type": "array", "items": Str(), "minItems": 2, "maxItems": 2, "description": `["HH:MM","HH:MM"]`}
	week := map[string]Schema{}
	for _, d := range hours.Days {
		week[d] = Arr(pair)
	}
	return Nullable(Obj([]string{"timezone"}, map[string]Schema{
		"timezone":            Str(),
		"weekly":              Nullable(Obj(nil, week)),
		"closed_dates":        Nullable(Arr(Schema{"type": "string", "format": "date"})),
		"after_hours_message": Nullable(StrN(0, 1000)),
	}))
}
