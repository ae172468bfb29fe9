// Package schedule owns the time arithmetic of byok serve: rotation windows
// (a cron expression for the start, an IANA time zone and a duration), their
// overlap check, and the next-run computation the service's scheduler and
// its /metrics use. It is pure: no I/O, no goroutines, no clock of its own
// (callers pass "now", so the sandbox clock drives it in tests).
package schedule
