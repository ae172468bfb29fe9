// Package pkcs11uri is the single place byok parses PKCS#11 URIs (RFC 7512)
// and resolves the PIN they point at.
//
// Accepted form (attribute order is free; each attribute at most once):
//
//	pkcs11:<path-attrs>[?<query-attrs>]
//
// Path attributes, separated by ';' (at least one of token, serial, slot-id
// is required so the token is never guessed):
//
//	token=LABEL        CK_TOKEN_INFO.label, percent-encoded ("NSS%20Certificate%20DB")
//	serial=SERIAL      CK_TOKEN_INFO.serialNumber
//	slot-id=N          decimal CK_SLOT_ID
//	object=LABEL       CKA_LABEL of one object (percent-encoded)
//	id=%01%02          CKA_ID, every byte percent-encoded
//
// Query attributes, separated by '&':
//
//	module-path=PATH   the PKCS#11 module (.so) to load
//	pin-source=env:NAME   read the user PIN from environment variable NAME
//	pin-source=file:PATH  read the user PIN from file PATH (one trailing newline dropped)
//	x-nss-dir=DIR      vendor attribute (RFC 7512 §2.3 reserves "x-" for vendors):
//	                   the NSS database directory; byok passes
//	                   configdir='sql:DIR' … to NSS softokn's C_Initialize.
//
// Refused on purpose: pin-value (a PIN in a URI ends up in shell history, ps
// output and config files; use pin-source), module-name (use module-path,
// nothing is searched for) and every other attribute (strict parsing: an
// unknown attribute is a typo until proven otherwise).
//
// The package does no I/O except URI.PIN reading its pin-source, and never
// puts a PIN in an error.
package pkcs11uri

import (
	"net/url"
	"strconv"
	"strings"
)

// Scheme is the URI scheme, with its colon.
const Scheme = "pkcs11:"

// URI is a parsed PKCS#11 URI. Empty fields were not given.
type URI struct {
	Token      string
	Serial     string
	SlotID     *uint
	Object     string
	ID         []byte
	ModulePath string
	PINSource  PINSource
	NSSDir     string
}

// Parse parses s strictly; every error is a *ParseError naming the attribute.
func Parse(s string) (*URI, error) {
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		return nil, &ParseError{Err: ErrNotPKCS11, Hint: `a PKCS#11 URI starts with "pkcs11:", e.g. pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN`}
	}
	path, query, _ := strings.Cut(rest, "?")
	u := &URI{}
	if err := u.parseAttrs(path, ";", u.setPath); err != nil {
		return nil, err
	}
	if err := u.parseAttrs(query, "&", u.setQuery); err != nil {
		return nil, err
	}
	if u.Token == "" && u.Serial == "" && u.SlotID == nil {
		return nil, &ParseError{Attr: "token", Err: ErrNoToken, Hint: "name the token with token=LABEL, serial=SERIAL or slot-id=N"}
	}
	return u, nil
}

func (u *URI) parseAttrs(s, sep string, set func(name, raw string) error) error {
	if s == "" {
		return nil
	}
	seen := map[string]bool{}
	for _, attr := range strings.Split(s, sep) {
		name, raw, ok := strings.Cut(attr, "=")
		if !ok || name == "" {
			return &ParseError{Attr: name, Err: ErrSyntax, Hint: "each attribute is name=value, path attributes separated by ';', query attributes by '&'"}
		}
		if seen[name] {
			return &ParseError{Attr: name, Err: ErrDuplicate, Hint: "give each attribute once"}
		}
		seen[name] = true
		if err := set(name, raw); err != nil {
			return err
		}
	}
	return nil
}

func (u *URI) setPath(name, raw string) error {
	switch name {
	case "token":
		return decodeInto(name, raw, &u.Token)
	case "serial":
		return decodeInto(name, raw, &u.Serial)
	case "object":
		return decodeInto(name, raw, &u.Object)
	case "id":
		var s string
		if err := decodeInto(name, raw, &s); err != nil {
			return err
		}
		u.ID = []byte(s)
		return nil
	case "slot-id":
		n, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return &ParseError{Attr: name, Err: ErrBadValue, Hint: "slot-id is a decimal number, e.g. slot-id=0"}
		}
		id := uint(n)
		u.SlotID = &id
		return nil
	case "pin-value":
		return errPINValue()
	}
	return &ParseError{Attr: name, Err: ErrUnknownAttribute, Hint: "path attributes byok accepts: token, serial, slot-id, object, id"}
}

func (u *URI) setQuery(name, raw string) error {
	switch name {
	case "module-path":
		return decodeInto(name, raw, &u.ModulePath)
	case "x-nss-dir":
		return decodeInto(name, raw, &u.NSSDir)
	case "pin-source":
		var s string
		if err := decodeInto(name, raw, &s); err != nil {
			return err
		}
		src, err := parsePINSource(s)
		u.PINSource = src
		return err
	case "pin-value":
		return errPINValue()
	case "module-name":
		return &ParseError{Attr: name, Err: ErrUnknownAttribute, Hint: "give the module file with module-path=/path/to/module.so; byok does not search for modules"}
	}
	return &ParseError{Attr: name, Err: ErrUnknownAttribute, Hint: "query attributes byok accepts: module-path, pin-source, x-nss-dir"}
}

func errPINValue() error {
	return &ParseError{Attr: "pin-value", Err: ErrPINInURI, Hint: "the PIN must not be written in the URI or on a command line; use pin-source=env:NAME or pin-source=file:PATH"}
}

func decodeInto(name, raw string, dst *string) error {
	v, err := url.PathUnescape(raw)
	if err != nil {
		return &ParseError{Attr: name, Err: ErrBadEncoding, Hint: "percent-encode reserved characters as %XX with two hex digits"}
	}
	if v == "" {
		return &ParseError{Attr: name, Err: ErrBadValue, Hint: "the value is empty; remove the attribute or give a value"}
	}
	*dst = v
	return nil
}

// String returns the canonical URI. It holds no PIN (pin-value is refused).
func (u *URI) String() string {
	var path []string
	add := func(name, v string) {
		if v != "" {
			path = append(path, name+"="+escape(v))
		}
	}
	add("token", u.Token)
	add("serial", u.Serial)
	if u.SlotID != nil {
		path = append(path, "slot-id="+strconv.FormatUint(uint64(*u.SlotID), 10))
	}
	add("object", u.Object)
	add("id", string(u.ID))
	var query []string
	if u.ModulePath != "" {
		query = append(query, "module-path="+escape(u.ModulePath))
	}
	if u.PINSource.Kind != PINSourceInvalid {
		query = append(query, "pin-source="+escape(u.PINSource.String()))
	}
	if u.NSSDir != "" {
		query = append(query, "x-nss-dir="+escape(u.NSSDir))
	}
	s := Scheme + strings.Join(path, ";")
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	return s
}

// escape percent-encodes everything outside RFC 7512's unreserved set plus
// the path-safe characters : / @ ! $ ' ( ) * + and comma.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
	}
	return b.String()
}

func isSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/@!$'()*+,", c) >= 0
}
