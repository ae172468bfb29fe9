package sandboxrun

import (
	"fmt"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	ctsvc "github.com/byok-dev/byok/internal/sandbox/ctsvc"
	ddbsvc "github.com/byok-dev/byok/internal/sandbox/ddbsvc"
	"github.com/byok-dev/byok/internal/sandbox/eventssvc"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	kmssvc "github.com/byok-dev/byok/internal/sandbox/kmssvc"
	"github.com/byok-dev/byok/internal/sandbox/logssvc"
	"github.com/byok-dev/byok/internal/sandbox/orgsvc"
	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
	"github.com/byok-dev/byok/internal/sandbox/s3controlsvc"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/securityhubsvc"
	"github.com/byok-dev/byok/internal/sandbox/snssvc"
	"github.com/byok-dev/byok/internal/sandbox/sqsvc"
	stssvc "github.com/byok-dev/byok/internal/sandbox/stssvc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// services are the hosted services a Sandbox keeps handles on.
type services struct {
	kms    *kmssvc.Service
	s3     *s3svc.Service
	s3ctl  *s3controlsvc.Service
	config *configsvc.Service
	org    *orgsvc.Service
	logs   *logssvc.Service
	events *eventssvc.Service
}

// registerServices builds every hosted service on srv's environment and
// registers it with its AWS request quotas. The KMS service resolves key
// references for the others and must be closed with the sandbox.
func registerServices(srv *sandbox.Server) (services, error) {
	var none services
	env := srv.Env
	kms, err := kmssvc.New(env)
	if err != nil {
		return none, fmt.Errorf("kms service: %w", err)
	}
	sts, err := stssvc.New(env)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("sts service: %w", err)
	}
	ct, err := ctsvc.New(env)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("cloudtrail service: %w", err)
	}
	rds, err := rdssvc.New(env, kms)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("rds service: %w", err)
	}
	ddb, err := ddbsvc.New(env, kms)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("dynamodb service: %w", err)
	}
	s3, err := s3svc.New(env)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("s3 service: %w", err)
	}
	s3.UseKMS(kms)
	s3ctl, err := s3controlsvc.New(env, s3)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("s3 control service: %w", err)
	}
	add(srv, kms, kmssvc.Quotas(), kmssvc.ThrottleError)
	add(srv, sts, stssvc.Quotas(), stssvc.ThrottleError)
	add(srv, ct, ctsvc.Quotas(), ctsvc.ThrottleError)
	add(srv, rds, rdssvc.Quotas(), rdssvc.ThrottleError)
	add(srv, ddb, ddbsvc.Quotas(), ddbsvc.ThrottleError)
	cfg, err := configsvc.New(env, rds, ddb, s3)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("config service: %w", err)
	}
	// S3 Control signs as "s3": one front serves both.
	add(srv, s3controlsvc.Front{S3: s3, Control: s3ctl}, append(s3svc.Quotas(), s3controlsvc.Quotas()...), s3svc.ThrottleError)
	add(srv, cfg, nil, configsvc.ThrottleError)
	add(srv, snssvc.NewService(env), snssvc.Quotas(), snssvc.ThrottleError)
	add(srv, securityhubsvc.New(env), securityhubsvc.Quotas(), securityhubsvc.ThrottleError)
	add(srv, sqsvc.New(env, srv.Faults), nil, sqsvc.ThrottleError)
	org := orgsvc.New(env)
	add(srv, org, nil, orgsvc.ThrottleError)
	logs, err := logssvc.New(env)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("cloudwatch logs service: %w", err)
	}
	add(srv, logs, logssvc.Quotas(), logssvc.ThrottleError)
	events, err := eventssvc.New(env, logs)
	if err != nil {
		kms.Close()
		return none, fmt.Errorf("eventbridge service: %w", err)
	}
	add(srv, events, eventssvc.Quotas(), eventssvc.ThrottleError)
	return services{kms: kms, s3: s3, s3ctl: s3ctl, config: cfg, org: org, logs: logs, events: events}, nil
}

func add(srv *sandbox.Server, v svc.Service, qs []faults.Quota, te func() *awsproto.Error) {
	srv.Register(v)
	srv.Faults.Register(v.SigningName(), qs, te)
}
