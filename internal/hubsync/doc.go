// Package hubsync sends a scan's findings to AWS Security Hub as their
// finding provider (byok scan --to-security-hub).
//
// Security Hub's rules for a provider shape it: BatchImportFindings must be
// called from the finding's own account (AwsAccountId) in its Region with the
// account's default product ARN, at most 100 findings per call; a provider
// updates its findings by importing them again with the same Id, and closes
// them by importing them with RecordState ARCHIVED. BatchUpdateFindings is
// the customers' operation (Workflow, Note) and is never used here, and a
// provider's re-import cannot change the customer's Workflow or Note.
//
// Per (account, Region): the NON_COMPLIANT results are imported ACTIVE;
// every ACTIVE byok finding already in Security Hub (GetFindings on the
// product ARN and byok's GeneratorId) whose resource is now COMPLIANT,
// EXEMPTED or NOT_APPLICABLE, or is gone from a complete scan of that
// place, is imported again as ARCHIVED. INSUFFICIENT_DATA neither imports
// nor archives: missing data is no evidence either way. The findings are
// built by package report (one ASFF builder for --format asff and for this).
// Findings Security Hub lists in FailedFindings with a throttling or
// internal error code are sent again (up to MaxAttempts); the rest are
// returned, and nothing is reported as sent that Security Hub refused.
package hubsync
