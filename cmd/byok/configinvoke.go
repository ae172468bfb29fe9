package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

func init() {
	register(&command{Name: "sandbox config-invoke", Summary: "run the AWS Config rule handler on a running sandbox's events",
		Main: runConfigInvoke})
}

// memberRoleName is the role deploy/member-account.yaml creates in every
// member account for the function to assume.
const memberRoleName = "byok-config-rule-member"

var invokeAccountRE = regexp.MustCompile(`^\d{12}$`)

type invokeFlags struct {
	endpoint, account, region, rule, message string
	resType, resID, estateS3, role, roleName string
}

func parseInvokeFlags(args []string, stderr io.Writer) (*invokeFlags, error) {
	fs := newFlagSet("sandbox config-invoke", "--account A --rule NAME --message change|oversized|scheduled [flags]",
		"Fetch real-shaped AWS Config rule events from a running `byok sandbox` (its admin call\n"+
			"POST /_byok/config/events) and run the Config rule's handler in-process on each, as the\n"+
			"Lambda would: key facts with this process's credentials, which must be the Security\n"+
			"account's (the sandbox's exports), and PutEvaluations in the member account through\n"+
			"the execution role. Prints the evaluations sent.")
	fs.SetOutput(stderr)
	var f invokeFlags
	fs.StringVar(&f.endpoint, "endpoint", os.Getenv("AWS_ENDPOINT_URL"), "sandbox `URL` (default $AWS_ENDPOINT_URL)")
	fs.StringVar(&f.account, "account", "", "member `account` whose resources are evaluated")
	fs.StringVar(&f.region, "region", os.Getenv("AWS_REGION"), "`region` (default $AWS_REGION)")
	fs.StringVar(&f.rule, "rule", "", "Config rule `name`")
	fs.StringVar(&f.message, "message", "", "change, oversized or scheduled")
	fs.StringVar(&f.resType, "resource-type", "", "only this `type`, e.g. AWS::S3::Bucket (change, oversized)")
	fs.StringVar(&f.resID, "resource-id", "", "only this resource `ID` or name (needs --resource-type)")
	fs.StringVar(&f.estateS3, "estate-s3", os.Getenv("BYOK_ESTATE_S3_URI"), "estate object `s3://bucket/key` in the Security account, passed as the rule parameter estateS3Uri (default $BYOK_ESTATE_S3_URI)")
	fs.StringVar(&f.roleName, "execution-role-name", memberRoleName, "member account role `name`, passed as the rule parameter executionRoleName (\"\" to send none)")
	fs.StringVar(&f.role, "execution-role", "", "executionRoleArn the event carries (default: Config's service-linked role, as in an organization)")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &exitError{Code: 64, Err: err}
	}
	if err := f.validate(fs.Args()); err != nil {
		return nil, &exitError{Code: 64, Err: err}
	}
	return &f, nil
}

func (f *invokeFlags) validate(rest []string) error {
	switch {
	case len(rest) > 0:
		return fmt.Errorf("unexpected argument %q", rest[0])
	case f.endpoint == "":
		return errors.New("--endpoint is required: the URL `byok sandbox` printed, e.g. http://127.0.0.1:4566")
	case !invokeAccountRE.MatchString(f.account):
		return fmt.Errorf("--account %q: give the 12-digit member account ID, e.g. 222222222222", f.account)
	case f.region == "":
		return errors.New("--region is required (or set AWS_REGION), e.g. eu-west-1")
	case f.rule == "":
		return errors.New("--rule is required: the Config rule name, e.g. byok-key-rotation")
	case f.message != "change" && f.message != "oversized" && f.message != "scheduled":
		return fmt.Errorf("--message %q: use change, oversized or scheduled", f.message)
	case f.resID != "" && f.resType == "":
		return errors.New("--resource-id needs --resource-type, e.g. --resource-type AWS::S3::Bucket")
	case f.message == "scheduled" && f.resType != "":
		return errors.New("--resource-type applies to change and oversized events; a scheduled event names no resource")
	case f.estateS3 == "":
		return errors.New("--estate-s3 is required (or set BYOK_ESTATE_S3_URI): upload the estate first, e.g. aws s3 cp byok.yaml s3://BUCKET/byok.yaml")
	case f.roleName == "" && (f.role == "" || strings.Contains(f.role, "/aws-service-role/")):
		return errors.New("--execution-role-name \"\" needs --execution-role with a role the function can assume: Config's service-linked role cannot be (the rule parameter executionRoleName exists for this)")
	}
	raw, err := json.Marshal(f.params())
	if err == nil {
		_, err = configrule.ParseParams(string(raw))
	}
	return err
}

// params are the rule parameters the events carry.
func (f *invokeFlags) params() map[string]string {
	p := map[string]string{"estateS3Uri": f.estateS3}
	if f.roleName != "" {
		p["executionRoleName"] = f.roleName
	}
	return p
}

// assumed is the role the handler will assume in the member account.
func (f *invokeFlags) assumed() string {
	if f.roleName != "" {
		return "arn:aws:iam::" + f.account + ":role/" + f.roleName
	}
	return f.role
}

func (f *invokeFlags) request() configsvc.EventRequest {
	return configsvc.EventRequest{Account: f.account, Region: f.region, RuleName: f.rule, MessageType: f.message,
		ResourceType: f.resType, ResourceID: f.resID, ExecutionRoleArn: f.role, RuleParameters: f.params()}
}

func runConfigInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseInvokeFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := awsx.Load(ctx, f.region)
	if err != nil {
		return err
	}
	cfg.BaseEndpoint = aws.String(f.endpoint)
	h := configrule.NewHandler(cfg, configrule.Params{}, slog.New(slog.DiscardHandler))
	if err := checkFunctionSetup(ctx, cfg, h, f); err != nil {
		return err
	}
	token := os.Getenv(sandbox.AdminTokenEnv)
	if token == "" {
		return fmt.Errorf("%s is not set: export the block `byok sandbox` printed (it holds the sandbox's admin token)", sandbox.AdminTokenEnv)
	}
	hc := &http.Client{Transport: sandbox.AdminTransport(nil, token)}
	evs, err := configsvc.FetchEvents(ctx, hc, f.endpoint, f.request())
	if err != nil {
		return fmt.Errorf("fetch events: %w", err)
	}
	return invokeAll(ctx, h, evs, stdout)
}

// checkFunctionSetup fails early, with the fix, when the credentials are
// not the Security account's or the execution role cannot be assumed: the
// handler would otherwise fail on every event with the same SDK error.
func checkFunctionSetup(ctx context.Context, cfg aws.Config, h *configrule.Handler, f *invokeFlags) error {
	client := sts.NewFromConfig(cfg)
	who, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("get caller identity: %w", err)
	}
	got := aws.ToString(who.Account)
	const exports = "eval the Security account's exports that `byok sandbox` printed"
	est, err := h.Estate.Estate(ctx, configrule.Params{EstateS3URI: f.estateS3})
	if err != nil {
		return fmt.Errorf("%w (hint: the estate object is read with the function's credentials, here account %s's; %s)", err, got, exports)
	}
	if got != est.SecurityAccount {
		return fmt.Errorf("the function runs in the Security account %s, but the credentials are account %s's (hint: %s)", est.SecurityAccount, got, exports)
	}
	role := f.assumed()
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("byok-config-rule")})
	if err != nil {
		return fmt.Errorf("assume execution role %s: %w (hint: the member account needs the role %s trusted by the Security account, see deploy/member-account.yaml; or pass --execution-role-name)", role, err, memberRoleName)
	}
	return nil
}
