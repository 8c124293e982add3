package storage

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

var (
	pebbleFsyncDesc = prometheus.NewDesc("humd_pebble_wal_fsync_seconds", "Latency of Pebble's WAL fsyncs.", nil, nil)
	pebbleDebtDesc  = prometheus.NewDesc("humd_pebble_compaction_debt_bytes",
		"Bytes Pebble estimates it must compact to reach a stable LSM shape.", nil, nil)
	pebbleDiskDesc = prometheus.NewDesc("humd_pebble_disk_usage_bytes", "Disk space used by the store (tables, WAL, manifests).", nil, nil)
	pebbleHitsDesc = prometheus.NewDesc("humd_pebble_block_cache_hits_total", "Block cache hits.", nil, nil)
	pebbleMissDesc = prometheus.NewDesc("humd_pebble_block_cache_misses_total", "Block cache misses.", nil, nil)
	pebbleL0Desc   = prometheus.NewDesc("humd_pebble_l0_sublevels", "Sublevels in L0; a growing count means reads slow down.", nil, nil)
)

// Collector reports the store's health from Pebble's own metrics, read at
// scrape time: WAL fsync latency, compaction debt, disk use and the block
// cache's hits and misses.
func (p *Pebble) Collector() prometheus.Collector { return pebbleCollector{p} }

type pebbleCollector struct{ p *Pebble }

func (c pebbleCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{pebbleFsyncDesc, pebbleDebtDesc, pebbleDiskDesc, pebbleHitsDesc, pebbleMissDesc, pebbleL0Desc} {
		ch <- d
	}
}

func (c pebbleCollector) Collect(ch chan<- prometheus.Metric) {
	if !c.p.enter() {
		return
	}
	m := c.p.db.Metrics()
	c.p.exit()
	ch <- prometheus.MustNewConstMetric(pebbleDebtDesc, prometheus.GaugeValue, float64(m.Compact.EstimatedDebt))
	ch <- prometheus.MustNewConstMetric(pebbleDiskDesc, prometheus.GaugeValue, float64(m.DiskSpaceUsage()))
	ch <- prometheus.MustNewConstMetric(pebbleHitsDesc, prometheus.CounterValue, float64(m.BlockCache.Hits))
	ch <- prometheus.MustNewConstMetric(pebbleMissDesc, prometheus.CounterValue, float64(m.BlockCache.Misses))
	ch <- prometheus.MustNewConstMetric(pebbleL0Desc, prometheus.GaugeValue, float64(m.Levels[0].Sublevels))
	if h := m.LogWriter.FsyncLatency; h != nil {
		// Pebble's histogram has no name and counts nanoseconds: re-emit
		// it in seconds under humd's name.
		var d dto.Metric
		if err := h.Write(&d); err == nil && d.Histogram != nil {
			buckets := make(map[float64]uint64, len(d.Histogram.Bucket))
			for _, b := range d.Histogram.Bucket {
				buckets[b.GetUpperBound()/1e9] = b.GetCumulativeCount()
			}
			ch <- prometheus.MustNewConstHistogram(pebbleFsyncDesc, d.Histogram.GetSampleCount(), d.Histogram.GetSampleSum()/1e9, buckets)
		}
	}
}
