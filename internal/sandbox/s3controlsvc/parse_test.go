package s3controlsvc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/s3controlsvc"
)

const validJob = `<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><ClientRequestToken>tok</ClientRequestToken>` +
	`<ConfirmationRequired>false</ConfirmationRequired><Manifest><Location><ETag>&#34;e&#34;</ETag><ObjectArn>arn:aws:s3:::bkt/m.csv</ObjectArn></Location>` +
	`<Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>S3BatchOperations_CSV_20180820</Format></Spec></Manifest>` +
	`<Operation><S3PutObjectCopy><BucketKeyEnabled>true</BucketKeyEnabled><MetadataDirective>COPY</MetadataDirective>` +
	`<SSEAwsKmsKeyId>arn:aws:kms:eu-west-1:111111111111:key/k</SSEAwsKmsKeyId><TargetResource>arn:aws:s3:::bkt</TargetResource></S3PutObjectCopy></Operation>` +
	`<Priority>10</Priority><Report><Bucket>arn:aws:s3:::rbkt</Bucket><Enabled>true</Enabled><Format>Report_CSV_20180820</Format>` +
	`<Prefix>p</Prefix><ReportScope>AllTasks</ReportScope></Report><RoleArn>arn:aws:iam::111111111111:role/r</RoleArn></CreateJobRequest>`

// TestParseCreateJob: each broken request with the code S3 Control answers.
func TestParseCreateJob(t *testing.T) {
	for name, tc := range map[string]struct {
		from, to string
		code     string
	}{
		"valid":            {"", "", ""},
		"not xml":          {validJob, "<CreateJobRequest", "BadRequestException"},
		"no token":         {"<ClientRequestToken>tok</ClientRequestToken>", "", "BadRequestException"},
		"no priority":      {"<Priority>10</Priority>", "", "BadRequestException"},
		"negative prio":    {"<Priority>10</Priority>", "<Priority>-1</Priority>", "BadRequestException"},
		"bad role":         {"arn:aws:iam::111111111111:role/r", "r", "BadRequestException"},
		"two operations":   {"</S3PutObjectCopy>", "</S3PutObjectCopy><S3PutObjectTagging></S3PutObjectTagging>", "BadRequestException"},
		"other operation":  {"S3PutObjectCopy>", "LambdaInvoke>", "NotImplemented"},
		"no etag":          {"<ETag>&#34;e&#34;</ETag>", "", "BadRequestException"},
		"inventory":        {"S3BatchOperations_CSV_20180820", "S3InventoryReport_CSV_20161130", "NotImplemented"},
		"bad field":        {"<member>Key</member>", "<member>Size</member>", "BadRequestException"},
		"no key field":     {"<member>Key</member>", "<member>Ignore</member>", "BadRequestException"},
		"bucket not arn":   {"<TargetResource>arn:aws:s3:::bkt</TargetResource>", "<TargetResource>b</TargetResource>", "BadRequestException"},
		"bad directive":    {"<MetadataDirective>COPY</MetadataDirective>", "<MetadataDirective>KEEP</MetadataDirective>", "BadRequestException"},
		"report no format": {"<Format>Report_CSV_20180820</Format>", "", "BadRequestException"},
		"report scope":     {"AllTasks", "SomeTasks", "BadRequestException"},
		"report disabled":  {"<Enabled>true</Enabled><Format>Report_CSV_20180820</Format>", "<Enabled>false</Enabled>", ""},
	} {
		t.Run(name, func(t *testing.T) {
			body := validJob
			if tc.from != "" {
				body = strings.ReplaceAll(validJob, tc.from, tc.to)
			}
			r, err := s3controlsvc.ParseCreateJob([]byte(body))
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.code == "" && (r.Operation.S3PutObjectCopy == nil || *r.Priority != 10):
				t.Fatalf("parsed %+v", r)
			case tc.code != "" && (err == nil || err.Code != tc.code):
				t.Fatalf("err %v, want %s", err, tc.code)
			}
		})
	}
}

func TestParseManifest(t *testing.T) {
	for name, tc := range map[string]struct {
		csv    string
		fields []string
		want   []s3controlsvc.Task
		bad    bool
	}{
		"two rows":      {"b,k1\nb,a%20b%2Bc\n", nil, []s3controlsvc.Task{{Bucket: "b", Key: "k1"}, {Bucket: "b", Key: "a b+c"}}, false},
		"with version":  {"b,k,v1\n", []string{"Bucket", "Key", "VersionId"}, []s3controlsvc.Task{{Bucket: "b", Key: "k", VersionID: "v1"}}, false},
		"ignored col":   {"x,b,k\n", []string{"Ignore", "Bucket", "Key"}, []s3controlsvc.Task{{Bucket: "b", Key: "k"}}, false},
		"empty":         {"", nil, nil, false},
		"short row":     {"b\n", nil, nil, true},
		"empty key":     {"b,\n", nil, nil, true},
		"bad escape":    {"b,%zz\n", nil, nil, true},
		"bad quote":     {"b,\"k\n", nil, nil, true},
		"unknown field": {"b,k\n", []string{"Bucket", "Key", "Size"}, nil, true},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := s3controlsvc.ParseManifest([]byte(tc.csv), tc.fields)
			if tc.bad {
				if !errors.Is(err, s3controlsvc.ErrManifest) {
					t.Fatalf("err %v, want ErrManifest", err)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("%v %v", got, err)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("row %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func FuzzParseCreateJob(f *testing.F) {
	f.Add([]byte(validJob))
	f.Add([]byte(strings.Replace(validJob, "S3PutObjectCopy>", "LambdaInvoke>", 2)))
	f.Add([]byte("<CreateJobRequest><Priority>x</Priority></CreateJobRequest>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := s3controlsvc.ParseCreateJob(body)
		if err == nil && (r.Operation.S3PutObjectCopy == nil || r.Priority == nil || r.ClientRequestToken == "") {
			t.Fatalf("accepted an incomplete request: %+v", r)
		}
		if err != nil && (err.Code == "" || err.Message == "") {
			t.Fatalf("error without code or message: %+v", err)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("b,k1\nb,a%20b\n"), "Bucket,Key")
	f.Add([]byte("b,k,v\n"), "Bucket,Key,VersionId")
	f.Add([]byte("\"b\",\"k,\"\"x\"\"\"\n"), "Bucket,Key")
	f.Add([]byte("x,b,k"), "Ignore,Bucket,Key")
	f.Fuzz(func(t *testing.T, data []byte, fields string) {
		tasks, err := s3controlsvc.ParseManifest(data, strings.Split(fields, ","))
		if err != nil {
			if !errors.Is(err, s3controlsvc.ErrManifest) {
				t.Fatalf("error not ErrManifest: %v", err)
			}
			return
		}
		for _, tk := range tasks {
			if tk.Bucket == "" || tk.Key == "" {
				t.Fatalf("task without bucket or key: %+v", tk)
			}
		}
	})
}
