// Package alert decides when byok serve alerts and delivers alerts: a
// Notifier keeps, per destination, the conditions already announced, so the
// same condition alerts once until it changes or clears; destinations are an
// SNS topic (Publish through the SDK) and a webhook (JSON body signed with
// HMAC-SHA256). It builds no conditions itself (package serve does) and
// never puts a secret in an alert, a log or an error.
package alert
