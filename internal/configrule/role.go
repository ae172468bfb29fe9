package configrule

import (
	"strings"
)

// serviceLinkedConfigRole is the path of AWS Config's service-linked role,
// AWSServiceRoleForConfig: what Config puts in executionRoleArn for the
// rules of an organization (and of accounts that record with it). Only
// the Config service can assume it, so the function cannot use it.
const serviceLinkedConfigRole = ":role/aws-service-role/config.amazonaws.com/"

// executionRole returns the role ARN through which the rule calls Config in
// the event's account, "" for the function's own credentials:
//   - the executionRoleName parameter, in the event's account, always wins;
//   - otherwise the event's executionRoleArn, unless it is the
//     service-linked role of another account than the Security account,
//     which is an error naming the parameter to set;
//   - the service-linked role of the Security account itself (an account
//     rule next to the function) means the function's own credentials.
func executionRole(ev Event, securityAccount string) (string, error) {
	if ev.Params.ExecutionRoleName != "" {
		return "arn:" + partitionOf(ev.ExecutionRoleARN) + ":iam::" + ev.Account + ":role/" + ev.Params.ExecutionRoleName, nil
	}
	if !strings.Contains(ev.ExecutionRoleARN, serviceLinkedConfigRole) {
		return ev.ExecutionRoleARN, nil
	}
	if ev.Account == securityAccount {
		return "", nil
	}
	return "", fieldErr(ErrExecutionRole, "executionRoleArn",
		`set the rule parameter executionRoleName to the role deploy/member-account.yaml creates in every member account, e.g. {"executionRoleName":"byok-config-rule-member"}`,
		"%s is AWS Config's service-linked role, which only Config can assume; the rule cannot report to account %s through it", ev.ExecutionRoleARN, ev.Account)
}

// partitionOf reads the partition of an ARN ("aws" when there is none).
func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}
