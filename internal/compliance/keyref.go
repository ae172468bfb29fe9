package compliance

import (
	"regexp"
	"strings"
)

// KeyRefKind is the form in which a resource names its KMS key. The zero
// value is invalid.
type KeyRefKind int

// Key reference forms, as KMS accepts them in a KeyId parameter.
const (
	KeyRefInvalid   KeyRefKind = iota
	KeyRefKeyID                // 1234abcd-… or mrk-…, resolved in the resource's account and region
	KeyRefKeyARN               // arn:aws:kms:REGION:ACCOUNT:key/ID
	KeyRefAliasName            // alias/NAME, resolved in the resource's account and region
	KeyRefAliasARN             // arn:aws:kms:REGION:ACCOUNT:alias/NAME
)

var keyRefKindNames = [...]string{"invalid", "key ID", "key ARN", "alias name", "alias ARN"}

func (k KeyRefKind) String() string {
	if k < 0 || int(k) >= len(keyRefKindNames) {
		return "invalid"
	}
	return keyRefKindNames[k]
}

// KeyRef is a normalised key reference. Account and Region are always set:
// taken from the ARN, or, for a bare key ID or alias name, from the
// resource, because S3, RDS and DynamoDB resolve bare references in the
// resource's own account and region.
type KeyRef struct {
	Kind      KeyRefKind
	Partition string
	Account   string
	Region    string
	KeyID     string // key ID (key forms only)
	Alias     string // "alias/NAME" (alias forms only)
}

// IsAlias reports whether the reference goes through an alias.
func (r KeyRef) IsAlias() bool { return r.Kind == KeyRefAliasName || r.Kind == KeyRefAliasARN }

// Qualified reports whether the reference named its account (an ARN).
func (r KeyRef) Qualified() bool { return r.Kind == KeyRefKeyARN || r.Kind == KeyRefAliasARN }

// AWSManaged reports whether the reference is an AWS managed key's alias
// (alias/aws/s3, alias/aws/rds, alias/aws/dynamodb, …).
func (r KeyRef) AWSManaged() bool { return r.IsAlias() && strings.HasPrefix(r.Alias, "alias/aws/") }

// MultiRegion reports whether the key ID is a multi-Region key ID (mrk-…).
func (r KeyRef) MultiRegion() bool { return strings.HasPrefix(r.KeyID, "mrk-") }

// ARN is the canonical ARN: the key ARN for key forms, the alias ARN for
// alias forms.
func (r KeyRef) ARN() string {
	if r.IsAlias() {
		return "arn:" + r.Partition + ":kms:" + r.Region + ":" + r.Account + ":" + r.Alias
	}
	return KeyARN(r.Partition, r.Region, r.Account, r.KeyID)
}

// KeyARN builds a key ARN.
func KeyARN(partition, region, account, keyID string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + keyID
}

