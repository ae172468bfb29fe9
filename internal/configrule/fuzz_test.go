package configrule

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzDecodeEvent: any invokingEvent / ruleParameters either decodes or
// fails with one of the package's classes; decoded items either become a
// resource or fail with ErrItem. Nothing panics.
func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		ev := loadEvent(f, filepath.Base(name))
		f.Add(ev.InvokingEvent, ev.RuleParameters, ev.EventLeftScope)
	}
	f.Add(`{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::S3::Bucket","resourceId":"b","configurationItemCaptureTime":"2026-01-01T00:00:00Z","supplementaryConfiguration":"\"{\\\"ServerSideEncryptionConfiguration\\\":1}\""}}`, `{}`, false)
	f.Fuzz(func(t *testing.T, invoking, params string, left bool) {
		ev, err := DecodeEvent(events.ConfigEvent{InvokingEvent: invoking, RuleParameters: params, EventLeftScope: left,
			ResultToken: "t", ConfigRuleName: "r"})
		if err != nil {
			if !errors.Is(err, ErrEvent) && !errors.Is(err, ErrParameters) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if ev.Type == MessageUnknown || (ev.Type != MessageScheduled) != (ev.Item != nil) {
			t.Fatalf("decoded %+v", ev)
		}
		if ev.Item == nil {
			return
		}
		if _, err := ResourceFromItem(*ev.Item); err != nil && !errors.Is(err, ErrItem) {
			t.Fatalf("unclassified item error %v", err)
		}
		if na, ok := notApplicable(ev, *ev.Item); ok && !utf8.ValidString(Annotation(na.annotation, "")) {
			t.Fatal("invalid annotation")
		}
	})
}

// FuzzResourceFromItem drives the per-type readers with arbitrary
// configuration and supplementary JSON, as the API would return them.
func FuzzResourceFromItem(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "change-dynamodb-kms.json"))
	f.Add("AWS::DynamoDB::Table", "orders", string(b), "")
	f.Add("AWS::RDS::DBInstance", "db-X", `{"storageEncrypted":"true","kmsKeyId":"k"}`, "")
	f.Add("AWS::RDS::DBCluster", "cluster-X", `"{\"storageEncrypted\":false}"`, "")
	f.Add("AWS::S3::Bucket", "b", `{}`, `{"ServerSideEncryptionConfiguration":"{\"rules\":[{\"applyServerSideEncryptionByDefault\":{\"sseAlgorithm\":\"aws:kms\"}}]}"}`)
	f.Fuzz(func(t *testing.T, typ, id, conf, supp string) {
		it := ConfigItem{ResourceType: typ, ResourceID: id, Configuration: rawOrString(&conf), Supplementary: rawOrString(&supp)}
		r, err := ResourceFromItem(it)
		if err != nil {
			if !errors.Is(err, ErrItem) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if r.Type != "AWS::DynamoDB::Table" && r.Type != "AWS::S3::Bucket" && r.Type != "AWS::RDS::DBInstance" && r.Type != "AWS::RDS::DBCluster" {
			t.Fatalf("accepted type %q", r.Type)
		}
		if r.Encryption == 0 {
			t.Fatalf("no encryption decided for %+v", r)
		}
	})
}
