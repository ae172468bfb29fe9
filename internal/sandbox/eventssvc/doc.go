// Package eventssvc is the sandbox's Amazon EventBridge (JSON 1.1, signing
// name "events", target prefix AWSEvents) for the default event bus of each
// account and Region: rules (PutRule, DescribeRule, ListRules, DeleteRule,
// EnableRule, DisableRule), targets (PutTargets, ListTargetsByRule,
// RemoveTargets) and TestEventPattern, with patterns evaluated by package
// eventpattern.
//
// Delivery: every CloudTrail event the sandbox records is wrapped as
// EventBridge wraps it ("AWS API Call via CloudTrail", source aws.<service>,
// the CloudTrail record as detail) once for each account in which it is
// recorded, and matched against that account's and Region's enabled rules.
// Read-only events match only rules in state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, as on AWS. A matched event
// goes to each CloudWatch Logs log-group target through logssvc.Deliver
// (one log stream per event, named after the event ID); when the group is
// missing or its resource policy does not let events.amazonaws.com write,
// the invocation fails silently, as on AWS, and is counted in the rule's
// FailedInvocations (admin endpoint /_byok/events/metrics). Targets of other
// services are accepted and their invocations counted as failed. Delivery
// runs synchronously inside the recording call, so nothing is lost while
// the process lives; with no enabled rule anywhere it costs one atomic load.
// Rules and targets are kept in the durable state log; metrics are not.
// Custom event buses, schedules, PutEvents, input transformation, archives
// and retries are not offered.
package eventssvc
