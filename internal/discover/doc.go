// Package discover drafts an estate file from what already exists: it reads
// the Security account in each Region (ListAliases, ListKeys, DescribeKey,
// GetKeyPolicy), keeps the EXTERNAL keys whose alias matches the alias
// pattern, takes environment and service from the alias, the consumer
// accounts from the key policies' principals and, when asked, the account
// names from AWS Organizations. What it cannot classify (a key without a
// matching alias, a policy it cannot read as an account list, two keys for
// one environment and service, a key shared outside the organisation) is
// reported with the line of the draft to edit, never guessed.
//
// It reads only; it writes nothing to AWS. Rendering the draft is render.go;
// the CLI writes the file.
package discover
