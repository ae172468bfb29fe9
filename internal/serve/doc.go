// Package serve is byok serve: a small daemon next to the HSM that keeps
// the estate rotated and shows it. It runs the scheduler (rotation windows,
// periodic scans, expiry checks), keeps a view.State of what it last read,
// raises alerts when conditions appear, and serves the dashboard, /metrics,
// /healthz, /readyz and a JSON API over HTTP (loopback, or TLS with a bearer
// token elsewhere).
//
// It does not rotate, scan or read AWS itself: it calls the narrow Planner,
// Scanner, Rotator and Reader interfaces below, which cmd/byok implements on
// the rotation engine, the scanner and the state store (so a CLI run and the
// service take the same key locks). It never shows or logs a secret.
package serve
