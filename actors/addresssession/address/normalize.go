package address

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// suffixes are USPS Publication 28 street suffixes and unit designators
// humd abbreviates (the common ones; anything else is kept as written).
var suffixes = map[string]string{
	"ALLEY": "ALY", "AVENUE": "AVE", "BOULEVARD": "BLVD", "CIRCLE": "CIR", "COURT": "CT", "COVE": "CV", "CROSSING": "XING",
	"DRIVE": "DR", "EXPRESSWAY": "EXPY", "FREEWAY": "FWY", "HIGHWAY": "HWY", "LANE": "LN", "PARKWAY": "PKWY", "PLACE": "PL",
	"PLAZA": "PLZ", "POINT": "PT", "ROAD": "RD", "SQUARE": "SQ", "STREET": "ST", "TERRACE": "TER", "TRAIL": "TRL",
	"TURNPIKE": "TPKE", "WAY": "WAY", "MOUNT": "MT", "HEIGHTS": "HTS", "CENTER": "CTR", "ROUTE": "RTE",
	"APARTMENT": "APT", "SUITE": "STE", "BUILDING": "BLDG", "FLOOR": "FL", "UNIT": "UNIT", "ROOM": "RM", "DEPARTMENT": "DEPT",
}

var directions = map[string]string{
	"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
	"NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}

// Street upper-cases a street line, collapses spaces, drops periods and
// commas, and abbreviates suffixes, unit designators and directionals the
// USPS way: "29090 Tiffany Drive East" -> "29090 TIFFANY DR E".
func Street(s string) string {
	fields := strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	words := fields[:0]
	for _, w := range fields {
		w = strings.TrimRight(w, ".")
		if w == "" {
			continue
		}
		if a, ok := directions[w]; ok {
			w = a
		} else if a, ok := suffixes[w]; ok && len(words) > 0 {
			w = a
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// City upper-cases and collapses spaces.
func City(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }

// StreetRange is the house-number block an address falls in: the hundred
// block with the same parity, 29090 -> "29000-29098", 29091 -> "29001-29099".
// Streets without a leading house number answer "".
func StreetRange(street string) string {
	f := strings.Fields(street)
	if len(f) == 0 {
		return ""
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 0 {
		return ""
	}
	lo := n / 100 * 100
	if n%2 == 1 {
		return fmt.Sprintf("%d-%d", lo+1, lo+99)
	}
	return fmt.Sprintf("%d-%d", lo, lo+98)
}
