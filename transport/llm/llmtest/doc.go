// Package llmtest is a loopback fake of OpenAI's Responses API (POST
// /v1/responses) so tests drive the real openai-go client end to end: point
// llm.Config.BaseURL at Server.BaseURL, queue answers with ReplyText,
// ReplyToolCall, FailNext and Hang, and read back what the client sent with
// Requests.
//
// A request with "stream": true (Responses.NewStreaming) gets the same
// scripted answer as server-sent events in the real streaming format:
// response.created and response.in_progress, per output item its added,
// delta, done events, and response.completed carrying the whole response.
// SetChunkDelay paces the deltas so a test can interrupt a turn mid-answer.
//
// Every completed answer carries a usage object (input_tokens,
// output_tokens, total_tokens) counted deterministically from the request
// body's and the output's sizes, about four bytes a token; Usage sums what
// the server has reported, for tests that check humd's recorded tokens.
//
// Start ties a fake to a test; New and Close run one anywhere else (the bench
// harness), with Delay to make every answer take a model's time and
// OnRequest to count requests without keeping them.
//
// Concurrency: a Server is safe for concurrent use; the script and the
// request log are guarded by one mutex. Answers are taken from the script in
// arrival order.
package llmtest
