package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// parseFlags parses args into fs accepting flags before, between and after
// positional arguments (byok resume --estate E RUN and byok resume RUN
// --estate E), as Go tools and the AWS CLI do; "--" ends the flags. Every
// command parses through it. -h/--help returns flag.ErrHelp (run maps it to
// exit 0 and sends the usage to stdout); a bad flag returns a usage error
// (exit 64) after the FlagSet has printed the problem and the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	flags, positional, missing := splitArgs(fs, args)
	if missing != "" {
		// Without this check Parse would take the "--" added below as the
		// missing value.
		fmt.Fprintf(fs.Output(), "flag needs an argument: %s\n", missing)
		fs.Usage()
		return &exitError{Code: exitUsage, Err: errors.New("")}
	}
	if err := fs.Parse(append(append(flags, "--"), positional...)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{Code: exitUsage, Err: errors.New("")}
	}
	return nil
}

// splitArgs separates flag tokens (with the value of a non-boolean flag
// given as the next argument) from positional arguments, keeping each
// group's order. An unknown flag stays a flag so that Parse reports it;
// missing names a last flag whose value is absent.
func splitArgs(fs *flag.FlagSet, args []string) (flags, positional []string, missing string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(positional, args[i+1:]...), ""
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue(fs, name) {
			if i+1 == len(args) {
				return flags, positional, a
			}
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, positional, ""
}

// takesValue reports whether flag name is defined and not boolean.
func takesValue(fs *flag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// wantsHelp reports whether args ask for help (-h, -help, --help) before
// any "--"; run then hands the command stdout as its stderr so the usage
// can be paged (byok rotate --help | less).
func wantsHelp(args []string) bool {
	return hasFlag(args, "h", "help")
}

// hasFlag reports whether one of the boolean flags names appears in args
// before "--", skipping the value of a preceding flag given as -flag=value.
func hasFlag(args []string, names ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		for _, n := range names {
			if a == "-"+n || a == "--"+n {
				return true
			}
		}
	}
	return false
}

// usageError is a bad invocation the FlagSet has not already reported:
// exit 64 with msg and a pointer to the command's --help.
func usageError(name, format string, a ...any) error {
	return &exitError{Code: exitUsage, Err: fmt.Errorf(format+" (see byok "+name+" --help)", a...)}
}

// noArgs refuses positional arguments for a command that takes only flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	return usageError(strings.TrimPrefix(fs.Name(), "byok "), "unexpected argument %q: this command takes only flags", fs.Arg(0))
}
