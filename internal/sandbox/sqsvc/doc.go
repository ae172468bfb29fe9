// Package sqsvc is the sandbox's Service Quotas (JSON 1.1, signing name
// "servicequotas", target prefix ServiceQuotasV20190624): ListServiceQuotas,
// GetServiceQuota, ListAWSDefaultServiceQuotas and GetAWSDefaultServiceQuota
// for the request-rate quotas of the services the sandbox throttles (KMS,
// STS, CloudTrail), named as Service Quotas names them ("GetParametersForImport
// request rate"). Applied values are the ones the fault injector enforces
// (set through the admin endpoint or sandboxrun), so what a caller reads is
// what it will be throttled at. It offers no quota increase requests,
// templates or utilisation; denying access is done with a fault rule
// (service "servicequotas", code AccessDeniedException).
package sqsvc
