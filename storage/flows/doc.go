// Package flows stores AI agents ("flows", SPEC 1.4 and 1.10): what answers a
// number's calls and texts, with its prompt, model, voice, business hours,
// transfer map, tools and sms_config_json. Every flow also has an integer
// agent_id, a per-org sequence (D-9), used by the agent-session API.
//
// Validation is strict: unknown keys, wrong types and out-of-range values
// are 422s naming the field; booleans accept true/false/0/1; null clears an
// optional field. Limits: name 1-120, greeting <= 1000, system_prompt <=
// 32000, model and voice_id <= 100, tools_json an object <= 64 KiB whose
// optional builtin list names known built-in tools, transfers_json <= 50
// entries of {label 1-60, e164 | flow_id of another voice flow of the org},
// and the
// sms_config_json ranges of SPEC 1.10 (honor_quiet_hours may only be true;
// reply_after_hours defaults to false). An sms flow gets the SPEC defaults
// filled in; trigger_type defaults to call (voice) or message (sms).
//
// A flow that a number, an unfinished campaign or another flow's transfer
// points at (Repo.Referenced, Refs) cannot be deleted, nor switched to the
// channel those uses do not take: both are 409 flow_in_use.
//
// Keys: flow/<org>/<flow> -> Flow; flow-agent/<org>/<U64 agent_id> -> flow
// id; seq/<org>/agent.
//
// Concurrency: Repo is safe for concurrent use; read-modify-write of one flow
// is serialized by a striped lock, and a record and its agent index are one
// Sync batch.
package flows
