// Package logssvc is the sandbox's Amazon CloudWatch Logs (JSON 1.1, signing
// name "logs", target prefix Logs_20140328): log groups (CreateLogGroup,
// DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy), log streams
// (CreateLogStream, DescribeLogStreams), events (PutLogEvents with AWS's
// batch rules and rejectedLogEventsInfo, FilterLogEvents, GetLogEvents) and
// account resource policies (PutResourcePolicy, DescribeResourcePolicies,
// DeleteResourcePolicy). Groups are per account and Region.
//
// Filter patterns: the empty pattern, plain and quoted terms (all must
// occur, case-sensitive), ?term alternatives and -term exclusions, and JSON
// patterns ({ $.a.b[0] = "x*" && $.n >= 5 || $.c IS NULL }, with !=, <, <=,
// >, >=, IS TRUE/FALSE/NULL, NOT EXISTS and parentheses); space-delimited
// ([ … ]) and regex (% … %) patterns are refused with
// InvalidParameterException rather than answered wrongly.
//
// Other sandbox services (EventBridge) deliver into a group through
// Deliver, which applies the group's resource policy as CloudWatch Logs
// does for service principals. State (groups, streams, policies, events)
// is kept in the sandbox's durable state log. It offers no metric filters,
// subscriptions, Logs Insights queries, KMS association or log classes other
// than STANDARD, and never expires events by retention.
package logssvc
