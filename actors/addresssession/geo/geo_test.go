package geo

import (
	"math"
	"testing"
)

func TestLookups(t *testing.T) {
	if n := Default.Len(); n < 40000 {
		t.Fatalf("embedded table has %d zips; want ~42,555", n)
	}
	cases := []struct {
		zip, city, state string
		lat, lon         float64
	}{
		{"48034", "Southfield", "MI", 42.4969, -83.2911},
		{"10001", "New York", "NY", 40.7484, -73.9967},
		{"02108", "Boston", "MA", 42.3576, -71.0684},
	}
	for _, c := range cases {
		p, ok := Default.Zip(c.zip)
		if !ok || p.City != c.city || p.State != c.state || math.Abs(p.Lat-c.lat) > 1e-3 || math.Abs(p.Lon-c.lon) > 1e-3 {
			t.Errorf("Zip(%s) = %+v, %v", c.zip, p, ok)
		}
	}
	if p, ok := Default.City("southfield", "mi"); !ok || p.State != "MI" {
		t.Errorf("City(southfield, mi) = %+v, %v", p, ok)
	}
	if _, ok := Default.Zip("00000"); ok {
		t.Errorf("Zip(00000) found")
	}
}
