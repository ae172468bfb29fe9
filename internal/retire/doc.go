// Package retire decides whether a KMS key that a new-key rotation left
// behind may be retired, and says exactly who and what still stands in the
// way. Retiring is DisableKey (reversible) and, much later, a deletion
// schedule; both are irreversible for the data of anyone who still needs
// the key, so the decision is conservative: anything byok could not read
// (a listing error, an account whose CloudTrail it could not query) blocks
// as surely as a resource found on the key.
//
// The package reads CloudTrail (usage.go), object versions (versions.go)
// and consumer accounts' DB snapshots (snapshots.go: warnings for a
// retire, blockers for a deletion) and judges evidence (decide.go);
// the evidence of resources comes from a scan (internal/scan), so retire
// and scan never disagree about what is on a key. It never changes
// anything in AWS.
package retire
