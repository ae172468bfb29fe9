// Package store owns byok's embedded state file: a SQLite database (pure-Go
// driver modernc.org/sqlite, so no cgo) holding runs, the per-key facts a
// resumed run needs, the step journal, per-key run locks and saved scan
// findings. Other packages that keep tables in the same file (package audit)
// register their own schema through Migrate.
//
// The file is created 0600 and opened in WAL mode with synchronous=FULL, so a
// write is on disk before its call returns: a process killed right after a
// BeginStep or EndStep keeps that event.
//
// The store must never hold secrets. Callers must not pass key material,
// PINs or plaintext in any field or detail document: the import token, the
// wrapping public key, wrapped-blob digests, material IDs and KMS ciphertexts
// are public values and are fine to store; nothing else secret is. The store
// does not call AWS, does not print and does not read the clock for anything
// but record timestamps.
package store
