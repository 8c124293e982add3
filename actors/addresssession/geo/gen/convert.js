// Converts the npm package zipcodes@8.0.0 (BSD licence, (c) 2007 Dav Glass)
// into ../zips.csv.gz, the compact US ZIP table humd embeds.
// Run once by hand; nothing in the build or tests runs it:
//   cd /tmp && npm pack zipcodes@8.0.0 && tar xzf zipcodes-8.0.0.tgz
//   node convert.js /tmp/package/lib/codes.js
const fs = require('fs');
const zlib = require('zlib');
const src = process.argv[2];
if (!src) { console.error('usage: node convert.js path/to/zipcodes/lib/codes.js'); process.exit(2); }
const codes = require(require('path').resolve(src)).codes;
const rows = Object.keys(codes).sort().map(k => {
  const c = codes[k];
  if (c.country !== 'US' || !/^\d{5}$/.test(c.zip)) return null;
  return [c.zip, String(c.city).replace(/[,\n]/g, ' '), c.state, Number(c.latitude).toFixed(4), Number(c.longitude).toFixed(4)].join(',');
}).filter(Boolean);
const out = 'zip,city,state,lat,lon\n' + rows.join('\n') + '\n';
fs.writeFileSync(require('path').join(__dirname, '..', 'zips.csv.gz'), zlib.gzipSync(out, { level: 9 }));
console.log(rows.length + ' zips written');
