// Package view holds what byok serve knows, as plain values: the estate
// keys as the last plan read them, the last scan, the runs with their
// steps, the saved-scan trend and the audit chain status. The dashboard,
// /metrics and the JSON API render a State; only package serve builds one.
// Nothing here is secret (no material, token or PIN is ever part of it).
package view
