package compliance

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkKey applies rules 9–13 to a readable key of the Security account.
func (ev *evaluation) checkKey(kf KeyFacts, keyARN string) Result {
	alias, member := ev.estateAliasOf(keyARN)
	if !member {
		return ev.notEstateKey(kf, keyARN)
	}
	name := alias + " (" + keyARN + ")"
	if res, done := keyState(kf, keyARN, name); done {
		return res
	}
	return ev.material(kf, keyARN, name)
}

// estateAliasOf returns the estate alias whose key, in the resource's
// region, is keyARN, among the environments the resource may use.
func (ev *evaluation) estateAliasOf(keyARN string) (string, bool) {
	for _, env := range ev.envs {
		if arn, ok := estateKey(ev.e, ev.f, env, ev.svc, ev.r.Region); ok && sameKey(arn, keyARN) {
			return EstateAlias(ev.e, env, ev.svc), true
		}
	}
	return "", false
}

// notEstateKey tells a superseded key from another (env, service)'s key
// and from a key the estate does not know.
func (ev *evaluation) notEstateKey(kf KeyFacts, keyARN string) Result {
	want := ev.wantAlias()
	for _, env := range ev.envs {
		alias := EstateAlias(ev.e, env, ev.svc)
		if slices.Contains(kf.FormerAliases, alias) {
			now := "no key"
			if arn, ok := estateKey(ev.e, ev.f, env, ev.svc, ev.r.Region); ok {
				slot, _ := slotOf(arn)
				now = "key " + slot.keyID
			}
			return result(NonCompliant, ReasonKeySuperseded, keyARN,
				"key %s was retired from %s by an alias switch; move the resource to the alias's current target, %s", keyARN, alias, now)
		}
	}
	slot, _ := slotOf(keyARN)
	if env, svc, ok := estateRoleOf(ev.e, ev.f, keyARN, slot.region); ok {
		return result(NonCompliant, ReasonWrongEstateKey, keyARN,
			"key %s is the estate key %s; %s %s must use %s",
			keyARN, EstateAlias(ev.e, env, svc), ev.r.Type.ShortName(), ev.r.Label(), want)
	}
	if len(ev.envs) == 1 {
		if _, ok := estateKey(ev.e, ev.f, ev.envs[0], ev.svc, ev.r.Region); !ok {
			return result(NonCompliant, ReasonKeyOutsideEstate, keyARN,
				"key %s is not an estate key, and %s does not exist in the Security account in %s", keyARN, want, ev.r.Region)
		}
	}
	return result(NonCompliant, ReasonKeyOutsideEstate, keyARN,
		"key %s is not an estate key; %s %s must use %s", keyARN, ev.r.Type.ShortName(), ev.r.Label(), want)
}

// keyState applies rule 10. KMS KeyState values: Creating, Enabled,
// Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion,
// Unavailable, Updating.
func keyState(kf KeyFacts, keyARN, name string) (Result, bool) {
	switch kf.State {
	case "Enabled", "Updating":
		return Result{}, false
	case "Disabled":
		return result(NonCompliant, ReasonKeyDisabled, keyARN, "estate key %s is disabled; the resource cannot use it", name), true
	case "Unavailable":
		return result(NonCompliant, ReasonKeyDisabled, keyARN,
			"estate key %s is Unavailable (its custom key store is disconnected); the resource cannot use it", name), true
	case "PendingDeletion", "PendingReplicaDeletion":
		return result(NonCompliant, ReasonKeyPendingDeletion, keyARN,
			"estate key %s is %s: cancel the deletion or move the resource before its data becomes unreadable", name, kf.State), true
	case "PendingImport":
		if ids := pendingImport(kf.Materials); len(ids) > 0 {
			return result(NonCompliant, ReasonKeyPendingImport, keyARN,
				"estate key %s is PendingImport: material %s expired or was deleted; re-import that same material (byok import --reimport --material-id)",
				name, strings.Join(ids, ", ")), true
		}
		return result(NonCompliant, ReasonKeyPendingImport, keyARN,
			"estate key %s is PendingImport: it has no usable key material; import material from the HSM", name), true
	case "Creating":
		return result(InsufficientData, ReasonKeyUnreadable, keyARN, "estate key %s is still being created; evaluate again later", name), true
	}
	return result(InsufficientData, ReasonKeyUnreadable, keyARN, "estate key %s has unknown key state %q", name, kf.State), true
}

// material applies rules 11–13.
func (ev *evaluation) material(kf KeyFacts, keyARN, name string) Result {
	pol := ev.e.Policy
	if kf.CurrentSince.IsZero() {
		return result(InsufficientData, ReasonKeyUnreadable, keyARN, "the date of the current key material of %s is unknown", name)
	}
	age, overdue := MaterialOverdue(kf.CurrentSince, ev.now, pol.MaxMaterialAge)
	if overdue {
		return result(NonCompliant, ReasonMaterialOverdue, keyARN,
			"current key material of %s is %s old, %s over the policy max of %s", name, span(age), span(age-pol.MaxMaterialAge), span(pol.MaxMaterialAge))
	}
	if m, ok := firstExpiry(kf.Materials, ev.now, pol.ExpiryWarning); ok {
		if !m.ValidTo.After(ev.now) {
			return result(NonCompliant, ReasonMaterialExpiring, keyARN,
				"key material %s of %s expired at %s; the key stops working when any material expires",
				shortID(m.ID), name, m.ValidTo.UTC().Format(time.RFC3339))
		}
		return result(NonCompliant, ReasonMaterialExpiring, keyARN,
			"key material %s of %s expires at %s, in %s (warning window %s); the whole key stops working then",
			shortID(m.ID), name, m.ValidTo.UTC().Format(time.RFC3339), span(m.ValidTo.Sub(ev.now)), span(pol.ExpiryWarning))
	}
	return result(Compliant, ReasonCompliant, keyARN,
		"current key material of %s is %s old (max %s); no material expires within %s",
		name, span(age), span(pol.MaxMaterialAge), span(pol.ExpiryWarning))
}

// pendingImport lists (shortened) the materials whose ImportState is
// PENDING_IMPORT: imported copies that expired or were deleted.
func pendingImport(ms []Material) []string {
	var ids []string
	for _, m := range ms {
		if m.ImportState == "PENDING_IMPORT" {
			ids = append(ids, shortID(m.ID))
		}
	}
	return ids
}

// firstExpiry returns the expiring material (MaterialExpiring) with the
// earliest ValidTo.
func firstExpiry(ms []Material, now time.Time, warning time.Duration) (Material, bool) {
	var first Material
	found := false
	for _, m := range ms {
		if !MaterialExpiring(m.ValidTo, now, warning) {
			continue
		}
		if !found || m.ValidTo.Before(*first.ValidTo) {
			first, found = m, true
		}
	}
	return first, found
}

// span renders a duration in whole days ("412 days", rounded down), and
// anything shorter as "less than a day": a detail must not change between
// two scans of the same state seconds apart ("1m11s old"), so that a diff
// of saved scans and a Config annotation change only when the state does.
// Where the exact moment matters the detail also gives the timestamp.
func span(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 2*day:
		return strconv.FormatInt(int64(d/day), 10) + " days"
	case d >= day:
		return "1 day"
	case d < 0:
		return "overdue"
	}
	return "less than a day"
}

// shortID keeps a 64-hex KeyMaterialId recognisable in a detail that must
// fit a 256-character Config annotation with the key's alias and ARN.
func shortID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:12] + "…"
}
