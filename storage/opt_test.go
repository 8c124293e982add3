package storage

import (
	"encoding/json"
	"testing"
)

func TestOptTellsAbsentNullAndValue(t *testing.T) {
	var in struct {
		A Opt[string] `json:"a,omitempty"`
		B Opt[string] `json:"b,omitempty"`
		C Opt[int]    `json:"c,omitempty"`
	}
	if err := json.Unmarshal([]byte(`{"b":null,"c":7}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.A.Set || !in.B.Set || !in.B.Null || !in.C.Set || in.C.Null || in.C.V != 7 {
		t.Fatalf("decoded %+v", in)
	}
	if _, ok := in.B.Value(); ok {
		t.Fatal("null has no value")
	}
	if v, ok := in.C.Value(); !ok || v != 7 {
		t.Fatalf("Value() = %v, %v", v, ok)
	}
	if err := json.Unmarshal([]byte(`{"c":"x"}`), &in); err == nil {
		t.Fatal("a string decoded into Opt[int]")
	}
}
