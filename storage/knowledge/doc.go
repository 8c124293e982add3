// Package knowledge keeps an org's knowledge base: documents with a title
// and text, and a BM25 ranking over their passages. The AI reads it through
// the lookup_knowledge tool, and the built-in local model answers from it.
//
// Search scans the org's documents on each query: knowledge bases are
// small (tens to hundreds of documents), and ranking fresh data this way
// needs no index to keep in step with edits.
//
// Concurrency: functions are safe for concurrent use; writes to one document
// are serialised by a striped lock.
package knowledge
