package storage_test

import (
	"testing"

	"github.com/humd/humd/storage"
)

// Micro benchmarks of key encoding (keys.go), for the shapes the inbound
// path writes on every text.
//
//	go test -run '^$' -bench Key -benchmem ./storage/

const (
	benchOrg  = "org_01jd3k4m5n6p7q8r9s0t1v2w3x"
	benchConv = "conv_01jd3k4m5n6p7q8r9s0t1v2w3x"
)

var sinkKey []byte

// BenchmarkKey_SID is sid/<MessageSid>, the dedupe index.
func BenchmarkKey_SID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkKey = storage.Key("sid", "SM0123456789abcdef0123456789abcdef")
	}
}

// BenchmarkKey_Msg is msg/<org>/<conv>/<U64 seq>, a message record.
func BenchmarkKey_Msg(b *testing.B) {
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		sinkKey = storage.Key("msg", benchOrg, benchConv, storage.U64Seg(i))
	}
}

// BenchmarkKey_Prefix is a scan prefix, msg/<org>/<conv>/.
func BenchmarkKey_Prefix(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkKey = storage.Prefix("msg", benchOrg, benchConv)
	}
}

func BenchmarkDecodeU64(b *testing.B) {
	enc := storage.U64(1 << 40)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := storage.DecodeU64(enc); !ok {
			b.Fatal("DecodeU64 = !ok")
		}
	}
}