// PartitionOf returns the AWS partition of a region (aws, aws-cn,
// aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc).
func PartitionOf(region string) string {
	prefixes := []struct{ prefix, partition string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"},
		{"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
		{"eusc-", "aws-eusc"},
	}
	for _, p := range prefixes {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	mrkRE       = regexp.MustCompile(`^mrk-[0-9a-f]{32}$`)
	aliasRE     = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]+$`)
	accountRE   = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	partitionRE = regexp.MustCompile(`^aws(-[a-z]+)*$`)
)

// maxAliasLen is KMS's limit on an alias name, "alias/" included.
const maxAliasLen = 256

// ParseKeyRef normalises a key reference exactly as the resource recorded
// it: a key ID (UUID or mrk-…), a key ARN, an alias name (alias/NAME) or an
// alias ARN. resourceAccount and region are the resource's; they complete a
// bare key ID or alias name and are not needed for ARNs. Nothing is trimmed
// or case-folded: AWS would not accept such a reference either. Errors are
// *KeyRefError wrapping one of the ErrKeyRef* sentinels.
func ParseKeyRef(ref, resourceAccount, region string) (KeyRef, error) {
	switch {
	case ref == "":
		return KeyRef{}, refErr(ref, ErrKeyRefEmpty, "the resource names no key",
			"pass the key ID, key ARN, alias name or alias ARN the resource records")
	case strings.HasPrefix(ref, "arn:"):
		return parseKeyARN(ref)
	case strings.HasPrefix(ref, "alias/"):
		if err := checkAlias(ref, ref); err != nil {
			return KeyRef{}, err
		}
		return bareRef(ref, KeyRef{Kind: KeyRefAliasName, Alias: ref}, resourceAccount, region)
	case uuidRE.MatchString(ref) || mrkRE.MatchString(ref):
		return bareRef(ref, KeyRef{Kind: KeyRefKeyID, KeyID: ref}, resourceAccount, region)
	}
	return KeyRef{}, refErr(ref, ErrKeyRefSyntax, "not a key ID, key ARN, alias name or alias ARN",
		"key IDs look like 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-<32 hex>; aliases start with alias/; ARNs with arn:")
}

// bareRef completes a bare reference with the resource's account and region.
func bareRef(ref string, k KeyRef, account, region string) (KeyRef, error) {
	if !accountRE.MatchString(account) {
		return KeyRef{}, refErr(ref, ErrKeyRefAccount, "resource account "+quote(account)+" is not a 12-digit account ID",
			"a bare key ID or alias resolves in the resource's account; pass that account")
	}
	if !regionRE.MatchString(region) {
		return KeyRef{}, refErr(ref, ErrKeyRefRegion, "resource region "+quote(region)+" is not a region name",
			"a bare key ID or alias resolves in the resource's region, e.g. eu-west-1")
	}
	k.Account, k.Region, k.Partition = account, region, PartitionOf(region)
	return k, nil
}

func checkAlias(ref, alias string) error {
	if len(alias) > maxAliasLen || !aliasRE.MatchString(alias) {
		return refErr(ref, ErrKeyRefAlias, "alias names are alias/ followed by 1–250 letters, digits, '/', '_' or '-'",
			"e.g. alias/prod/s3")
	}
	return nil
}

// parseKeyARN parses arn:PARTITION:kms:REGION:ACCOUNT:key/ID or …:alias/NAME.
func parseKeyARN(ref string) (KeyRef, error) {
	const hint = "KMS ARNs look like arn:aws:kms:eu-west-1:111111111111:key/ID or …:alias/NAME"
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[2] != "kms" {
		return KeyRef{}, refErr(ref, ErrKeyRefARN, "not a KMS ARN", hint)
	}
	k := KeyRef{Partition: parts[1], Region: parts[3], Account: parts[4]}
	switch {
	case !partitionRE.MatchString(k.Partition):
		return KeyRef{}, refErr(ref, ErrKeyRefARN, "partition "+quote(k.Partition)+" is not an AWS partition", hint)
	case !regionRE.MatchString(k.Region):
		return KeyRef{}, refErr(ref, ErrKeyRefRegion, "region "+quote(k.Region)+" is not a region name", hint)
	case !accountRE.MatchString(k.Account):
		return KeyRef{}, refErr(ref, ErrKeyRefAccount, "account "+quote(k.Account)+" is not a 12-digit account ID", hint)
	}
	res := parts[5]
	if id, ok := strings.CutPrefix(res, "key/"); ok {
		if !uuidRE.MatchString(id) && !mrkRE.MatchString(id) {
			return KeyRef{}, refErr(ref, ErrKeyRefKeyID, "key ID "+quote(id)+" is neither a UUID nor mrk-<32 hex>", hint)
		}
		k.Kind, k.KeyID = KeyRefKeyARN, id
		return k, nil
	}
	if strings.HasPrefix(res, "alias/") {
		if err := checkAlias(ref, res); err != nil {
			return KeyRef{}, err
		}
		k.Kind, k.Alias = KeyRefAliasARN, res
		return k, nil
	}
	return KeyRef{}, refErr(ref, ErrKeyRefARN, "resource "+quote(res)+" is neither key/ID nor alias/NAME", hint)
}
