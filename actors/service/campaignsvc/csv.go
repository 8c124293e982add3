package campaignsvc

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/phone"
)

// A recipients CSV (the console's upload) has a header row; its columns are
// matched case-insensitively. The phone column is required; name,
// first_name and body (an override of the template) are optional; every
// other column is a variable of the row, {{vars.<header>}} in the template.
var (
	phoneColumns = []string{"phone", "contact_e164", "e164", "phone_number", "number"}
	knownColumns = map[string]string{"name": "name", "first_name": "first_name", "body": "body"}
)

// MaxCSVRowErrors bounds the bad lines a CSVError lists one by one; Total
// still counts them all.
const MaxCSVRowErrors = 100

// RowError is one bad line of a recipients CSV.
type RowError struct {
	// Line is the line of the file the row starts on (the header is line 1).
	Line int
	// Column is the header of the value at fault ("" for the whole row).
	Column  string
	Message string
}

func (r RowError) String() string {
	if r.Column == "" {
		return fmt.Sprintf("line %d: %s", r.Line, r.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", r.Line, r.Column, r.Message)
}

// CSVError is a recipients CSV with bad lines; nothing was stored. It
// unwraps to a storage.ValidationError (field "recipients_csv", plus the
// form's own field problems), so the edge answers it as a 422.
type CSVError struct {
	Rows  []RowError // in line order, at most MaxCSVRowErrors
	Total int        // bad lines in all
	// Fields are the other inputs' problems found in the same pass.
	Fields map[string]string
}

func (e *CSVError) Error() string { return e.Unwrap().Error() }

// Unwrap answers the problems as a ValidationError.
func (e *CSVError) Unwrap() error {
	v := &storage.ValidationError{}
	for k, msg := range e.Fields {
		v.Add(k, msg)
	}
	if e.Total > 0 {
		parts := make([]string, 0, min(len(e.Rows), 5))
		for _, r := range e.Rows[:min(len(e.Rows), 5)] {
			parts = append(parts, r.String())
		}
		more := ""
		if e.Total > len(parts) {
			more = fmt.Sprintf(" (and %d more)", e.Total-len(parts))
		}
		v.Addf("recipients_csv", "%d bad line(s), nothing was saved: %s%s", e.Total, strings.Join(parts, "; "), more)
	}
	return v
}

// RecipientsCSV is a checked CSV of recipients.
type RecipientsCSV struct {
	Rows []campaigns.RecipientIn
	// Lines are the file's line of each row.
	Lines []int
	// Duplicates are the lines whose number an earlier line already had;
	// their rows are dropped (the first one wins, as in the REST create).
	Duplicates []int
}

// ParseRecipientsCSV reads and checks a recipients CSV: every line is
// checked before anything is answered, and each bad one is named by its
// line number in a *CSVError. Numbers must be E.164 (the one check the REST
// create uses); names, bodies and variables are held to the REST create's
// lengths, so a checked file always makes a valid campaign.
func ParseRecipientsCSV(r io.Reader) (*RecipientsCSV, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a short or long row is a row error of its own, not the end of the file
	cr.ReuseRecord = false
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, storage.Invalid("recipients_csv", "the file is empty: it needs a header row (phone, name, …) and one row per recipient")
	}
	if err != nil {
		return nil, storage.Invalid("recipients_csv", "line 1: not a CSV header: "+csvReason(err))
	}
	cols, err := readHeader(head)
	if err != nil {
		return nil, err
	}
	out := &RecipientsCSV{}
	bad := &CSVError{}
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			bad.add(RowError{Line: line, Message: csvReason(err) + " (the rest of the file was not read)"})
			break
		}
		line, _ := cr.FieldPos(0)
		row, problems := cols.row(rec)
		if len(problems) > 0 {
			for _, p := range problems {
				p.Line = line
				bad.add(p)
			}
			continue
		}
		if seen[row.E164] {
			out.Duplicates = append(out.Duplicates, line)
			continue
		}
		seen[row.E164] = true
		if len(out.Rows) == campaigns.MaxRecipients {
			bad.add(RowError{Line: line, Message: fmt.Sprintf("more than %d recipients: split the list into several campaigns", campaigns.MaxRecipients)})
			break
		}
		out.Rows = append(out.Rows, row)
		out.Lines = append(out.Lines, line)
	}
	if bad.Total > 0 {
		return nil, bad
	}
	if len(out.Rows) == 0 {
		return nil, storage.Invalid("recipients_csv", "the file has a header but no recipients")
	}
	return out, nil
}

