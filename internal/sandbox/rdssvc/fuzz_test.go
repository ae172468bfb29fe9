package rdssvc_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"crypto/sha256"
	"encoding/hex"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzRDSQuery sends arbitrary signed Query bodies through the server:
// it must never panic and must answer with an AWS Query error or success.
func FuzzRDSQuery(f *testing.F) {
	for _, s := range []string{
		"Action=DescribeDBInstances&Version=2014-10-31&MaxRecords=20",
		"Action=DescribeDBInstances&Version=2014-10-31&Marker=%ff%ff",
		"Action=CreateDBInstance&DBInstanceIdentifier=a&DBInstanceClass=x&Engine=postgres&AllocatedStorage=20&StorageEncrypted=true",
		"Action=CreateDBInstance&DBInstanceIdentifier=a&DBInstanceClass=x&Engine=aurora-mysql&DBClusterIdentifier=c",
		"Action=CreateDBCluster&DBClusterIdentifier=c&Engine=aurora-mysql&StorageEncrypted=maybe",
		"Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=arn:aws:rds:x&TargetDBSnapshotIdentifier=t",
		"Action=ModifyDBInstance&DBInstanceIdentifier=a&NewDBInstanceIdentifier=b&ApplyImmediately=true",
		"Action=RestoreDBInstanceFromDBSnapshot&DBInstanceIdentifier=a&DBSnapshotIdentifier=s&Tags.Tag.1.Key=k&Tags.Tag.1.Value=v&VpcSecurityGroupIds.VpcSecurityGroupId.1=sg&Port=6543&MultiAZ=true",
		"Action=RestoreDBInstanceFromDBSnapshot&DBInstanceIdentifier=a&DBSnapshotIdentifier=s&Tags.Tag.x.Key=k&Tags.1=v&VpcSecurityGroupIds.x.y.1=sg",
		"Action=StopDBInstance&DBInstanceIdentifier=a&DBSnapshotIdentifier=s",
		"Action=StartDBInstance&DBInstanceIdentifier=a",
		"Action=CreateDBClusterSnapshot&DBClusterIdentifier=c&DBClusterSnapshotIdentifier=s",
		"Action=CopyDBClusterSnapshot&SourceDBClusterSnapshotIdentifier=s&TargetDBClusterSnapshotIdentifier=t&KmsKeyId=arn:aws:kms:eu-west-1:1:key/x",
		"Action=DescribeDBClusterSnapshots&DBClusterIdentifier=c&MaxRecords=5",
		"Action=RestoreDBClusterFromSnapshot&DBClusterIdentifier=n&SnapshotIdentifier=s&Engine=aurora-mysql&Port=1",
		"Action=ModifyDBCluster&DBClusterIdentifier=c&NewDBClusterIdentifier=d&ApplyImmediately=true",
		"Action=StopDBCluster&DBClusterIdentifier=c", "Action=StartDBCluster&DBClusterIdentifier=c",
		"Action=CreateDBInstance&DBInstanceIdentifier=m&DBInstanceClass=x&Engine=aurora-mysql&DBClusterIdentifier=c&PromotionTier=99",
		"Action=DeleteDBSnapshot&DBSnapshotIdentifier=s", "Action=DeleteDBSnapshot&DBSnapshotIdentifier=arn:aws:rds:eu-west-1:1:snapshot:s",
		"Action=DeleteDBSnapshot", "Action=DeleteDBClusterSnapshot&DBClusterSnapshotIdentifier=s", "Action=DeleteDBClusterSnapshot&DBClusterSnapshotIdentifier=",
		"Action=Nope", "%zz", "",
	} {
		f.Add(s)
	}
	e := newEnv(f)
	akid, secret := sandboxKeys(f, e)
	f.Fuzz(func(t *testing.T, body string) {
		req := signed(t, e.url, body, akid, secret)
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && !strings.Contains(rec.Body.String(), "<ErrorResponse>") {
			t.Fatalf("status %d without an ErrorResponse: %s", rec.Code, rec.Body.String())
		}
	})
}

func sandboxKeys(tb testing.TB, e *env) (string, string) {
	cred, err := e.srv.AddAccount(acct)
	if err != nil {
		tb.Fatal(err)
	}
	return cred.AccessKeyID, cred.Secret
}

func signed(tb testing.TB, url, body, akid, secret string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(req.Context(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "rds", region, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return req
}
