package rotation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/watch"
)

// The run's own calls: every attempt of a state-changing KMS call a key
// job sends, and every attempt of any call that KMS answered with an
// error, is journaled with the request ID KMS gave it (each SDK retry is
// its own request). The watch step then ignores exactly those CloudTrail
// events (a retry refused after a lost answer, a ConflictException of a
// resumed rotation) and still judges every other caller, byok's operator
// role in another account included. The ID is written when the answer
// arrives, before the SDK retries or the step goes on, so a killed process
// leaves its calls journaled for the resumed run's watch.
const ownCallsComponent = "rotation-own-calls"

var ownCallsMigrations = []string{
	`CREATE TABLE run_own_calls (
		run_id     TEXT NOT NULL,
		key_arn    TEXT NOT NULL,
		request_id TEXT NOT NULL,
		operation  TEXT NOT NULL,
		status     INTEGER NOT NULL,
		at         TEXT NOT NULL,
		PRIMARY KEY (run_id, request_id)
	);`,
}

// readOnlyOps are the KMS calls that change nothing: journaled only when
// they fail.
func readOnlyOp(op string) bool {
	for _, p := range []string{"Describe", "List", "Get"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

type ownCallsKey struct{}

type ownCalls struct {
	st  *store.Store
	run store.RunID
	key string
}

// withOwnCalls makes the paced KMS calls made with ctx journal their
// request IDs for run and key.
func (e *Engine) withOwnCalls(ctx context.Context, run store.RunID, keyARN string) (context.Context, error) {
	if err := e.Store.Migrate(ctx, ownCallsComponent, ownCallsMigrations); err != nil {
		return ctx, fmt.Errorf("prepare the journal of the run's own calls: %w", err)
	}
	return context.WithValue(ctx, ownCallsKey{}, &ownCalls{st: e.Store, run: run, key: keyARN}), nil
}

// journalOption is the SDK option that journals each attempt of op.
func journalOption(ctx context.Context, op string) (func(*kms.Options), bool) {
	oc, _ := ctx.Value(ownCallsKey{}).(*ownCalls)
	if oc == nil {
		return nil, false
	}
	mw := middleware.DeserializeMiddlewareFunc("byokOwnCalls", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
			id := resp.Header.Get("X-Amzn-Requestid")
			if id != "" && (resp.StatusCode >= 300 || !readOnlyOp(op)) {
				oc.record(ctx, op, id, resp.StatusCode)
			}
		}
		return out, md, err
	})
	return func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Deserialize.Add(mw, middleware.After)
		})
	}, true
}

// record writes one request ID. A failed write is not the call's failure:
// the watch would then judge that one call as a consumer's, which fails
// loudly rather than hiding anything.
func (oc *ownCalls) record(ctx context.Context, op, id string, status int) {
	_, _ = oc.st.DB().ExecContext(context.WithoutCancel(ctx), `INSERT OR IGNORE INTO run_own_calls
		(run_id, key_arn, request_id, operation, status, at) VALUES (?, ?, ?, ?, ?, ?)`,
		oc.run.String(), oc.key, id, op, status, store.FormatTime(time.Now()))
}

// ownRequestIDs reads the request IDs journaled for run.
func (e *Engine) ownRequestIDs(ctx context.Context, run store.RunID) (map[string]bool, error) {
	if err := e.Store.Migrate(ctx, ownCallsComponent, ownCallsMigrations); err != nil {
		return nil, fmt.Errorf("read the run's own calls: %w", err)
	}
	rows, err := e.Store.DB().QueryContext(ctx, `SELECT request_id FROM run_own_calls WHERE run_id = ?`, run.String())
	if err != nil {
		return nil, fmt.Errorf("read the run's own calls: %w", err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read the run's own calls: %w", err)
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// ownCallsOf is what the watch excludes for this run: its operator's
// calls whose request IDs it journaled.
func (j *keyJob) ownCallsOf(ctx context.Context) (watch.Own, error) {
	return j.e.OwnCalls(ctx, j.run)
}

// OwnCalls is what a watch of run excludes: its operator's calls whose
// request IDs the run journaled (byok watch --run uses it as the watch
// step does).
func (e *Engine) OwnCalls(ctx context.Context, run store.Run) (watch.Own, error) {
	ids, err := e.ownRequestIDs(ctx, run.ID)
	if err != nil {
		return watch.Own{}, err
	}
	return watch.Own{Principal: run.Operator, RequestIDs: ids}, nil
}
