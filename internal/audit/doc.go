// Package audit owns byok's tamper-evident record of rotations: an
// append-only, hash-chained log kept in the state file (package store),
// exportable as JSON lines.
//
// Each entry's Hash is SHA-256 over its canonical encoding (see Canonical),
// which includes the previous entry's hash; a separate head record holds
// the last seq and hash so a removed tail is detected too. Verify names the
// first entry that was edited, inserted, removed or reordered.
//
// The head is also kept outside the database, in a head file beside the
// state file (STATE.audit-head, replaced atomically on every Append), so
// deleting the tail together with the head row, or replacing the state
// file, is detected; Verify also cross-checks that every key of every run
// the state records as succeeded has its entry. A writable Open refuses a
// log that disagrees with its head file before any work is done.
//
// What the chain cannot prove: an attacker who can write both files can
// rewrite every entry and both heads consistently (the hash has no
// secret). Keep the head hash that `byok audit verify` prints somewhere
// else (the change ticket) to detect that.
//
// The package never writes secrets (callers pass only public identifiers,
// digests and results), never prints, and never calls AWS.
package audit
