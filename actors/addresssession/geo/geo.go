package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:embed zips.csv.gz
var zipsGz []byte

// Place is one US ZIP code's centroid.
type Place struct {
	Zip   string
	City  string
	State string
	Lat   float64
	Lon   float64
}

// DB is the embedded US ZIP table, parsed on first use.
type DB struct {
	once   sync.Once
	err    error
	byZip  map[string]*Place
	byCity map[string]*Place // "CITY|ST" -> first ZIP of that city
}

// Default is the embedded dataset.
var Default = &DB{}

func (d *DB) load() {
	zr, err := gzip.NewReader(bytes.NewReader(zipsGz))
	if err != nil {
		d.err = fmt.Errorf("geo: %w", err)
		return
	}
	d.byZip, d.byCity = make(map[string]*Place, 43000), make(map[string]*Place, 30000)
	sc := bufio.NewScanner(zr)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 5 {
			continue
		}
		lat, err1 := strconv.ParseFloat(f[3], 64)
		lon, err2 := strconv.ParseFloat(f[4], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		p := &Place{Zip: f[0], City: f[1], State: f[2], Lat: lat, Lon: lon}
		d.byZip[p.Zip] = p
		k := strings.ToUpper(p.City) + "|" + p.State
		if _, ok := d.byCity[k]; !ok {
			d.byCity[k] = p
		}
	}
	d.err = sc.Err()
}

// Zip looks up a 5-digit ZIP.
func (d *DB) Zip(zip5 string) (*Place, bool) {
	d.once.Do(d.load)
	p, ok := d.byZip[zip5]
	return p, ok && d.err == nil
}

// City finds the first ZIP of a city in a state (case-insensitive).
func (d *DB) City(city, state string) (*Place, bool) {
	d.once.Do(d.load)
	p, ok := d.byCity[strings.ToUpper(strings.TrimSpace(city))+"|"+strings.ToUpper(state)]
	return p, ok && d.err == nil
}

// Len is the number of ZIPs loaded.
func (d *DB) Len() int {
	d.once.Do(d.load)
	return len(d.byZip)
}
