package address

import "testing"

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"29090 Tiffany Drive E":        "29090 TIFFANY DR E",
		"29090  tiffany drive east":    "29090 TIFFANY DR E",
		"1 North Main Street, Suite 5": "1 N MAIN ST STE 5",
		"100 Avenue of the Americas":   "100 AVE OF THE AMERICAS",
		"5 St. James Pl.":              "5 ST JAMES PL",
	}
	for in, want := range cases {
		if got := Street(in); got != want {
			t.Errorf("Street(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"29090 TIFFANY DR E": "29000-29098", "29091 X": "29001-29099", "8 Elm": "0-98", "7 Elm": "1-99", "Main St": ""} {
		if got := StreetRange(in); got != want {
			t.Errorf("StreetRange(%q) = %q; want %q", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("29090 Tiffany Drive E")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n := Street(s)
		if Street(n) != n {
			t.Fatalf("Street is not idempotent on %q: %q", s, n)
		}
		_ = StreetRange(n)
	})
}
