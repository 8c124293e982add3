package storage

// Tokens is AI model usage as records keep it: an SMS run's, a call's (its
// turns and its summary), an agent session's. Billing sums them over a month
// (SPEC 1.17). ai.Usage is this type, so a model's result is stored as is.
type Tokens struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

// Add adds v to t.
func (t *Tokens) Add(v Tokens) {
	t.InputTokens += v.InputTokens
	t.OutputTokens += v.OutputTokens
}

// Total is input plus output tokens.
func (t Tokens) Total() int64 { return t.InputTokens + t.OutputTokens }

// IsZero reports whether no tokens were counted.
func (t Tokens) IsZero() bool { return t.InputTokens == 0 && t.OutputTokens == 0 }
