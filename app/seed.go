package app

import (
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/sms"
)

// SandboxNumber is the number a fresh sandbox install texts from: Twilio's
// magic "valid" test number, which the sandbox carrier also lists.
const SandboxNumber = "+15005550006"

// Seeded is what the first sandbox start created, for the startup banner.
type Seeded struct {
	Number    *sms.Number
	Flow      *flows.Flow
	VoiceFlow *flows.Flow
	Docs      int
}

var seedDocs = []struct{ title, text string }{
	{"Opening hours", "We are open Monday to Friday, 9am to 5pm Eastern.\n\nOn public holidays we are closed; texts sent then are answered the next business day."},
	{"Returns and refunds", "You can return any item within 30 days with the receipt.\n\nRefunds go back to the original card within 5 business days of the return arriving."},
	{"Shipping", "Orders ship within two business days.\n\nWe text a tracking link as soon as the parcel leaves the warehouse."},
}

// seedSandbox gives a fresh sandbox install something to talk to: an SMS
// flow and a voice flow answered by the AI, the sandbox number pointing at
// both, and a few
// knowledge documents the local model answers from. It runs once, on the
// start that bootstrapped the org.
func (a *App) seedSandbox(org string, fl *flows.Repo) (*Seeded, error) {
	f, err := fl.Create(org, flows.Input{Name: storage.Some("Sandbox texting agent"), Channel: storage.Some("sms"),
		TriggerType:   storage.Some("message"),
		SystemPrompt:  storage.Some("You answer text messages for a small shop. Be brief and friendly. Use lookup_knowledge for facts about hours, returns and shipping; if you cannot help, use assign_to_human."),
		SMSConfigJSON: storage.Some(flows.SMSConfigInput{DebounceMS: storage.Some(3000)})})
	if err != nil {
		return nil, fmt.Errorf("seed flow: %w", err)
	}
	vf, err := fl.Create(org, flows.Input{Name: storage.Some("Sandbox voice agent"), Channel: storage.Some("voice"), Kind: storage.Some("inbound"),
		Greeting:         storage.Some("Thanks for calling the sandbox shop. How can I help?"),
		SystemPrompt:     storage.Some("You answer phone calls for a small shop. Keep answers short. Use lookup_knowledge for facts about hours, returns and shipping, and end_call when the caller is done."),
		VoicemailEnabled: storage.Some(storage.Bool(true))})
	if err != nil {
		return nil, fmt.Errorf("seed voice flow: %w", err)
	}
	now := a.Clock.Now()
	n, err := sms.RegisterNumber(a.Store, org, SandboxNumber, "Sandbox line", "sandbox", now)
	if err != nil {
		return nil, fmt.Errorf("seed number: %w", err)
	}
	n.SMSFlowID, n.SMSEnabled, n.MPS, n.ProviderSID = &f.ID, true, 10, "PNsandbox"+SandboxNumber[1:]
	n.FlowID = &vf.ID
	b := a.Store.NewBatch()
	sms.PutNumber(b, n)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	for _, d := range seedDocs {
		doc := &knowledge.Doc{ID: storage.NewID("kb"), OrgID: org, Title: d.title, Text: d.text, CreatedAt: now, UpdatedAt: now}
		if err := knowledge.Put(a.Store, doc); err != nil {
			return nil, err
		}
	}
	return &Seeded{Number: n, Flow: f, VoiceFlow: vf, Docs: len(seedDocs)}, nil
}
