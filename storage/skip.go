package storage

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"

	gojson "github.com/goccy/go-json"
	"github.com/prometheus/client_golang/prometheus"
)

// Why a consumer went past a record: the reason label of
// humd_records_skipped_total.
const (
	// SkipUndecodable is a record whose stored bytes do not decode.
	SkipUndecodable = "undecodable"
	// SkipUnprocessable is a record that decodes but cannot be acted on
	// (a webhook payload that does not encode, an event whose data is not
	// the shape its type promises).
	SkipUnprocessable = "unprocessable"
)

// ErrUnreadable marks a stored record a consumer cannot read; wrap it to make
// Undecodable true for an error of one's own.
var ErrUnreadable = errors.New("storage: unreadable record")

// Undecodable reports whether err says a stored record does not decode: a
// syntax or type error of either JSON decoder humd uses (goccy/go-json for
// records, encoding/json elsewhere), or ErrUnreadable, however wrapped. Such
// a record stays unreadable however often it is read, so consumers skip it
// (see Skips) rather than stop at it.
func Undecodable(err error) bool {
	var (
		syn   *json.SyntaxError
		typ   *json.UnmarshalTypeError
		gsyn  *gojson.SyntaxError
		gtyp  *gojson.UnmarshalTypeError
		utf8  *gojson.InvalidUTF8Error
		field *gojson.UnmarshalFieldError
	)
	return err != nil && (errors.Is(err, ErrUnreadable) || errors.As(err, &syn) || errors.As(err, &typ) ||
		errors.As(err, &gsyn) || errors.As(err, &gtyp) || errors.As(err, &utf8) || errors.As(err, &field))
}

// Skips is how every reader of stored records (the webhook, CRM and enrich
// actors following the event log, and list pages) reports a record it went
// past because it could not decode or process it: one count in
// humd_records_skipped_total{consumer,reason} and one log line. A consumer
// that moves a cursor past the record reports it once, after the cursor
// move commits, so a record is reported once, not on every poll.
//
// A nil *Skips still logs (to slog.Default) and counts nothing.
type Skips struct {
	counter *prometheus.CounterVec
	log     *slog.Logger
}

// NewSkips makes the counter, registers it with reg (when not nil) and logs
// to log (slog.Default when nil).
func NewSkips(reg prometheus.Registerer, log *slog.Logger) *Skips {
	s := &Skips{log: log, counter: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_records_skipped_total",
		Help: "Stored records a consumer went past because it could not decode or process them, by consumer and reason."},
		[]string{"consumer", "reason"})}
	if s.log == nil {
		s.log = slog.Default()
	}
	if reg != nil {
		reg.MustRegister(s.counter)
	}
	return s
}

// Skip reports one record: consumer is who went past it ("webhook", "crm",
// "enrich", "list"), reason a Skip constant, key the record's key, err why;
// attrs are extra log attributes (the org, an endpoint).
func (s *Skips) Skip(consumer, reason string, key []byte, err error, attrs ...any) {
	log := slog.Default()
	if s != nil {
		log = s.log
		s.counter.WithLabelValues(consumer, reason).Inc()
	}
	args := append([]any{"consumer", consumer, "reason", reason, "key", strconv.Quote(string(key)), "err", err}, attrs...)
	log.Warn("record skipped", args...)
}
