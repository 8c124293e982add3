// Package llm implements ai.Model, the edge between humd's actors and the
// models that answer AI turns (D-3).
//
// OpenAI speaks openai-go's Responses API to api.openai.com or any
// compatible base URL. A run resends the whole transcript on every request
// (store=false), asks for parallel_tool_calls=false and executes the model's
// function calls one at a time, in order, through the actor's ToolExec, so
// tools act on a thread's state exactly as the SPEC's sequential tool loop
// requires. At the turn's MaxToolCalls the model is asked once more with
// tool_choice "none" for a final text. Failures map onto ai.ErrTimeout (the
// run's deadline), ai.ErrProvider (HTTP and API errors, after openai-go's own
// retries) and ai.ErrMalformed (no usable text).
//
// Result.Usage sums the usage object (input_tokens, output_tokens) of every
// response of the run, tool rounds included; a streamed request reads it
// from response.completed (or response.incomplete). A run that fails answers
// no Result, so the tokens of its earlier requests go uncounted.
//
// A Turn with OnDelta streams: every request of the loop is made with
// Responses.NewStreaming, each response.output_text.delta is handed to
// OnDelta as it arrives (voice speaks it at once), and the response object
// of response.completed feeds the same tool loop. response.failed and error
// events are ai.ErrProvider, a stream that ends without a terminal event is
// ai.ErrMalformed, and a cancelled context stops the read at once with an
// error wrapping context.Canceled.
//
// Local is the built-in model for sandbox mode: no network, deterministic,
// answering from the org's knowledge base through the turn's knowledge tool.
// With OnDelta it hands its answer over word by word. It reports zero Usage:
// it uses no tokens.
// Package llmtest fakes the Responses API on loopback for tests.
//
// Concurrency: OpenAI and Local are safe for concurrent use; they hold no
// mutable state after construction, and each Run keeps its transcript on its
// own stack. Run blocks on the network and on exec, so callers run it on a
// worker goroutine, never inside an actor's Receive. Within one Run, exec is
// never called concurrently, and OnDelta is called on Run's own goroutine,
// in order.
package llm
