package logredact

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Redacted replaces a secret.
const Redacted = "[redacted]"

// TriggerPath is the path under which trigger URLs carry their token.
const TriggerPath = "/api/triggers/in/"

// credentialHeaders are header names whose value is a credential wherever
// it appears (lower case).
var credentialHeaders = []string{"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie", "x-twilio-signature"}

// A header's value runs to the end of its line. In fasthttp's %q dumps a
// line ends at an escaped \r or \n, the dump at an unescaped quote; an
// escaped quote or backslash stays inside the value.
const headerValue = `(?:[^\\"\r\n]|\\[^rn])+`

// start is where a word may start: \b, except that in a %q dump the word
// after an escaped line break follows its letter (\r\nhum_live_...).
const start = `(^|[^A-Za-z0-9_]|\\[rnt])`

// rules are applied in order; earlier ones may hide what later ones would
// find, which is fine: each only ever widens what is replaced.
var rules = []struct {
	re   *regexp.Regexp
	repl string
}{
	// "Authorization: Bearer ...", "x-api-key=...", "\"cookie\":\"...\"". No word
	// boundary before the name: in a %q dump it follows the n of an escaped \n.
	{regexp.MustCompile(`(?i)(` + strings.Join(credentialHeaders, "|") + `)((?:\\?")?\s*[:=]\s*(?:\\?")?)` + headerValue), "${1}${2}" + Redacted},
	// fasthttp: invalid header value "...", invalid trailer value "...".
	{regexp.MustCompile(`(invalid (?:header|trailer) value )"(?:[^"\\]|\\.)*"`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)` + start + `(bearer|basic)(\s+)[A-Za-z0-9._~+/=:-]+`), "${1}${2}${3}" + Redacted},
	// Key and secret shapes, long enough not to catch the ids that share a
	// prefix (trg_ and crm_ and a 26-character ULID) or a key's display prefix.
	{regexp.MustCompile(start + `(hum_[a-z]+_)[A-Za-z0-9]{12,}`), "${1}${2}" + Redacted},
	{regexp.MustCompile(start + `(sk[_-])[A-Za-z0-9_-]{12,}`), "${1}${2}" + Redacted},
	{regexp.MustCompile(start + `(whsec_)[A-Za-z0-9+/=]{12,}`), "${1}${2}" + Redacted},
	{regexp.MustCompile(start + `(crm_)[0-9a-f]{40,}`), "${1}${2}" + Redacted},
	{regexp.MustCompile(start + `(trg_)[A-Za-z0-9_-]{40,}`), "${1}${2}" + Redacted},
	// The whole rest of a trigger path: a wrong token is as private as a
	// right one (it may be the right one mistyped). The route's own pattern
	// ({token}) stays.
	{regexp.MustCompile(regexp.QuoteMeta(TriggerPath) + `[^?#\s"\\{][^?#\s"\\]*`), TriggerPath + Redacted},
}

// String answers s with every credential it recognises replaced.
func String(s string) string {
	for _, r := range rules {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

func credentialKey(k string) bool {
	k = strings.ToLower(strings.ReplaceAll(k, "_", "-"))
	for _, h := range credentialHeaders {
		if k == h {
			return true
		}
	}
	return false
}

// Attr answers a with its value redacted: a credential header's name hides
// the value whole; strings, errors, byte slices, Stringers and groups are
// redacted through String; any other value is formatted and replaced by its
// redacted text only when redaction changed it.
func Attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if credentialKey(a.Key) && !v.Equal(slog.StringValue("")) {
		return slog.String(a.Key, Redacted)
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, x := range g {
			out[i] = Attr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, String(x.Error()))
		case []byte:
			return slog.String(a.Key, String(string(x)))
		case fmt.Stringer:
			return slog.String(a.Key, String(x.String()))
		default:
			s := fmt.Sprintf("%+v", x)
			if r := String(s); r != s {
				return slog.String(a.Key, r)
			}
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Handler redacts every record before its inner handler sees it.
type Handler struct{ inner slog.Handler }

// New wraps h; a handler that already redacts is answered as it is.
func New(h slog.Handler) slog.Handler {
	if _, ok := h.(*Handler); ok {
		return h
	}
	return &Handler{inner: h}
}

// Logger answers l with redaction (a nil l is slog.Default()).
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	if _, ok := l.Handler().(*Handler); ok {
		return l
	}
	return slog.New(New(l.Handler()))
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(Attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = Attr(a)
	}
	return &Handler{inner: h.inner.WithAttrs(out)}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name)}
}
