package ddbsvc

import (
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	statusActive   = "ACTIVE"
	statusCreating = "CREATING"
	statusUpdating = "UPDATING"
	statusDeleting = "DELETING"
)

type listTablesInput struct {
	ExclusiveStartTableName *string
	Limit                   *int64
}

type listTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

// listTables pages through the account's tables in the Region in name
// order; Limit is 1–100 (100 when absent).
func (s *Service) listTables(c *svc.Call) (any, *awsproto.Error) {
	var in listTablesInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	limit := int64(100)
	if in.Limit != nil {
		limit = *in.Limit
		if limit < 1 || limit > 100 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: "+
				"Member must have value %s", limit, map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 100"}[limit < 1])
		}
	}
	start := ""
	if in.ExclusiveStartTableName != nil {
		start = *in.ExclusiveStartTableName
		if err := checkName(start, "exclusiveStartTableName"); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.tables[scope{c.Caller.Account, c.Region}]))
	for n := range s.tables[scope{c.Caller.Account, c.Region}] {
		if n > start {
			names = append(names, n)
		}
	}
	s.mu.RUnlock()
	slices.Sort(names)
	out := listTablesOutput{TableNames: names}
	if int64(len(names)) > limit {
		out.TableNames = names[:limit]
		out.LastEvaluatedTableName = names[limit-1]
	}
	return out, nil
}

type tableNameInput struct {
	TableName string
}

type describeTableOutput struct {
	Table tableDescription `json:"Table"`
}

type tableDescriptionOutput struct {
	TableDescription tableDescription `json:"TableDescription"`
}

// lookup resolves a TableName (name or table ARN) in the caller's scope;
// s.mu held.
func (s *Service) lookup(c *svc.Call, ref string) (*table, *awsproto.Error) {
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		_, name, _ = strings.Cut(ref, ":table/")
	}
	if err := checkName(name, "tableName"); err != nil {
		return nil, err
	}
	t := s.tables[scope{c.Caller.Account, c.Region}][name]
	if t == nil {
		return nil, notFound(name)
	}
	return t, nil
}

func (s *Service) describeTable(c *svc.Call) (any, *awsproto.Error) {
	var in tableNameInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.lookup(c, in.TableName)
	if err != nil {
		return nil, err
	}
	return describeTableOutput{Table: s.describe(t, statusActive)}, nil
}

func (s *Service) deleteTable(c *svc.Call) (any, *awsproto.Error) {
	var in tableNameInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(c, in.TableName)
	if err != nil {
		return nil, err
	}
	if derr := s.env.State.Delete(kindTable, storeKey(t.Account, t.Region, t.Name)); derr != nil {
		return nil, internalError(derr)
	}
	delete(s.tables[t.scope()], t.Name)
	return tableDescriptionOutput{TableDescription: s.describe(t, statusDeleting)}, nil
}

// checkName applies DynamoDB's table-name constraints (3–255 characters
// of [a-zA-Z0-9_.-]).
func checkName(name, field string) *awsproto.Error {
	if len(name) < 3 || len(name) > 255 {
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "+
			"Member must have length %s", name, field, map[bool]string{true: "greater than or equal to 3", false: "less than or equal to 255"}[len(name) < 3])
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "+
				"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, field)
		}
	}
	return nil
}