// add counts a bad line (a line with two problems counts once).
func (e *CSVError) add(r RowError) {
	if n := len(e.Rows); n == 0 || e.Rows[n-1].Line != r.Line || r.Line == 0 {
		e.Total++
	}
	if len(e.Rows) < MaxCSVRowErrors {
		e.Rows = append(e.Rows, r)
	}
}

// csvReason is encoding/csv's complaint without its "record on line N"
// prefix (the line is reported on its own).
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// columns maps the header onto a recipient.
type columns struct {
	names []string // as written, trimmed
	role  []string // phone, name, first_name, body, or "var"
}

func readHeader(head []string) (*columns, error) {
	c := &columns{}
	v := &storage.ValidationError{}
	phoneAt := -1
	seen := map[string]bool{}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // a spreadsheet's byte-order mark
		}
		h = strings.TrimSpace(h)
		if k, ok := strings.CutPrefix(h, "vars."); ok {
			h = k // the template's own spelling of a variable
		}
		low := strings.ToLower(h)
		role := "var"
		switch {
		case slices.Contains(phoneColumns, low):
			role = "phone"
			if phoneAt >= 0 {
				v.Addf("recipients_csv", "line 1: two phone columns (%q and %q)", head[phoneAt], h)
			}
			phoneAt = i
		case knownColumns[low] != "":
			role = knownColumns[low]
		case h == "":
			v.Addf("recipients_csv", "line 1: column %d has no name", i+1)
		case len(h) > 64 || strings.ContainsAny(h, "{} ."):
			v.Addf("recipients_csv", "line 1: column %q: a variable's name is 1-64 characters without spaces, dots or braces", h)
		}
		if seen[low] && h != "" {
			v.Addf("recipients_csv", "line 1: column %q appears twice", h)
		}
		seen[low] = true
		c.names = append(c.names, h)
		c.role = append(c.role, role)
	}
	if phoneAt < 0 {
		v.Add("recipients_csv", "line 1: the header has no phone column (name one of: "+strings.Join(phoneColumns, ", ")+")")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// row checks one record against the REST create's limits.
func (c *columns) row(rec []string) (campaigns.RecipientIn, []RowError) {
	var r campaigns.RecipientIn
	var bad []RowError
	if len(rec) != len(c.names) {
		return r, []RowError{{Message: fmt.Sprintf("has %d values; the header has %d columns", len(rec), len(c.names))}}
	}
	long := func(col, val string, max int) {
		if utf8.RuneCountInString(val) > max {
			bad = append(bad, RowError{Column: col, Message: fmt.Sprintf("at most %d characters", max)})
		}
	}
	for i, val := range rec {
		col := c.names[i]
		switch c.role[i] {
		case "phone":
			r.E164 = strings.TrimSpace(val)
			switch {
			case r.E164 == "":
				bad = append(bad, RowError{Column: col, Message: "no phone number"})
			case !phone.Valid(r.E164):
				bad = append(bad, RowError{Column: col, Message: fmt.Sprintf("%q is not an E.164 phone number like +13175550100", r.E164)})
			}
		case "name":
			r.Name = strings.TrimSpace(val)
			long(col, r.Name, 200)
		case "first_name":
			r.FirstName = strings.TrimSpace(val)
			long(col, r.FirstName, 100)
		case "body":
			r.Body = val
			long(col, val, 1600)
		default:
			if val == "" {
				continue // an empty cell is a missing variable: it renders empty, with a warning
			}
			if r.Vars == nil {
				r.Vars = map[string]string{}
			}
			r.Vars[col] = val
			long(col, val, 1600)
		}
	}
	return r, bad
}
