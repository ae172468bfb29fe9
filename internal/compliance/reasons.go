package compliance

// Reasons added to those of types.go. Stable identifiers, like the others.
const (
	// ReasonUnsupportedType is a resource type byok does not evaluate.
	ReasonUnsupportedType Reason = "UNSUPPORTED_RESOURCE_TYPE"
	// ReasonServiceOutsideEstate is a resource whose service has no estate keys.
	ReasonServiceOutsideEstate Reason = "SERVICE_OUTSIDE_ESTATE"
	// ReasonEncryptionUnreadable is a resource whose encryption settings the
	// inventory could not read (EncryptionUnknown).
	ReasonEncryptionUnreadable Reason = "ENCRYPTION_UNREADABLE"
)

// Reasons lists every reason Evaluate can return, in rule order.
func Reasons() []Reason {
	return []Reason{
		ReasonResourceDeleted, ReasonUnsupportedType, ReasonOutsideEstate,
		ReasonServiceOutsideEstate, ReasonUnencrypted, ReasonNotKMS,
		ReasonEncryptionUnreadable, ReasonAWSManagedKey, ReasonAliasInOwnAccount,
		ReasonKeyUnreadable, ReasonKeySuperseded, ReasonWrongEstateKey,
		ReasonKeyOutsideEstate, ReasonKeyDisabled, ReasonKeyPendingDeletion,
		ReasonKeyPendingImport, ReasonMaterialOverdue, ReasonMaterialExpiring,
		ReasonCompliant,
	}
}

// Verdicts lists the valid verdicts (the zero value excluded).
func Verdicts() []Verdict {
	return []Verdict{Compliant, NonCompliant, NotApplicable, InsufficientData, Exempted}
}

var encryptionNames = [...]string{"UNKNOWN", "NONE", "SSE_S3", "AWS_OWNED", "KMS"}

// String spells the encryption kind for reports: NONE, SSE_S3, AWS_OWNED, KMS.
func (e Encryption) String() string {
	if e < 0 || int(e) >= len(encryptionNames) {
		return "UNKNOWN"
	}
	return encryptionNames[e]
}

// ShortName is a compact label for tables: rds-instance, rds-cluster,
// dynamodb-table, s3-bucket (the Config type itself when unknown).
func (t ResourceType) ShortName() string {
	switch t {
	case RDSInstance:
		return "rds-instance"
	case RDSCluster:
		return "rds-cluster"
	case DynamoDBTable:
		return "dynamodb-table"
	case S3Bucket:
		return "s3-bucket"
	}
	return string(t)
}

// Label names the resource for humans: its name, else its Config ID.
func (r Resource) Label() string {
	if r.Name != "" {
		return r.Name
	}
	if r.ID != "" {
		return r.ID
	}
	return r.ARN
}
