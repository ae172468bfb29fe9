package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "lock status", Summary: "show who holds each key lock (local state file and shared state location), and whether the holder is stale",
		Main: lockStatus})
	register(&command{Name: "lock release", Summary: "force-release a key lock whose holder is gone (audited; refuses a live holder)",
		Main: lockRelease})
}

// lockRow is one held key lock as lock status prints it.
type lockRow struct {
	Key          string    `json:"key"`
	Scope        string    `json:"scope"` // "shared", "local" or "shared+local"
	Holder       string    `json:"holder"`
	Host         string    `json:"host"`
	PID          int       `json:"pid"`
	Run          string    `json:"run"`
	Since        time.Time `json:"since"`
	HeartbeatAge string    `json:"heartbeat_age"`
	AgeSeconds   int64     `json:"heartbeat_age_seconds"`
	Stale        bool      `json:"stale"`
	StaleReason  string    `json:"stale_reason,omitempty"`
	// shared is the shared lock behind the row (nil for local only).
	shared *sharedstate.Lock
}

// addStaleFlag defines --stale-after on the lock commands.
func addStaleFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("stale-after", sharedstate.DefaultStaleAfter,
		"a holder that has not heartbeat for this long is stale (byok heartbeats every 10s); a holder\n"+
			"process known gone (same host, not running) is stale at once")
}

func lockStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lock status", "[--state FILE] [--state-location s3://BUCKET/PREFIX] [--stale-after D] [--format table|json]",
		"Show every held key lock: the local state file's and, with a shared state location, the shared\n"+
			"ones (holder principal, host, PID, run, since, heartbeat age, stale yes/no). Without an estate\n"+
			"file, a --state-location (or $BYOK_STATE_LOCATION) is read with your AWS credentials as they are.")
	fs.SetOutput(stderr)
	f := addRotationFlags(fs)
	staleAfter := addStaleFlag(fs)
	format := addFormatFlag(fs, "json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("lock status"); err != nil {
		return err
	}
	f.staleAfter = *staleAfter
	v, err := openStateView(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer v.Close()
	rows, err := collectLocks(ctx, v, *staleAfter, time.Now())
	if err != nil {
		return err
	}
	if format.is("json") {
		return writeJSON(stdout, rows)
	}
	printLocks(stdout, rows, v)
	return nil
}

// collectLocks merges the shared locks and the local state file's locks
// (one row when both name the same key and run).
func collectLocks(ctx context.Context, v *stateView, staleAfter time.Duration, now time.Time) ([]lockRow, error) {
	var rows []lockRow
	if v.shared != nil {
		shared, err := v.shared.List(ctx)
		if err != nil {
			return nil, err
		}
		for i := range shared {
			rows = append(rows, sharedRow(&shared[i], staleAfter, now))
		}
	}
	if v.store != nil {
		local, err := v.store.ListKeyLocks(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range local {
			rows = mergeLocal(rows, l, staleAfter, now)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows, nil
}

func sharedRow(l *sharedstate.Lock, staleAfter time.Duration, now time.Time) lockRow {
	r := lockRow{Key: l.Key, Scope: "shared", Holder: l.Holder, Host: l.Host, PID: l.PID, Run: l.Run, Since: l.Since, shared: l}
	r.setAge(now.Sub(l.Heartbeat))
	switch {
	case !rotation.ProcessAlive(l.Host, l.PID):
		r.Stale, r.StaleReason = true, "its process is not running on this host"
	case l.Stale(now, staleAfter):
		r.Stale, r.StaleReason = true, "no heartbeat for more than "+staleAfter.String()
	}
	return r
}

func mergeLocal(rows []lockRow, l store.KeyLock, staleAfter time.Duration, now time.Time) []lockRow {
	for i := range rows {
		if rows[i].Key == l.KeyARN && rows[i].Run == l.Run.String() {
			rows[i].Scope = "shared+local"
			return rows
		}
	}
	r := lockRow{Key: l.KeyARN, Scope: "local", Run: l.Run.String(), Since: l.Acquired}
	switch {
	case !l.HasHolder:
		r.setAge(now.Sub(l.Acquired))
		r.Stale, r.StaleReason = true, "no process holds run "+l.Run.String()+" ("+l.Status.String()+"); byok resume continues it"
	default:
		r.Host, r.PID = l.Holder.Host, l.Holder.PID
		r.setAge(now.Sub(l.Holder.Heartbeat))
		if !rotation.ProcessAlive(l.Holder.Host, l.Holder.PID) {
			r.Stale, r.StaleReason = true, "its process is not running on this host"
		} else if now.Sub(l.Holder.Heartbeat) > staleAfter {
			r.Stale, r.StaleReason = true, "no heartbeat for more than "+staleAfter.String()
		}
	}
	return append(rows, r)
}

func (r *lockRow) setAge(d time.Duration) {
	if d < 0 {
		d = 0
	}
	r.AgeSeconds, r.HeartbeatAge = int64(d/time.Second), d.Truncate(time.Second).String()
}

func printLocks(w io.Writer, rows []lockRow, v *stateView) {
	where := "state file " + v.store.Path()
	if v.shared != nil {
		where += " and " + v.shared.Location.String()
	}
	if len(rows) == 0 {
		fmt.Fprintf(w, "no key is locked (%s)\n", where)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tSCOPE\tHOLDER\tHOST\tPID\tRUN\tSINCE\tHEARTBEAT AGE\tSTALE")
	for _, r := range rows {
		stale := "no"
		if r.Stale {
			stale = "yes: " + r.StaleReason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, r.Scope, dash(r.Holder), dash(r.Host), pidText(r.PID), r.Run,
			r.Since.UTC().Format(time.RFC3339), r.HeartbeatAge, stale)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n(%s)\n", where)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func pidText(pid int) string {
	if pid == 0 {
		return "-"
	}
	return fmt.Sprint(pid)
}

// hostName is this machine's name, for messages.
func hostName() string {
	h, _ := os.Hostname()
	return h
}

var errLockArgs = errors.New("name one KEY (key ARN or alias) or --run RUN")
