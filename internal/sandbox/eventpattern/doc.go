// Package eventpattern parses and evaluates Amazon EventBridge event
// patterns, as documented in "Creating event patterns" (EventBridge User
// Guide): nested objects, arrays of exact values (strings, numbers compared
// as numbers, true, false, null), and the content filters prefix, suffix,
// equals-ignore-case, anything-but (values, prefix or suffix), exists,
// numeric (ranges of up to two comparisons), wildcard and $or. An event
// field holding an array matches when any element matches. It is pure: no
// I/O, no AWS types; a pattern it cannot parse is an *Error (wrapping
// ErrInvalid) worded like EventBridge's InvalidEventPatternException, so a
// pattern is refused rather than answered wrongly. cidr is refused.
package eventpattern
