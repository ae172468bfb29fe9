package compliance

import "time"

// The material rules, shared by the evaluator (scan, Config rule) and the
// rotation plan (rotate --due, byok plan), so that what a scan calls
// MATERIAL_OVERDUE / MATERIAL_EXPIRING is exactly what a plan calls due /
// expiring.

// MaterialOverdue is the overdue rule: the current material became current
// at since and is older than maxAge at now. A zero maxAge judges nothing.
func MaterialOverdue(since, now time.Time, maxAge time.Duration) (age time.Duration, overdue bool) {
	age = now.Sub(since)
	return age, maxAge > 0 && age > maxAge
}

// MaterialExpiring is the expiring rule: a material with a ValidTo at or
// before now+warning (already expired included). KMS makes the whole key
// unusable when any one of its materials expires.
func MaterialExpiring(validTo *time.Time, now time.Time, warning time.Duration) bool {
	return validTo != nil && !validTo.After(now.Add(warning))
}
