package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/secret"
)

func init() {
	register(&command{Name: "hsm init", Summary: "create a project-local SoftHSM2 token for the demo and tests",
		Main: hsmInit})
	register(&command{Name: "hsm check", Summary: "show which KMS wrapping algorithms the HSM really supports",
		Main: hsmCheck})
	register(&command{Name: "hsm list", Summary: "list byok's key objects on the HSM (labels, IDs, dates; never values)",
		Main: hsmList})
}

const (
	hsmPINEnv       = "BYOK_HSM_PIN"
	hsmSOPINEnv     = "BYOK_HSM_SO_PIN"
	hsmURIEnv       = "BYOK_HSM"
	softHSMModule   = "/usr/lib/softhsm/libsofthsm2.so"
	softHSMConfName = "softhsm2.conf"
)

func hsmParseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return noArgs(fs)
}

func hsmLogger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func hsmInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hsm init", "[--dir DIR] [--label LABEL]",
		"Create a SoftHSM2 token in DIR (a softhsm2.conf and a tokens/ directory) with the user PIN\n"+
			"from $"+hsmPINEnv+" (and the SO PIN from $"+hsmSOPINEnv+", or a random one that is not kept).\n"+
			"Prints the SOFTHSM2_CONF export and the hsm: URI for byok.yaml. An existing token is not re-created:\n"+
			"$"+hsmPINEnv+" must open it (else the error says how to delete and re-create it). Commands run\n"+
			"from this directory find ./.byok/softhsm/softhsm2.conf themselves when SOFTHSM2_CONF is unset.")
	fs.SetOutput(stderr)
	dir := fs.String("dir", projectSoftHSMDir, "directory for the token (byok finds the default one itself)")
	label := fs.String("label", "byok", "token label")
	module := fs.String("module", softHSMModule, "SoftHSM2 PKCS#11 module")
	if err := hsmParseFlags(fs, args); err != nil {
		return err
	}
	pin, err := envSecret(hsmPINEnv, "read it without echo and export it: read -rs "+hsmPINEnv+" && export "+hsmPINEnv)
	if err != nil {
		return err
	}
	defer pin.Destroy()
	so, err := soPIN()
	if err != nil {
		return err
	}
	defer so.Destroy()
	conf, err := writeSoftHSMConf(*dir)
	if err != nil {
		return err
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return fmt.Errorf("set SOFTHSM2_CONF: %w", err)
	}
	tok, err := hsm.InitToken(ctx, *module, hsm.Options{Logger: hsmLogger(stderr)}, *label, so, pin)
	uri := &pkcs11uri.URI{Token: *label, ModulePath: *module, PINSource: pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceEnv, Ref: hsmPINEnv}}
	switch {
	case errors.Is(err, hsm.ErrTokenExists):
		if err := checkExistingTokenPIN(uri, conf, func(u *pkcs11uri.URI) (*hsm.Session, error) {
			return hsm.Open(ctx, u, hsm.Options{Logger: hsmLogger(stderr)})
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %q already exists in %s (serial %s) and $%s opens it; not re-created\n", tok.Label, filepath.Dir(conf), tok.Serial, hsmPINEnv)
	case errors.Is(err, hsm.ErrPINNotSet):
		return fmt.Errorf("%w (token directory %s)", err, filepath.Dir(conf))
	case err != nil:
		return err
	default:
		fmt.Fprintf(stdout, "created token %q in %s (serial %s)\n", tok.Label, filepath.Dir(conf), tok.Serial)
	}
	fmt.Fprintf(stdout, "\nexport SOFTHSM2_CONF=%s\n", conf)
	if filepath.Clean(*dir) == projectSoftHSMDir {
		fmt.Fprintln(stdout, "# optional for byok: run from this directory, it finds ./.byok/softhsm/softhsm2.conf itself when SOFTHSM2_CONF is unset")
	}
	fmt.Fprintf(stdout, "\n# in byok.yaml:\nhsm: %q\n", uri.String())
	return nil
}

func envSecret(name, hint string) (secret.Value, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return secret.Value{}, &exitError{Code: 64, Err: fmt.Errorf("$%s is not set; %s (never pass a PIN as an argument)", name, hint)}
	}
	return secret.FromString(v), nil
}

// soPIN is $BYOK_HSM_SO_PIN, or a random PIN nobody keeps: a demo token's SO
// is only needed to reset a forgotten user PIN, and a demo token is re-created instead.
func soPIN() (secret.Value, error) {
	if _, ok := os.LookupEnv(hsmSOPINEnv); ok {
		return envSecret(hsmSOPINEnv, "unset it to use a random SO PIN")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return secret.Value{}, fmt.Errorf("generate SO PIN: %w", err)
	}
	h := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(h, b)
	clear(b)
	return secret.New(h), nil
}

func writeSoftHSMConf(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("token directory: %w", err)
	}
	tokens := filepath.Join(abs, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return "", fmt.Errorf("create token directory: %w", err)
	}
	conf := filepath.Join(abs, softHSMConfName)
	body := "# written by byok hsm init\ndirectories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", conf, err)
	}
	return conf, nil
}

// hsmTarget is the HSM URI a command uses and, when it came from the estate,
// the configured wrapping algorithm.
type hsmTarget struct {
	uri       *pkcs11uri.URI
	source    string
	algorithm hsm.WrappingAlgorithm
}

