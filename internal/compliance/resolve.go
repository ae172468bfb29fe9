package compliance

// managerAWS is KeyManager for AWS managed keys (aws/s3, aws/rds, …).
const managerAWS = "AWS"

// resolve applies rules 5–8: from the resource's key reference to the
// facts of a key in the Security account, or a final Result.
func (ev *evaluation) resolve() (KeyFacts, string, Result, bool) {
	r := ev.r
	if r.KeyRef == "" {
		return KeyFacts{}, "", result(NonCompliant, ReasonAWSManagedKey, "",
			"%s %s uses KMS without naming a key, i.e. the AWS managed key aws/%s; it must use %s",
			r.Type.ShortName(), r.Label(), ev.svc, ev.wantAlias()), true
	}
	ref, err := ParseKeyRef(r.KeyRef, r.Account, r.Region)
	if err != nil {
		return KeyFacts{}, "", result(InsufficientData, ReasonKeyUnreadable, "", "%v", err), true
	}
	if ref.AWSManaged() {
		return KeyFacts{}, "", result(NonCompliant, ReasonAWSManagedKey, ref.ARN(),
			"%s %s uses the AWS managed key %s; it must use %s", r.Type.ShortName(), r.Label(), ref.Alias, ev.wantAlias()), true
	}
	if ref.IsAlias() {
		return ev.resolveAlias(ref)
	}
	return ev.resolveKey(ref, ref.ARN())
}

// resolveAlias follows an alias to its key. An alias outside the Security
// account never leads to an estate key: aliases only target keys of their
// own account.
func (ev *evaluation) resolveAlias(ref KeyRef) (KeyFacts, string, Result, bool) {
	sec := ev.e.SecurityAccount
	target, found := ev.f.AliasTarget(ref.Account, ref.Region, ref.Alias)
	if ref.Account != sec && isEstateAlias(ev.e, ref.Alias) {
		how := "alias ARN " + ref.ARN()
		if !ref.Qualified() {
			how = "bare alias " + ref.Alias
		}
		where := "where no such alias exists"
		if found {
			where = "where it targets " + target
		}
		if ev.r.Type == S3Bucket && !ref.Qualified() {
			// S3 resolves a bare alias in the account of each request's
			// writer (the bucket owner here), never in the key's account.
			return KeyFacts{}, "", result(NonCompliant, ReasonAliasInOwnAccount, target,
				"S3 resolves %s in each writer's account (bucket owner %s), not the Security account %s (%s); set the default key by its key ARN",
				how, ref.Account, sec, where), true
		}
		return KeyFacts{}, "", result(NonCompliant, ReasonAliasInOwnAccount, target,
			"%s resolves in the resource's account %s, not the Security account %s (%s); name the estate key by its key ARN",
			how, ref.Account, sec, where), true
	}
	if found {
		return ev.resolveKey(ref, target)
	}
	if ref.Account != sec {
		return KeyFacts{}, "", result(NonCompliant, ReasonKeyOutsideEstate, "",
			"alias %s resolves in account %s; estate keys live only in the Security account %s",
			ref.Alias, ref.Account, sec), true
	}
	return KeyFacts{}, "", result(InsufficientData, ReasonKeyUnreadable, "",
		"alias %s was not found in the Security account %s in %s (not read, or deleted)", ref.Alias, sec, ref.Region), true
}

// resolveKey reads the facts of keyARN. A key outside the Security account
// is outside the estate whatever its facts say, except that AWS managed is
// the more precise reason when known.
func (ev *evaluation) resolveKey(ref KeyRef, keyARN string) (KeyFacts, string, Result, bool) {
	sec := ev.e.SecurityAccount
	kf, known := ev.f.Key(keyARN)
	if known && kf.Manager == managerAWS {
		return KeyFacts{}, "", result(NonCompliant, ReasonAWSManagedKey, keyARN,
			"key %s is an AWS managed key; %s %s must use %s", keyARN, ev.r.Type.ShortName(), ev.r.Label(), ev.wantAlias()), true
	}
	slot, _ := slotOf(keyARN)
	if slot.account != sec {
		return KeyFacts{}, "", ev.foreignKey(ref, keyARN, slot), true
	}
	if !known {
		return KeyFacts{}, "", result(InsufficientData, ReasonKeyUnreadable, keyARN,
			"no facts for key %s: it was not found in the Security account's keys in %s", keyARN, slot.region), true
	}
	if kf.Err != nil {
		return KeyFacts{}, "", result(InsufficientData, ReasonKeyUnreadable, keyARN,
			"facts of key %s could not be read: %v", keyARN, kf.Err), true
	}
	return kf, keyARN, Result{}, false
}

// foreignKey explains a key in an account other than the Security account.
func (ev *evaluation) foreignKey(ref KeyRef, keyARN string, slot keySlot) Result {
	sec := ev.e.SecurityAccount
	if ref.Kind == KeyRefKeyID {
		if _, ok := ev.f.Key(KeyARN(ref.Partition, ref.Region, sec, ref.KeyID)); ok {
			return result(NonCompliant, ReasonKeyOutsideEstate, keyARN,
				"bare key ID %s resolves in the resource's account %s, not the Security account %s where that key is; name it by its key ARN",
				ref.KeyID, slot.account, sec)
		}
	}
	return result(NonCompliant, ReasonKeyOutsideEstate, keyARN,
		"key %s is in account %s; estate keys live only in the Security account %s, and %s %s must use %s",
		keyARN, slot.account, sec, ev.r.Type.ShortName(), ev.r.Label(), ev.wantAlias())
}
