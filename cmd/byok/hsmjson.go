package main

import (
	"encoding/hex"

	"github.com/byok-dev/byok/internal/hsm"
)

// hsmObjectJSON is one row of byok hsm list --format json.
type hsmObjectJSON struct {
	Label   string `json:"label"`
	ID      string `json:"id"`                // CKA_ID in hex
	Created string `json:"created,omitempty"` // CKA_START_DATE, YYYY-MM-DD
}

func hsmObjectsJSON(objs []hsm.ObjectInfo) []hsmObjectJSON {
	out := make([]hsmObjectJSON, 0, len(objs))
	for _, o := range objs {
		j := hsmObjectJSON{Label: o.Label, ID: hex.EncodeToString(o.ID)}
		if !o.Created.IsZero() {
			j.Created = o.Created.Format("2006-01-02")
		}
		out = append(out, j)
	}
	return out
}

// hsmAlgorithmJSON is one row of byok hsm check --format json.
type hsmAlgorithmJSON struct {
	Algorithm  string `json:"algorithm"`
	Supported  bool   `json:"supported"`
	Configured bool   `json:"configured"`
	Detail     string `json:"detail,omitempty"`
}

func hsmCheckJSON(res map[hsm.WrappingAlgorithm]error, configured hsm.WrappingAlgorithm) []hsmAlgorithmJSON {
	var out []hsmAlgorithmJSON
	for _, alg := range append(hsm.Algorithms(), hsm.RSAES_PKCS1_V1_5) {
		j := hsmAlgorithmJSON{Algorithm: alg.String(), Supported: res[alg] == nil, Configured: alg == configured}
		if err := res[alg]; err != nil {
			j.Detail = checkDetail(err)
		}
		out = append(out, j)
	}
	return out
}
