// Package wire decodes what arrives over the wire into typed Go values:
// DecodeStrict turns a JSON request body into a typed input, refusing
// unknown keys, wrong types, trailing data and anything but an object, each
// as a storage.ValidationError naming the wire field; CheckDepth holds a
// JSON input (a request body, a trigger's payload, a model's tool-call
// arguments) to storage.MaxJSONDepth, so that whatever is kept of it reads
// back. Below transport nothing decodes a request: storage and the actors
// take the typed values this package produces.
//
// Concurrency: the functions are pure and safe for concurrent use.
package wire
