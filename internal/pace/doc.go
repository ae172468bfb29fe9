// Package pace owns byok's view of AWS request quotas: one table of AWS's
// default request rates per service and operation (operations that share a
// quota, such as KMS's symmetric cryptographic operations, name one quota),
// the account's applied values read from Service Quotas when the caller may
// read them, and a Pacer that keeps the calls of each (account, Region,
// quota) inside the rate in force. An isolated throttling error on a
// known quota re-aligns the Pacer's bucket with the server's (one interval
// of waiting, same rate); throttles that persist halve the rate, which
// recovers additively on success (AIMD), so a throttling storm slows a run
// down instead of failing it.
//
// It does not retry anything but throttling, and it never raises a rate
// above the applied (or default) quota.
package pace
