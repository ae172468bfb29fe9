package compliance

import (
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/estate"
)

// ServiceOf maps a resource type to the estate service whose key it must use.
func ServiceOf(t ResourceType) (estate.Service, bool) {
	switch t {
	case RDSInstance, RDSCluster:
		return estate.ServiceRDS, true
	case DynamoDBTable:
		return estate.ServiceDynamoDB, true
	case S3Bucket:
		return estate.ServiceS3, true
	}
	return "", false
}

// EstateAlias renders the estate's alias format for (env, service), e.g.
// alias/{env}/{service} → alias/prod/s3.
func EstateAlias(e *estate.Estate, env string, svc estate.Service) string {
	format := e.AliasFormat
	if format == "" {
		format = "alias/{env}/{service}"
	}
	return strings.ReplaceAll(strings.ReplaceAll(format, "{env}", env), "{service}", string(svc))
}

// envsFor returns the environments whose keys a resource in account may
// use: the environments of that account, or every environment for the
// Security account itself. Empty means the account is outside the estate.
func envsFor(e *estate.Estate, account string) []string {
	var envs []string
	for _, env := range e.Environments {
		if env.Account == account {
			envs = append(envs, env.Name)
		}
	}
	if len(envs) == 0 && account == e.SecurityAccount {
		for _, env := range e.Environments {
			envs = append(envs, env.Name)
		}
	}
	return envs
}

// estateKey returns the ARN of the estate key for (env, svc) in region:
// the target of the estate alias in the Security account there or, in a
// replica region the estate lists, the replica of the multi-Region key the
// alias targets in one of the estate's regions (same mrk- ID).
func estateKey(e *estate.Estate, f Facts, env string, svc estate.Service, region string) (string, bool) {
	alias := EstateAlias(e, env, svc)
	if arn, ok := f.AliasTarget(e.SecurityAccount, region, alias); ok {
		return arn, true
	}
	if !isReplicaRegion(e, env, svc, region) {
		return "", false
	}
	for _, primary := range e.Regions {
		arn, ok := f.AliasTarget(e.SecurityAccount, primary, alias)
		if !ok {
			continue
		}
		if slot, ok := slotOf(arn); ok && strings.HasPrefix(slot.keyID, "mrk-") {
			return KeyARN(PartitionOf(region), region, e.SecurityAccount, slot.keyID), true
		}
	}
	return "", false
}

func isReplicaRegion(e *estate.Estate, env string, svc estate.Service, region string) bool {
	for _, m := range e.MultiRegion {
		if m.Env == env && m.Service == svc && slices.Contains(m.Replicas, region) {
			return true
		}
	}
	return false
}

// sameKey compares two key ARNs by account, region and key ID.
func sameKey(a, b string) bool {
	sa, okA := slotOf(a)
	sb, okB := slotOf(b)
	return okA && okB && sa == sb
}

// estateRoleOf finds the (env, service) whose estate key in region is keyARN.
func estateRoleOf(e *estate.Estate, f Facts, keyARN, region string) (string, estate.Service, bool) {
	for _, env := range e.Environments {
		for _, svc := range e.Services {
			if arn, ok := estateKey(e, f, env.Name, svc, region); ok && sameKey(arn, keyARN) {
				return env.Name, svc, true
			}
		}
	}
	return "", "", false
}

// isEstateAlias reports whether alias is the estate alias of some
// (env, service).
func isEstateAlias(e *estate.Estate, alias string) bool {
	for _, env := range e.Environments {
		for _, svc := range e.Services {
			if EstateAlias(e, env.Name, svc) == alias {
				return true
			}
		}
	}
	return false
}
