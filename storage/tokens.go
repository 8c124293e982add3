package storage

// Tokens is AI model usage as records keep it: an SMS run's, a call's (its
// turns and its summary). Billing sums them over a month (SPEC 1.17). It has
// ai.Usage's fields, so actors convert with Tokens(res.Usage).
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
