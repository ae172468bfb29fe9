// Package awsproto holds the wire shapes the sandbox shares across services:
// AWS error bodies for the JSON 1.0/1.1, Query (XML) and REST-XML protocols,
// request IDs and operation extraction. It knows protocols, not services:
// no service semantics live here.
package awsproto
