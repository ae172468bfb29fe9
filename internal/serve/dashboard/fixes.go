package dashboard

import "github.com/byok-dev/byok/internal/compliance"

// fixes say, per reason, what a person does about a finding.
var fixes = map[compliance.Reason]string{
	compliance.ReasonCompliant:          "",
	compliance.ReasonUnencrypted:        "Turn on encryption with the estate key of the resource's environment and service (S3 default encryption SSE-KMS; RDS: snapshot, copy with the key, restore; DynamoDB: UpdateTable SSESpecification).",
	compliance.ReasonNotKMS:             "Switch the resource to SSE-KMS with the estate key of its environment and service.",
	compliance.ReasonAWSManagedKey:      "Move the resource from the AWS managed key to the estate key (alias/{env}/{service}).",
	compliance.ReasonKeyOutsideEstate:   "Re-encrypt the resource with its estate key; keys outside byok.yaml are not rotated from the HSM.",
	compliance.ReasonWrongEstateKey:     "Re-encrypt with the key of the resource's own environment and service.",
	compliance.ReasonKeySuperseded:      "Remediate onto the new key (the alias moved at a new-key rotation): re-encrypt S3 objects, UpdateTable for DynamoDB, snapshot-copy-restore for RDS.",
	compliance.ReasonMaterialOverdue:    "Rotate the key: byok rotate --key ALIAS (or wait for the next rotation window).",
	compliance.ReasonMaterialExpiring:   "Re-import the expiring material without expiry: byok rotate --due (byok's own material) or from the HSM that holds it.",
	compliance.ReasonKeyDisabled:        "Enable the key, or move the resource to an enabled estate key; the resource cannot be read while it is disabled.",
	compliance.ReasonKeyPendingDeletion: "Cancel the key deletion (CancelKeyDeletion) now, before the data becomes unreadable.",
	compliance.ReasonKeyPendingImport:   "Import key material (byok import --key ALIAS): the key has none.",
	compliance.ReasonKeyUnreadable:      "Let the byok operator role read the key (DescribeKey, ListKeyRotations) and scan again.",
	compliance.ReasonAliasInOwnAccount:  "Name the key by its ARN or alias ARN in the Security account: a bare alias resolves in the resource's own account.",
	compliance.ReasonOutsideEstate:      "Add the account to byok.yaml as an environment, or ignore: it is not part of the estate.",
	compliance.ReasonResourceDeleted:    "",
}

// Fix is the remedy of a finding's reason ("" when none is needed).
func Fix(r compliance.Reason) string {
	if f, ok := fixes[r]; ok {
		return f
	}
	return "See byok scan --help for this reason."
}
