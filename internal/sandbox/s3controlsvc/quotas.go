package s3controlsvc

import "github.com/byok-dev/byok/internal/sandbox/faults"

// Quotas bound the job API calls when quotas are enforced. AWS publishes
// no figure for them; the sandbox allows 10 per second per account and
// Region, so a client polling DescribeJob must pace itself.
func Quotas() []faults.Quota {
	return []faults.Quota{
		{Name: "batch-jobs", PerSecond: 10, Ops: []string{"CreateJob", "DescribeJob", "ListJobs", "UpdateJobStatus"}},
	}
}
