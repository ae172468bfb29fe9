package orgsvc

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type orgOut struct {
	ID                 string `json:"Id"`
	Arn                string `json:"Arn"`
	FeatureSet         string `json:"FeatureSet"`
	MasterAccountArn   string `json:"MasterAccountArn"`
	MasterAccountID    string `json:"MasterAccountId"`
	MasterAccountEmail string `json:"MasterAccountEmail"`
}

type accountOut struct {
	ID              string  `json:"Id"`
	Arn             string  `json:"Arn"`
	Email           string  `json:"Email"`
	Name            string  `json:"Name"`
	Status          string  `json:"Status"`
	JoinedMethod    string  `json:"JoinedMethod"`
	JoinedTimestamp float64 `json:"JoinedTimestamp"`
}

func notInUse() *awsproto.Error {
	return awsproto.Errorf("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}

// member returns the organization when the caller's account belongs to it.
func (s *Service) member(c *svc.Call) (*Organization, string, *awsproto.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.org == nil || !slices.ContainsFunc(s.org.Members, func(m Member) bool { return m.ID == c.Caller.Account }) {
		return nil, "", notInUse()
	}
	return s.org, s.id, nil
}

func (s *Service) describe(c *svc.Call) (any, *awsproto.Error) {
	org, id, aerr := s.member(c)
	if aerr != nil {
		return nil, aerr
	}
	p := s.env.Partition
	email := ""
	for _, m := range org.Members {
		if m.ID == org.Management {
			email = m.Email
		}
	}
	return map[string]orgOut{"Organization": {ID: id, Arn: "arn:" + p + ":organizations::" + org.Management + ":organization/" + id,
		FeatureSet: "ALL", MasterAccountArn: "arn:" + p + ":organizations::" + org.Management + ":account/" + id + "/" + org.Management,
		MasterAccountID: org.Management, MasterAccountEmail: email}}, nil
}

type listIn struct {
	NextToken  string `json:"NextToken"`
	MaxResults *int   `json:"MaxResults"`
}

func (s *Service) listAccounts(c *svc.Call) (any, *awsproto.Error) {
	var in listIn
	if aerr := awsproto.DecodeJSON(c.Body, &in); aerr != nil {
		return nil, aerr
	}
	org, id, aerr := s.member(c)
	if aerr != nil {
		return nil, aerr
	}
	if c.Caller.Account != org.Management && !slices.Contains(org.Delegated, c.Caller.Account) {
		return nil, &awsproto.Error{Status: http.StatusBadRequest, Code: "AccessDeniedException",
			Message: "You don't have permissions to access this resource."}
	}
	max := 20
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 20 {
			return nil, awsproto.Errorf("InvalidInputException", "MaxResults must be between 1 and 20.")
		}
		max = *in.MaxResults
	}
	from := 0
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, aerr2 := strconv.Atoi(string(raw))
		if err != nil || aerr2 != nil || n <= 0 || n >= len(org.Members) {
			return nil, awsproto.Errorf("InvalidInputException", "The provided NextToken is not valid.")
		}
		from = n
	}
	end := min(from+max, len(org.Members))
	accts := make([]accountOut, 0, end-from)
	for _, m := range org.Members[from:end] {
		accts = append(accts, accountOut{ID: m.ID, Arn: "arn:" + s.env.Partition + ":organizations::" + org.Management + ":account/" + id + "/" + m.ID,
			Email: m.Email, Name: m.Name, Status: "ACTIVE", JoinedMethod: "CREATED", JoinedTimestamp: float64(c.Now.Unix())})
	}
	out := map[string]any{"Accounts": accts}
	if end < len(org.Members) {
		out["NextToken"] = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return out, nil
}
