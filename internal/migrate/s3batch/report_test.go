package s3batch_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
)

func TestParseReport(t *testing.T) {
	for name, tc := range map[string]struct {
		csv     string
		ok, bad int
		code    string
		status  int
		err     error
	}{
		"as S3 writes":       {"b,k,,succeeded,200,,Successful\nb,a%20b,,failed,404,NoSuchKey,The specified key does not exist.\n", 1, 1, "NoSuchKey", 404, nil},
		"documented order":   {"b,k,,failed,AccessDenied,403,Access Denied\n", 0, 1, "AccessDenied", 403, nil},
		"empty":              {"", 0, 0, "", 0, nil},
		"short row":          {"b,k\n", 0, 0, "", 0, s3batch.ErrReport},
		"unknown status":     {"b,k,,maybe,200,,\n", 0, 0, "", 0, s3batch.ErrReport},
		"bad key escape":     {"b,%zz,,succeeded,200,,\n", 0, 0, "", 0, s3batch.ErrReport},
		"unterminated quote": {"b,\"k,,succeeded\n", 0, 0, "", 0, s3batch.ErrReport},
	} {
		t.Run(name, func(t *testing.T) {
			var ok, bad int
			var last s3batch.Failure
			err := s3batch.ParseReport(strings.NewReader(tc.csv), func(f s3batch.Failure, good bool) {
				if good {
					ok++
				} else {
					bad++
					last = f
				}
			})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok || bad != tc.bad || last.Code != tc.code || last.HTTPStatus != tc.status {
				t.Fatalf("ok %d bad %d last %+v err %v", ok, bad, last, err)
			}
		})
	}
}

func FuzzParseReport(f *testing.F) {
	f.Add("b,k,,succeeded,200,,Successful\n")
	f.Add("b,a%20b,,failed,404,NoSuchKey,\"msg, with comma\"\n")
	f.Add("b,k,v1,failed,AccessDenied,403,Access Denied\n")
	f.Add("\"b\"\"\",k")
	f.Fuzz(func(t *testing.T, data string) {
		err := s3batch.ParseReport(strings.NewReader(data), func(fl s3batch.Failure, _ bool) {
			if fl.HTTPStatus != 0 && (fl.HTTPStatus < 100 || fl.HTTPStatus > 599) {
				t.Fatalf("HTTP status out of range: %+v", fl)
			}
		})
		if err != nil && !errors.Is(err, s3batch.ErrReport) {
			t.Fatalf("error not ErrReport: %v", err)
		}
	})
}
