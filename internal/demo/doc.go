// Package demo runs the seed scenario end to end on the embedded default:
// an in-process sandbox seeded with the demo estate (Security, dev and prod
// accounts, keys by environment × service, RDS, DynamoDB and S3 resources,
// overdue and expiring material), a throwaway SoftHSM2 token, and the real
// byok packages (scan, rotation, watch, audit) driven through the
// unmodified AWS SDK. It tells the story phase by phase on the writer it is
// given and builds a machine-readable and an HTML report.
//
// It owns the demo's directory (token, state store) and nothing else: it
// never reads ambient AWS configuration (every SDK client gets an explicit
// aws.Config for the sandbox), never prints except to Options.Out, and
// never lets the HSM PIN out of the process environment it sets for the
// token's pin-source.
package demo