// resolveHSM picks the URI: --hsm, else $BYOK_HSM, else the estate's hsm:.
func resolveHSM(flagURI, estateFile string) (hsmTarget, error) {
	raw, source := flagURI, "--hsm"
	if raw == "" {
		raw, source = os.Getenv(hsmURIEnv), "$"+hsmURIEnv
	}
	var t hsmTarget
	if raw == "" {
		est, src, err := estate.Resolve(estateFile)
		if err != nil {
			return t, fmt.Errorf("no --hsm or $%s, and the estate did not load: %w", hsmURIEnv, err)
		}
		raw, source = est.HSM, src
		if alg, err := hsm.ParseWrappingAlgorithm(est.Policy.Wrapping.Algorithm); err == nil {
			t.algorithm = alg
		}
	}
	u, err := pkcs11uri.Parse(raw)
	if err != nil {
		return t, fmt.Errorf("HSM URI from %s: %w", source, err)
	}
	t.uri, t.source = u, source
	return t, nil
}

func hsmTargetFlags(fs *flag.FlagSet) (uri, estateFile *string) {
	uri = fs.String("hsm", "", "PKCS#11 URI (default $"+hsmURIEnv+", else hsm: in the estate)")
	estateFile = fs.String("estate", "", "estate file (default $"+estate.EnvVar+" or ./"+estate.DefaultFile+")")
	return uri, estateFile
}

// hsmSessionCmd is the common start of the hsm subcommands that work on an
// open session: the target flags and --format, no arguments, the URI
// resolved and a session opened (the caller closes it).
func hsmSessionCmd(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer) (*hsm.Session, hsmTarget, *outputFormat, error) {
	fs.SetOutput(stderr)
	uriFlag, estateFile := hsmTargetFlags(fs)
	format := addFormatFlag(fs, "json")
	if err := hsmParseFlags(fs, args); err != nil {
		return nil, hsmTarget{}, nil, err
	}
	if err := format.check(strings.TrimPrefix(fs.Name(), "byok ")); err != nil {
		return nil, hsmTarget{}, nil, err
	}
	t, err := resolveHSM(*uriFlag, *estateFile)
	if err != nil {
		return nil, hsmTarget{}, nil, err
	}
	s, err := openHSM(ctx, t, stderr)
	if err != nil {
		return nil, hsmTarget{}, nil, err
	}
	return s, t, format, nil
}

func openHSM(ctx context.Context, t hsmTarget, stderr io.Writer) (*hsm.Session, error) {
	fmt.Fprintf(stderr, "byok: HSM %s (from %s)\n", t.uri, t.source)
	if err := useProjectSoftHSM(t.uri.ModulePath, stderr); err != nil {
		return nil, err
	}
	return hsm.Open(ctx, t.uri, hsm.Options{Logger: hsmLogger(stderr)})
}

func hsmCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hsm check", "[--hsm URI] [--estate FILE] [--format table|json]",
		"Try every KMS wrapping algorithm on a throwaway session key and print which the token supports.\n"+
			"Exit status 1 when the estate's policy.wrapping.algorithm is not among them.")
	s, t, format, err := hsmSessionCmd(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Check(ctx)
	if err != nil {
		return err
	}
	if format.is("json") {
		if err := writeJSON(stdout, hsmCheckJSON(res, t.algorithm)); err != nil {
			return err
		}
		return checkConfigured(res, t.algorithm)
	}
	return printCheck(stdout, res, t.algorithm)
}

func printCheck(w io.Writer, res map[hsm.WrappingAlgorithm]error, configured hsm.WrappingAlgorithm) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALGORITHM\tSUPPORTED\tCONFIGURED\tDETAIL")
	for _, alg := range append(hsm.Algorithms(), hsm.RSAES_PKCS1_V1_5) {
		ok, detail, mark := "yes", "", ""
		if err := res[alg]; err != nil {
			ok, detail = "no", checkDetail(err)
		}
		if alg == configured {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", alg, ok, mark, detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return checkConfigured(res, configured)
}

// checkConfigured fails (exit 1) when the estate's algorithm is unsupported.
func checkConfigured(res map[hsm.WrappingAlgorithm]error, configured hsm.WrappingAlgorithm) error {
	if configured != hsm.AlgorithmInvalid && res[configured] != nil {
		return &exitError{Code: 1, Err: fmt.Errorf("the estate's policy.wrapping.algorithm %s: %w", configured, res[configured])}
	}
	return nil
}

func checkDetail(err error) string {
	var u *hsm.UnsupportedAlgorithmError
	switch {
	case errors.As(err, &u):
		return u.Reason
	case errors.Is(err, hsm.ErrPKCS1v15Refused):
		return "refused by byok (AWS KMS no longer accepts it)"
	}
	return err.Error()
}

func hsmList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hsm list", "[--hsm URI] [--estate FILE] [--format table|json]",
		"List byok's key objects on the token (labels starting with \""+hsm.LabelPrefix+"\"): label, CKA_ID, creation date.")
	s, _, format, err := hsmSessionCmd(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	objs, err := s.List(ctx)
	if err != nil {
		return err
	}
	if format.is("json") {
		return writeJSON(stdout, hsmObjectsJSON(objs))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tID\tCREATED")
	for _, o := range objs {
		created := "-"
		if !o.Created.IsZero() {
			created = o.Created.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%x\t%s\n", o.Label, o.ID, created)
	}
	return tw.Flush()
}
