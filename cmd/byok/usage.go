package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/byok-dev/byok/internal/awsx"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); without
// it byok reports the module version or VCS revision Go recorded.
var version = ""

func printVersion(w io.Writer) {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "" {
		v = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
				v = "devel+" + s.Value[:min(12, len(s.Value))]
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(w, "byok %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "byok rotates AWS KMS keys with key material imported from your HSM (BYOK)")
	fmt.Fprintln(w, "and reports RDS, DynamoDB and S3 resources that break the rotation policy.")
	fmt.Fprintln(w, "\nUsage: byok <command> [flags] [arguments]   (flags before or after the arguments)")
	fmt.Fprintln(w, "       byok <command> --help   byok --version")
	fmt.Fprintln(w, "\nCommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-22s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nAWS access: the standard SDK chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, …), or --profile and")
	fmt.Fprintln(w, "--region on every command that calls AWS. Set AWS_ENDPOINT_URL to talk to `byok sandbox`.")
	fmt.Fprintln(w, "\nExit status: 0 ok, 1 failed (or only part done), 2 findings (non-compliant resources,")
	fmt.Fprintln(w, "failed calls, due keys, what blocks a retire, where the command reports them), 3 run stopped (resume it),\n64 usage.")
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// groupCommands returns the commands under group word g ("estate" →
// estate show, estate validate).
func groupCommands(g string) []string {
	var out []string
	for _, n := range commandNames() {
		if strings.HasPrefix(n, g+" ") {
			out = append(out, n)
		}
	}
	return out
}

func groupUsage(w io.Writer, g string, names []string) {
	fmt.Fprintf(w, "Usage: byok %s <command> [flags]   (byok %s <command> --help for its flags)\n\nCommands:\n", g, g)
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, commands[n].Summary)
	}
}

// addAWSFlags defines --profile and --region, the AWS CLI's flags, on a
// command that calls AWS. run reads their values before the command runs
// (withAWSFlags) and hands them to awsx.Load through the context, so the
// FlagSet only documents and accepts them.
func addAWSFlags(fs *flag.FlagSet) {
	fs.String("profile", "", "AWS shared-config profile (overrides AWS_PROFILE)")
	fs.String("region", "", "AWS Region of the base configuration (overrides AWS_REGION and the estate's first region;\nkeys are always used in the regions the estate names)")
}

// withAWSFlags returns ctx carrying --profile and --region from args.
func withAWSFlags(ctx context.Context, args []string) context.Context {
	o := awsx.Options{Profile: flagValue(args, "profile"), Region: flagValue(args, "region")}
	if o == (awsx.Options{}) {
		return ctx
	}
	return awsx.WithOptions(ctx, o)
}

// flagValue returns the last value of -name/--name in args (as "--name V"
// or "--name=V") before any "--".
func flagValue(args []string, name string) string {
	v := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if a == "-"+name || a == "--"+name {
			if i+1 < len(args) {
				v = args[i+1]
				i++
			}
			continue
		}
		for _, p := range []string{"-" + name + "=", "--" + name + "="} {
			if strings.HasPrefix(a, p) {
				v = strings.TrimPrefix(a, p)
			}
		}
	}
	return v
}
