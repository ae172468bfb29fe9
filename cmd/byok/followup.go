package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
)

// Follow-up commands: every "byok COMMAND …" that byok prints (resume
// with:, byok lock release …, byok watch …) must work when pasted into
// the same shell. The invocation's non-default flags that select where
// byok works (state file, estate, shared state location, AWS profile and
// Region) are therefore added to each printed follow-up command that
// accepts them and does not name them already.

// followUpFlags are the flags carried into follow-up commands, in order.
var followUpFlags = []string{"state", "estate", "state-location", "profile", "region"}

// notFollowUp are commands byok names in banners, never as a next step to
// paste ("# byok sandbox on http://…").
var notFollowUp = map[string]bool{"sandbox": true, "serve": true, "demo": true}

// invocationFlags returns the followUpFlags given in args, as "--name value".
func invocationFlags(args []string) [][2]string {
	var out [][2]string
	for _, name := range followUpFlags {
		if v := flagValue(args, name); v != "" {
			out = append(out, [2]string{name, v})
		}
	}
	return out
}

// followUp rewrites the follow-up commands in text.
type followUp struct {
	flags [][2]string
	mu    sync.Mutex
	known map[string]map[string]bool // command → the flags it defines
}

var followUpRE = regexp.MustCompile("(^|[\\s`\"'(:])byok ([a-z]+(?: [a-z-]+)?)")

// rewrite adds the invocation's flags to each follow-up command in line.
func (f *followUp) rewrite(line string) string {
	idx := followUpRE.FindAllStringSubmatchIndex(line, -1)
	if len(idx) == 0 {
		return line
	}
	var b strings.Builder
	last := 0
	for i, m := range idx {
		name, end := commandAt(line[m[4]:m[5]])
		end += m[4]
		if name == "" || strings.HasPrefix(line[end:], ":") || notFollowUp[name] { // "byok rotate: …" names the failing command
			continue
		}
		next := len(line)
		if i+1 < len(idx) {
			next = idx[i+1][0]
		}
		b.WriteString(line[last:end])
		b.WriteString(f.extra(name, line[end:next]))
		last = end
	}
	b.WriteString(line[last:])
	return b.String()
}

// commandAt finds the registered command the words start with (the
// longest match) and where its name ends.
func commandAt(words string) (string, int) {
	if _, ok := commands[words]; ok && strings.Contains(words, " ") {
		return words, len(words)
	}
	first, _, _ := strings.Cut(words, " ")
	if _, ok := commands[first]; ok {
		return first, len(first)
	}
	return "", 0
}

// extra is " --flag value …" for the flags name accepts and rest (the
// rest of that command's text) does not already name.
func (f *followUp) extra(name, rest string) string {
	defined := f.flagsOf(name)
	var b strings.Builder
	for _, fl := range f.flags {
		if !defined[fl[0]] || strings.Contains(rest, "--"+fl[0]) {
			continue
		}
		b.WriteString(" --" + fl[0] + " " + shellWord(fl[1]))
	}
	return b.String()
}

// flagsOf reads the flags a command defines from its --help.
func (f *followUp) flagsOf(name string) map[string]bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.known[name]; ok {
		return m
	}
	var help bytes.Buffer
	_ = commands[name].Main(context.Background(), []string{"--help"}, &help, &help)
	m := map[string]bool{}
	for _, fl := range followUpFlags {
		m[fl] = strings.Contains(help.String(), "  -"+fl+" ")
	}
	if f.known == nil {
		f.known = map[string]map[string]bool{}
	}
	f.known[name] = m
	return m
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@+,%-]+$`)

// shellWord quotes s as one POSIX shell word when it needs quoting.
func shellWord(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + escapeSingle(s) + "'"
}

// followUpWriter passes output through, rewriting follow-up commands line
// by line; a partial line without "byok" is passed on at once (progress on
// a TTY).
type followUpWriter struct {
	w   io.Writer
	f   *followUp
	mu  sync.Mutex // progress may write from several goroutines
	buf []byte
}

func (fw *followUpWriter) Write(p []byte) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.buf = append(fw.buf, p...)
	for {
		i := bytes.IndexAny(fw.buf, "\n\r")
		if i < 0 {
			break
		}
		if _, err := io.WriteString(fw.w, fw.f.rewrite(string(fw.buf[:i]))+string(fw.buf[i])); err != nil {
			return len(p), err
		}
		fw.buf = fw.buf[i+1:]
	}
	if len(fw.buf) > 0 && !bytes.Contains(fw.buf, []byte("byok")) && !bytes.HasSuffix(fw.buf, []byte("b")) &&
		!bytes.HasSuffix(fw.buf, []byte("by")) && !bytes.HasSuffix(fw.buf, []byte("byo")) {
		if _, err := fw.w.Write(fw.buf); err != nil {
			return len(p), err
		}
		fw.buf = fw.buf[:0]
	}
	return len(p), nil
}

// Flush writes a last partial line.
func (fw *followUpWriter) Flush() {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if len(fw.buf) > 0 {
		_, _ = io.WriteString(fw.w, fw.f.rewrite(string(fw.buf)))
		fw.buf = nil
	}
}
