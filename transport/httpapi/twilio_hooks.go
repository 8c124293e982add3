package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/twilio/twilio-go/twiml"
	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/twilio"
)

// errBadSignature names what to check, since the usual cause is a
// configuration mismatch rather than an attack.
var errBadSignature = &StatusError{403, "invalid_signature",
	"X-Twilio-Signature does not match this request; check TWILIO_AUTH_TOKEN and that HUMD_PUBLIC_URL is the URL Twilio calls"}

// emptyTwiML is the answer to an inbound SMS webhook: humd replies through the
// REST API, never inline.
var emptyTwiML = func() []byte {
	s, err := twiml.Messages(nil)
	if err != nil {
		panic(err)
	}
	return []byte(s)
}()

// checkTwilio verifies X-Twilio-Signature with twilio-go's validator over the
// public URL Twilio called (HUMD_PUBLIC_URL + path and query) and the posted
// form. Nothing is stored for a request that fails.
func (s *Server) checkTwilio(ctx *fasthttp.RequestCtx) error {
	if !signedWith(ctx, s.deps.TwilioAuthToken, s.deps.PublicURL) {
		return errBadSignature
	}
	return nil
}

// signedWith reports whether the request's X-Twilio-Signature is token's
// over publicURL + path and query and the posted form.
func signedWith(ctx *fasthttp.RequestCtx, token, publicURL string) bool {
	sig := string(ctx.Request.Header.Peek("X-Twilio-Signature"))
	if token == "" || sig == "" {
		return false
	}
	return twilio.ValidateForm(token, publicURL+string(ctx.RequestURI()), ctx.PostArgs().VisitAll, sig)
}

func randomSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// numberRef is sms.NumberRef behind a per-server cache: every inbound text
// names its number, and the pair never changes once it exists.
func (s *Server) numberRef(e164 string) (org, id string, err error) {
	if v, ok := s.numberRefs.Load(e164); ok {
		ref := v.([2]string)
		return ref[0], ref[1], nil
	}
	if org, id, err = sms.NumberRef(s.deps.Store, e164); err == nil {
		s.numberRefs.Store(e164, [2]string{org, id})
	}
	return org, id, err
}

// ingest stores an inbound text through its thread actor and answers once it
// is durable.
func (s *Server) ingest(in *conversation.Inbound) (*conversation.InboundResult, error) {
	org, id, err := s.numberRef(in.To)
	if err != nil {
		return nil, fmt.Errorf("inbound to %s: %w", in.To, err)
	}
	return askThread[*conversation.InboundResult](s, org, id, in.From, in)
}

func (s *Server) twilioInbound(c *Call) error {
	if err := s.checkTwilio(c.Ctx); err != nil {
		return err
	}
	f := c.Ctx.PostArgs()
	in := &conversation.Inbound{SID: string(f.Peek("MessageSid")), From: string(f.Peek("From")), To: string(f.Peek("To")), Body: string(f.Peek("Body"))}
	if in.SID == "" {
		in.SID = string(f.Peek("SmsSid"))
	}
	v := &storage.ValidationError{}
	if in.SID == "" {
		v.Add("MessageSid", "required")
	}
	if in.From == "" {
		v.Add("From", "required")
	}
	if in.To == "" {
		v.Add("To", "required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	in.NumSegments, _ = strconv.Atoi(string(f.Peek("NumSegments")))
	nm, _ := strconv.Atoi(string(f.Peek("NumMedia")))
	for i := 0; i < nm && i < 10; i++ {
		url := string(f.Peek("MediaUrl" + strconv.Itoa(i)))
		if url != "" {
			in.Media = append(in.Media, sms.Media{URL: url, ContentType: string(f.Peek("MediaContentType" + strconv.Itoa(i)))})
		}
	}
	if _, err := s.ingest(in); err != nil {
		return err
	}
	c.Ctx.SetStatusCode(200)
	c.Ctx.SetContentType("text/xml")
	c.Ctx.SetBody(emptyTwiML)
	return nil
}

func (s *Server) twilioStatus(c *Call) error {
	if err := s.checkTwilio(c.Ctx); err != nil {
		return err
	}
	f := c.Ctx.PostArgs()
	sid, status := string(f.Peek("MessageSid")), string(f.Peek("MessageStatus"))
	if status == "" {
		status = string(f.Peek("SmsStatus"))
	}
	if sid == "" || status == "" {
		return storage.Invalid("MessageSid", "MessageSid and MessageStatus are required")
	}
	code, _ := strconv.Atoi(string(f.Peek("ErrorCode")))
	if err := s.applyStatus(sid, status, code); err != nil {
		return err
	}
	c.Ctx.SetStatusCode(200)
	c.Ctx.SetContentType("text/xml")
	c.Ctx.SetBody(emptyTwiML)
	return nil
}

// applyStatus routes a status callback to the thread that owns the SID; a
// callback that beats the carrier's own answer is kept until that arrives.
func (s *Server) applyStatus(sid, status string, code int) error {
	ref, err := sms.LookupSID(s.deps.Store, sid)
	if errors.Is(err, storage.ErrNotFound) {
		if ref, err = conversation.RecordEarlyStatus(s.deps.Store, sid, status, code); ref == nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	_, err = askThread[*conversation.StatusApplied](s, ref.OrgID, ref.NumberID, ref.ContactE164, &conversation.Status{SID: sid, Status: status, ErrorCode: code})
	return err
}

// ApplyStatus is how the sandbox carrier reports its status callbacks: the
// same path a signed /twilio/sms/status reaches.
func (s *Server) ApplyStatus(sid, status string, code int) error {
	return s.applyStatus(sid, status, code)
}
