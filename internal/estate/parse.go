package estate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults applied to fields the estate file leaves out (DESIGN.md).
const (
	DefaultAliasFormat       = "alias/{env}/{service}"
	DefaultMaxMaterialAge    = 365 * 24 * time.Hour
	DefaultExpiryWarning     = 30 * 24 * time.Hour
	DefaultWrappingAlgorithm = "RSAES_OAEP_SHA_256"
	DefaultWrappingKeySpec   = "RSA_4096"
	DefaultStrategy          = StrategyInPlace
)

var topFields = []string{"security_account", "regions", "alias_format", "policy", "hsm",
	"roles", "environments", "services", "multi_region", "schedule", "alerts", "state_location", "exceptions", "watch"}

// Load reads and parses the estate file at path.
func Load(path string) (*Estate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read estate: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates an estate file; path is used in error
// positions and kept as Estate.Path. On failure it returns nil and every
// problem found, each an *Error (see Errors), joined with errors.Join.
func Parse(path string, data []byte) (*Estate, error) {
	return ParseAt(path, data, time.Now())
}

// ParseAt is Parse with today given: the exceptions: section refuses an
// expiry more than MaxExceptionTerm after now.
func ParseAt(path string, data []byte, now time.Time) (*Estate, error) {
	name := path
	if name == "" {
		name = "estate"
	}
	p := &parser{file: name, now: now}
	root, ok := p.document(data)
	if !ok {
		return nil, joinSorted(p.errs)
	}
	e := p.estate(root)
	if err := joinSorted(p.errs); err != nil {
		return nil, err
	}
	e.Path = path
	return e, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// document decodes exactly one YAML document and returns its root node.
func (p *parser) document(data []byte) (root *yaml.Node, ok bool) {
	defer func() {
		// yaml.v3 is third-party code fed untrusted input: a panic in it
		// must become an error, never crash validate.
		if r := recover(); r != nil {
			p.fail(nil, "", ErrSyntax, "", "the YAML parser failed on this file: %v", r)
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		p.syntax(err)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.fail(&extra, "", ErrSyntax, "remove the second '---' and everything after it, or merge the documents", "more than one YAML document")
		return nil, false
	} else if !errors.Is(err, io.EOF) {
		p.syntax(err)
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.fail(&doc, "", ErrMissing, "start from examples/estate.yaml", "the estate file is empty")
		return nil, false
	}
	return doc.Content[0], true
}

func (p *parser) syntax(err error) {
	if errors.Is(err, io.EOF) {
		p.fail(nil, "", ErrMissing, "start from examples/estate.yaml", "the estate file is empty")
		return
	}
	e := &Error{File: p.file, Msg: err.Error(), Err: ErrSyntax,
		Hint: "the YAML parser places syntax errors approximately: check this line and the next ones " +
			"for tabs (indent with spaces) and unclosed quotes, [ or {"}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = m[2]
	}
	p.errs = append(p.errs, e)
}

// withDefaults is the estate before the file is read: every optional
// field at its documented default.
func withDefaults() *Estate {
	return &Estate{AliasFormat: DefaultAliasFormat, Policy: Policy{
		MaxMaterialAge: DefaultMaxMaterialAge,
		ExpiryWarning:  DefaultExpiryWarning,
		Wrapping:       Wrapping{Algorithm: DefaultWrappingAlgorithm, KeySpec: DefaultWrappingKeySpec},
		Strategy:       DefaultStrategy,
	}, Watch: DefaultWatch()}
}

// estate walks the top-level mapping, section by section.
func (p *parser) estate(root *yaml.Node) *Estate {
	e := withDefaults()
	f, ok := p.mapping(root, "", topFields)
	if !ok {
		return e
	}
	p.require(f, "", "security_account", "regions", "hsm", "roles", "environments", "services")
	if v, ok := f.get("security_account"); ok {
		e.SecurityAccount, _ = p.account(v.val, "security_account")
	}
	if v, ok := f.get("regions"); ok {
		e.Regions = p.regions(v.val, "regions")
	}
	if v, ok := f.get("alias_format"); ok {
		e.AliasFormat = p.aliasFormat(v.val, "alias_format")
	}
	if v, ok := f.get("policy"); ok {
		p.policy(v.val, "policy", &e.Policy)
	}
	if v, ok := f.get("hsm"); ok {
		e.HSM, _ = p.hsm(v.val, "hsm")
	}
	if v, ok := f.get("roles"); ok {
		e.Roles = p.roles(v.val, "roles", e.SecurityAccount)
	}
	var envNames map[string]bool
	if v, ok := f.get("environments"); ok {
		e.Environments, envNames = p.environments(v.val, "environments", e.SecurityAccount)
	}
	if v, ok := f.get("roles"); ok && deref(v.val).Kind == yaml.MappingNode {
		p.verifyRole(mappingValue(deref(v.val), "verify"), e.Roles.Verify, e.Environments)
	}
	var services []string
	if v, ok := f.get("services"); ok {
		e.Services, services = p.services(v.val, "services")
	}
	if v, ok := f.get("multi_region"); ok {
		e.MultiRegion = p.multiRegion(v.val, "multi_region", refs{envs: envNames, services: services, regions: e.Regions})
	}
	if v, ok := f.get("schedule"); ok {
		e.Schedule = p.scheduleSection(v.val, "schedule")
	}
	if v, ok := f.get("state_location"); ok {
		e.StateLocation = p.stateLocation(v.val, "state_location")
	}
	if v, ok := f.get("alerts"); ok {
		e.Alerts = p.alertsSection(v.val, "alerts")
	}
	if v, ok := f.get("exceptions"); ok {
		e.Exceptions = p.exceptions(v.val, "exceptions")
	}
	if v, ok := f.get("watch"); ok {
		e.Watch = p.watchSection(v.val, "watch")
	}
	return e
}
