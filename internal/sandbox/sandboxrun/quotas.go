package sandboxrun

// SetAppliedQuota sets the applied value of one request quota of service
// ("kms", "sts", "cloudtrail") in account and Region, by the table's name
// ("GetParametersForImport"): Service Quotas reports it and, with quotas
// enforced, the sandbox throttles at it. Value 0 restores the default.
func (s *Sandbox) SetAppliedQuota(account, region, service, quota string, value float64) error {
	return s.Server.Faults.SetApplied(account, region, service, quota, value)
}
