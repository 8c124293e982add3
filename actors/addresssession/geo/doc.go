// Package geo geocodes US addresses by ZIP code from a table embedded in the
// binary (zips.csv.gz: zip, city, state, latitude, longitude of 42,555 ZIPs).
// The data comes from the npm package zipcodes 8.0.0 (BSD licence, copyright
// 2007 Dav Glass; see LICENSE.zipcodes), converted once by gen/convert.js.
// Coordinates are ZIP centroids, not rooftop positions.
//
// Concurrency: the table is parsed once, on first use, and read-only after.
package geo
