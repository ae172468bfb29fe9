package sqsvc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// serviceNames are the Service Quotas names of the services it lists.
var serviceNames = map[string]string{
	pace.ServiceKMS:        "AWS Key Management Service (AWS KMS)",
	pace.ServiceSTS:        "AWS Security Token Service (AWS STS)",
	pace.ServiceCloudTrail: "AWS CloudTrail",
}

// codePattern is the API's pattern for ServiceCode and QuotaCode.
var codePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{1,128}$`)

type quotaOut struct {
	ServiceCode string  `json:"ServiceCode"`
	ServiceName string  `json:"ServiceName"`
	QuotaArn    string  `json:"QuotaArn"`
	QuotaCode   string  `json:"QuotaCode"`
	QuotaName   string  `json:"QuotaName"`
	Value       float64 `json:"Value"`
	Unit        string  `json:"Unit"`
	Adjustable  bool    `json:"Adjustable"`
	GlobalQuota bool    `json:"GlobalQuota"`
}

type listIn struct {
	ServiceCode string `json:"ServiceCode"`
	NextToken   string `json:"NextToken"`
	MaxResults  *int   `json:"MaxResults"`
}

type listOut struct {
	Quotas    []quotaOut `json:"Quotas"`
	NextToken string     `json:"NextToken,omitempty"`
}

type getIn struct {
	ServiceCode string `json:"ServiceCode"`
	QuotaCode   string `json:"QuotaCode"`
}

type getOut struct {
	Quota quotaOut `json:"Quota"`
}

// QuotaCode is the sandbox's quota code of a quota: "L-" and eight hex
// digits derived from service and name, stable across runs. AWS's codes
// for KMS request rates are not published beside the rates, and byok
// matches quotas by name, never by code.
func QuotaCode(service, name string) string {
	sum := sha256.Sum256([]byte(service + "/" + name))
	return "L-" + strings.ToUpper(hex.EncodeToString(sum[:4]))
}

func (s *Service) quotas(c *svc.Call, service string, applied bool) ([]quotaOut, *awsproto.Error) {
	if !codePattern.MatchString(service) {
		return nil, awsproto.Errorf("IllegalArgumentException", "ServiceCode %q does not match [a-zA-Z][a-zA-Z0-9-]{1,63}", service)
	}
	sname, ok := serviceNames[service]
	if !ok {
		return nil, awsproto.Errorf("NoSuchResourceException", "The request failed because the specified service does not exist.")
	}
	qs := s.inj.Quotas(c.Caller.Account, c.Region, service)
	out := make([]quotaOut, 0, len(qs))
	for _, q := range qs {
		if !applied {
			d, _ := s.inj.Default(service, q.Name)
			q.PerSecond = d.PerSecond
		}
		code := QuotaCode(service, q.Name)
		out = append(out, quotaOut{ServiceCode: service, ServiceName: sname,
			QuotaArn:  "arn:" + s.env.Partition + ":servicequotas:" + c.Region + ":" + c.Caller.Account + ":" + service + "/" + code,
			QuotaCode: code, QuotaName: pace.ServiceQuotaName(pace.Quota{Name: q.Name}),
			Value: q.PerSecond, Unit: "None", Adjustable: true})
	}
	return out, nil
}

func (s *Service) list(c *svc.Call, applied bool) (*listOut, *awsproto.Error) {
	var in listIn
	if aerr := awsproto.DecodeJSON(c.Body, &in); aerr != nil {
		return nil, aerr
	}
	max := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, awsproto.Errorf("IllegalArgumentException", "MaxResults must be between 1 and 100")
		}
		max = *in.MaxResults
	}
	all, aerr := s.quotas(c, in.ServiceCode, applied)
	if aerr != nil {
		return nil, aerr
	}
	from, aerr := decodeToken(in.NextToken, in.ServiceCode, len(all))
	if aerr != nil {
		return nil, aerr
	}
	end := min(from+max, len(all))
	out := &listOut{Quotas: all[from:end]}
	if end < len(all) {
		out.NextToken = encodeToken(in.ServiceCode, end)
	}
	return out, nil
}

func (s *Service) get(c *svc.Call, applied bool) (*getOut, *awsproto.Error) {
	var in getIn
	if aerr := awsproto.DecodeJSON(c.Body, &in); aerr != nil {
		return nil, aerr
	}
	if !codePattern.MatchString(in.QuotaCode) {
		return nil, awsproto.Errorf("IllegalArgumentException", "QuotaCode %q does not match [a-zA-Z][a-zA-Z0-9-]{1,128}", in.QuotaCode)
	}
	all, aerr := s.quotas(c, in.ServiceCode, applied)
	if aerr != nil {
		return nil, aerr
	}
	for _, q := range all {
		if q.QuotaCode == in.QuotaCode {
			return &getOut{Quota: q}, nil
		}
	}
	return nil, awsproto.Errorf("NoSuchResourceException", "The request failed because the specified quota does not exist.")
}

// Tokens are opaque to callers: the service code and the offset.
func encodeToken(service string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(service + ":" + strconv.Itoa(offset)))
}

func decodeToken(tok, service string, n int) (int, *awsproto.Error) {
	if tok == "" {
		return 0, nil
	}
	bad := awsproto.Errorf("InvalidPaginationTokenException", "Invalid pagination token")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	svcPart, off, ok := strings.Cut(string(raw), ":")
	i, err := strconv.Atoi(off)
	if !ok || err != nil || svcPart != service || i <= 0 || i >= n {
		return 0, bad
	}
	return i, nil
}
