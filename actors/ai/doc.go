// Package ai is the contract between actors that run AI turns (conversation,
// agent session, call) and the models that answer them (transport/llm): the
// Model interface, the Turn an actor hands over, and the Result it gets back.
//
// Concurrency: Model.Run blocks and is called from worker goroutines, never
// inside an actor's Receive. ToolExec implementations must be safe to call
// from that worker; they run tools one at a time (parallel_tool_calls=false).
package ai
