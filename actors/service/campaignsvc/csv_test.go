package campaignsvc

import (
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/storage"
)

// Every bad line is named by its line in the file (a quoted value spanning
// lines moves the later ones), and a file with any bad line answers no rows.
func TestParseRecipientsCSVLines(t *testing.T) {
	in := "\uFEFFPhone,Name,offer\n" +
		"+13175550100,Ada,20% off\n" +
		"317-555-0101,Bob,10% off\n" + // line 3: not E.164
		"+13175550102,\"Cy\nthe second\",5% off\n" + // lines 4-5
		"+13175550103,Dee\n" + // line 6: a value short
		",Eve,1% off\n" // line 7: no phone
	_, err := ParseRecipientsCSV(strings.NewReader(in))
	var ce *CSVError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseRecipientsCSV = %v; want a *CSVError", err)
	}
	var got []string
	for _, r := range ce.Rows {
		got = append(got, r.String())
	}
	want := []string{
		`line 3: Phone: "317-555-0101" is not an E.164 phone number like +13175550100`,
		"line 6: has 2 values; the header has 3 columns",
		"line 7: Phone: no phone number",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || ce.Total != 3 {
		t.Errorf("row errors (%d) =\n%s\nwant\n%s", ce.Total, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var ve *storage.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["recipients_csv"], "line 3") {
		t.Errorf("the error as a ValidationError = %v; want recipients_csv naming line 3", err)
	}
}

// A good file answers its rows: the phone, names, the other columns as
// variables (empty cells left out), duplicates dropped and named.
func TestParseRecipientsCSVRows(t *testing.T) {
	in := "phone,first_name,vars.offer,code\n" +
		"+13175550100,Ada,20% off,\n" +
		"+13175550101,Bob,,B2\n" +
		"+13175550100,Again,dup,\n"
	got, err := ParseRecipientsCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 2 || got.Rows[0].E164 != "+13175550100" || got.Rows[0].FirstName != "Ada" ||
		got.Rows[0].Vars["offer"] != "20% off" || len(got.Rows[0].Vars) != 1 || got.Rows[1].Vars["code"] != "B2" {
		t.Errorf("rows = %+v", got.Rows)
	}
	if len(got.Lines) != 2 || got.Lines[1] != 3 || len(got.Duplicates) != 1 || got.Duplicates[0] != 4 {
		t.Errorf("lines %v duplicates %v; want [2 3] and [4]", got.Lines, got.Duplicates)
	}
}

// A file without a phone column, an empty file and a header alone are
// refused as a whole.
func TestParseRecipientsCSVFile(t *testing.T) {
	for name, in := range map[string]string{"no phone column": "name,offer\nAda,1\n", "empty": "", "header only": "phone\n",
		"bad variable name": "phone,favorite color\n+13175550100,red\n"} {
		_, err := ParseRecipientsCSV(strings.NewReader(in))
		var ve *storage.ValidationError
		if !errors.As(err, &ve) || ve.Fields["recipients_csv"] == "" {
			t.Errorf("%s: %v; want a recipients_csv problem", name, err)
		}
	}
}
