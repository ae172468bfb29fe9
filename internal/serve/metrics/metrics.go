// Package metrics exposes byok serve's view.State to Prometheus: one
// collector that turns the state into const metrics at scrape time (no
// per-request walk of the scan: its counts are precomputed). Labels carry
// aliases, accounts, services, verdicts and reasons, never a secret.
package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/serve/view"
)

var (
	keyLabels   = []string{"alias", "env", "service", "region"}
	descAge     = prometheus.NewDesc("byok_key_material_age_seconds", "Age of the key's CURRENT material.", keyLabels, nil)
	descMaxAge  = prometheus.NewDesc("byok_policy_max_material_age_seconds", "Policy maximum age of the current material (the same for every key).", nil, nil)
	descExpiry  = prometheus.NewDesc("byok_key_material_expiry_seconds", "Seconds until the earliest ValidTo of any material of the key (absent: none expires; negative: expired).", keyLabels, nil)
	descRemain  = prometheus.NewDesc("byok_key_rotations_remaining", "On-demand rotations left of the 25 KMS allows per key.", keyLabels, nil)
	descDue     = prometheus.NewDesc("byok_key_due", "1 when the key's current material is older than the policy allows.", keyLabels, nil)
	descExpKeys = prometheus.NewDesc("byok_key_expiring_materials", "Materials of the key expiring within the warning window (absent: none).", keyLabels, nil)
	descRes     = prometheus.NewDesc("byok_resources", "Resources of the last scan by verdict, reason, account and service.", []string{"verdict", "reason", "account", "service"}, nil)
	descScanTS  = prometheus.NewDesc("byok_last_scan_timestamp_seconds", "When the last successful scan ran.", nil, nil)
	descRotTS   = prometheus.NewDesc("byok_last_rotation_timestamp_seconds", "When the last successful rotation run ended.", nil, nil)
	descRuns    = prometheus.NewDesc("byok_runs", "Rotation runs in the state store by result.", []string{"result"}, nil)
	descAudit   = prometheus.NewDesc("byok_audit_chain_ok", "1 when the audit chain verifies.", nil, nil)
	descAuditN  = prometheus.NewDesc("byok_audit_entries", "Entries in the audit chain.", nil, nil)
	descHSM     = prometheus.NewDesc("byok_hsm_up", "1 when the last HSM check opened the token.", nil, nil)
	descNext    = prometheus.NewDesc("byok_scheduler_next_run_timestamp_seconds", "When each scheduler job runs next (absent: never).", []string{"job"}, nil)
	descStale   = prometheus.NewDesc("byok_state_stale", "1 when a part of the state failed its last refresh (the values are the last known).", []string{"part"}, nil)
)

// Collector reads the state at each scrape. The series that do not depend
// on the time of the scrape (rotations left, due, expiring counts, resource
// buckets) are built once per plan and per scan, and reused until those
// change: with 1,000 keys and 30,000 resources that halves a scrape.
type Collector struct {
	State func() view.State

	mu       sync.Mutex
	keysOf   *view.Key // the plan the cached key series are of
	keysN    int
	keys     []prometheus.Metric
	scanOf   *report.Report
	resource []prometheus.Metric
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAge, descMaxAge, descExpiry, descRemain, descDue, descExpKeys, descRes,
		descScanTS, descRotTS, descRuns, descAudit, descAuditN, descHSM, descNext, descStale} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.State()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if len(st.Keys) > 0 {
		gauge(descMaxAge, st.Keys[0].MaxAge.Seconds())
	}
	for _, k := range st.Keys {
		l := []string{k.Alias, k.Env, k.Service, k.Region}
		gauge(descAge, k.Age(st.Now).Seconds(), l...)
		if k.EarliestValidTo != nil {
			gauge(descExpiry, k.EarliestValidTo.Sub(st.Now).Seconds(), l...)
		}
	}
	keys, res := c.static(st)
	for _, m := range keys {
		ch <- m
	}
	for _, m := range res {
		ch <- m
	}
	if !st.ScanAt.IsZero() {
		gauge(descScanTS, unix(st.ScanAt))
	}
	if !st.LastRotation.IsZero() {
		gauge(descRotTS, unix(st.LastRotation))
	}
	runs := map[string]int{"succeeded": 0, "failed": 0, "stopped": 0, "running": 0, "planned": 0}
	for _, r := range st.Runs {
		runs[r.Status]++
	}
	for res, n := range runs {
		gauge(descRuns, float64(n), res)
	}
	if !st.Audit.Checked.IsZero() {
		gauge(descAudit, b2f(st.Audit.OK))
		gauge(descAuditN, float64(st.Audit.Entries))
	}
	if !st.HSMAt.IsZero() {
		gauge(descHSM, b2f(st.HSMErr == ""))
	}
	for _, j := range st.Jobs {
		if !j.Next.IsZero() {
			gauge(descNext, unix(j.Next), j.Name)
		}
	}
	for part, err := range map[string]string{"keys": st.KeysErr, "scan": st.ScanErr, "runs": st.RunsErr, "audit": st.AuditErr} {
		gauge(descStale, b2f(err != ""), part)
	}
}

// static returns the cached series of st's plan and scan, rebuilding them
// when the service read a new plan or scan.
func (c *Collector) static(st view.State) (keys, res []prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first *view.Key
	if len(st.Keys) > 0 {
		first = &st.Keys[0]
	}
	if first != c.keysOf || len(st.Keys) != c.keysN || c.keys == nil {
		c.keysOf, c.keysN, c.keys = first, len(st.Keys), keySeries(st.Keys)
	}
	if st.Scan != c.scanOf || c.resource == nil {
		c.scanOf, c.resource = st.Scan, resourceSeries(st.Counts)
	}
	return c.keys, c.resource
}

func keySeries(keys []view.Key) []prometheus.Metric {
	out := make([]prometheus.Metric, 0, 3*len(keys))
	for _, k := range keys {
		l := []string{k.Alias, k.Env, k.Service, k.Region}
		out = append(out, prometheus.MustNewConstMetric(descRemain, prometheus.GaugeValue, float64(view.MaxRotations-k.RotationsUsed), l...),
			prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, b2f(k.Due), l...))
		if len(k.Expiring) > 0 {
			out = append(out, prometheus.MustNewConstMetric(descExpKeys, prometheus.GaugeValue, float64(len(k.Expiring)), l...))
		}
	}
	return out
}

func resourceSeries(c view.Counts) []prometheus.Metric {
	out := make([]prometheus.Metric, 0, len(c.Groups))
	for g, n := range c.Groups {
		out = append(out, prometheus.MustNewConstMetric(descRes, prometheus.GaugeValue, float64(n), g.Verdict, g.Reason, g.Account, g.Service))
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unix(t interface{ UnixNano() int64 }) float64 { return float64(t.UnixNano()) / 1e9 }

// Handler serves /metrics: the state's metrics plus the Go runtime and
// process collectors.
func Handler(state func() view.State) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&Collector{State: state}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, DisableCompression: true})
}
