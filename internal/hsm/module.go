//go:build cgo

package hsm

/*
#include <stdlib.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// module is one loaded PKCS#11 library. A library may be C_Initialize'd only
// once per process, so sessions share it and the last Close finalizes it.
type module struct {
	path     string
	initArgs string
	p        *pkcs11.Ctx
	refs     int
	cArgs    *C.char // pReserved, kept alive until C_Finalize
	finalize bool    // false when someone else in the process initialised it
}

var (
	modulesMu sync.Mutex
	modules   = map[string]*module{}
)

func loadModule(path, initArgs string) (*module, error) {
	if path == "" {
		return nil, &ModuleError{Err: ErrModuleNotFound, Hint: "add module-path=/path/to/pkcs11-module.so to the URI's query (hsm: in byok.yaml, --hsm or BYOK_HSM)"}
	}
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m, ok := modules[path]; ok {
		if m.initArgs != initArgs {
			return nil, &ModuleError{Path: path, Err: errors.New("already initialised in this process with a different configuration"), Hint: "use one NSS database per byok process"}
		}
		m.refs++
		return m, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, &ModuleError{Path: path, Err: fmt.Errorf("%w: %w", ErrModuleNotFound, err), Hint: moduleHint(path)}
	}
	p := pkcs11.New(path)
	if p == nil {
		return nil, &ModuleError{Path: path, Err: errors.New("dlopen failed: not a loadable PKCS#11 library for this architecture"), Hint: moduleHint(path)}
	}
	m := &module{path: path, initArgs: initArgs, p: p, refs: 1, finalize: true}
	if err := m.initialize(); err != nil {
		p.Destroy()
		return nil, &ModuleError{Path: path, Err: fmt.Errorf("C_Initialize: %w", err), Hint: "check the module's configuration (SOFTHSM2_CONF for SoftHSM2, x-nss-dir for NSS)"}
	}
	modules[path] = m
	return m, nil
}

func (m *module) initialize() error {
	var opts []pkcs11.InitializeOption
	if m.initArgs != "" {
		m.cArgs = C.CString(m.initArgs)
		opts = append(opts, pkcs11.InitializeWithReserved(unsafe.Pointer(m.cArgs)))
	}
	err := m.p.Initialize(opts...)
	if isRV(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		m.finalize = false
		return nil
	}
	if err != nil {
		m.freeArgs()
	}
	return err
}

func (m *module) freeArgs() {
	if m.cArgs != nil {
		C.free(unsafe.Pointer(m.cArgs))
		m.cArgs = nil
	}
}

// release drops one reference; the last one finalizes and unloads the module.
func (m *module) release() {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	delete(modules, m.path)
	if m.finalize {
		_ = m.p.Finalize()
	}
	m.p.Destroy()
	m.freeArgs()
}

func moduleHint(path string) string {
	switch {
	case strings.Contains(path, "softhsm"):
		return "install SoftHSM2 (apt-get install softhsm2) or fix module-path; Debian puts it at /usr/lib/softhsm/libsofthsm2.so"
	case strings.Contains(path, "softokn"):
		return "install NSS (apt-get install libnss3 libnss3-tools) or fix module-path; Debian puts it at /usr/lib/x86_64-linux-gnu/libsoftokn3.so"
	}
	return "fix module-path in the URI: it must be your HSM vendor's PKCS#11 library file"
}

// isRV reports whether err is the PKCS#11 return value rv.
func isRV(err error, rv uint) bool {
	var pe pkcs11.Error
	return errors.As(err, &pe) && uint(pe) == rv
}
