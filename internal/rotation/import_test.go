package rotation_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestImportProcedures: PrepareImport decides a first import for a key
// awaiting material and StartPrepared runs exactly that item as a
// journaled run (one material described with the run ID, an audit
// entry); a second PrepareImport has nothing to do. After the material's
// imported copy is deleted, a re-import brings the same material back.
// Neither the PIN nor the material (in any encoding) is in the state file
// or the logs.
func TestImportProcedures(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	keyID := w.awaiting(t, k)
	p, err := w.eng.PrepareImport(ctx, rotation.ImportRequest{Key: k, ChangeRef: "CHG-import"})
	if err != nil || len(p.Items) != 1 || p.Items[0].Strategy != rotation.ImportFirst {
		t.Fatalf("PrepareImport: %+v, %v", p, err)
	}
	id, err := w.eng.StartPrepared(ctx, p, nil)
	if err != nil {
		t.Fatalf("import run: %v\n%s", err, w.logs)
	}
	rs := w.materials(t, keyID, k.Region)
	if len(rs) != 1 || aws.ToString(rs[0].KeyMaterialDescription) != id.String() || w.describe(t, keyID, k.Region).KeyState != types.KeyStateEnabled {
		t.Fatalf("after the import: %+v", rs)
	}
	w.checkRun(t, id, 1)
	if _, err := w.eng.PrepareImport(ctx, rotation.ImportRequest{Key: k}); !errors.Is(err, rotation.ErrNothingToImport) {
		t.Fatalf("second PrepareImport: %v, want ErrNothingToImport", err)
	}
	t.Run("no secrets in state or logs", func(t *testing.T) { w.checkNoSecrets(t, id, []estate.Key{k}) })

	if _, err := w.admin(w.est.SecurityAccount, k.Region).DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.PrepareImport(ctx, rotation.ImportRequest{Key: k}); !errors.Is(err, rotation.ErrHasMaterial) {
		t.Fatalf("first import into a key whose material was deleted: %v, want ErrHasMaterial", err)
	}
	p, err = w.eng.PrepareImport(ctx, rotation.ImportRequest{Key: k, Reimport: true})
	if err != nil || p.Items[0].Strategy != rotation.ImportExisting || p.Items[0].HSMLabel != rotation.HSMLabel(id, k.Alias) {
		t.Fatalf("PrepareImport --reimport: %+v, %v", p, err)
	}
	again, err := w.eng.StartPrepared(ctx, p, nil)
	if err != nil {
		t.Fatalf("re-import run: %v\n%s", err, w.logs)
	}
	if rs := w.materials(t, keyID, k.Region); len(rs) != 1 || rs[0].ImportState != types.ImportStateImported {
		t.Fatalf("after the re-import: %+v", rs)
	}
	w.checkRun(t, again, 1)
	t.Run("no secrets after the re-import", func(t *testing.T) { w.checkNoSecrets(t, id, []estate.Key{k}) })
}

// awaiting points k's alias at a new EXTERNAL key without material, with
// the policy of the key it targeted, and returns its ID.
func (w *world) awaiting(t *testing.T, k estate.Key) string {
	t.Helper()
	ctx := context.Background()
	c := w.admin(w.est.SecurityAccount, k.Region)
	pol := w.policy(t, aws.ToString(w.describe(t, k.Alias, k.Region).Arn))
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Policy: aws.String(pol)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestImportMultiRegion: a multi-Region key's first import reaches every
// replica (same KeyMaterialId, imported) through import-replicas; after
// the material is deleted in the primary and every replica, a re-import
// brings it back everywhere.
func TestImportMultiRegion(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/prod/dynamodb")
	if len(k.Replicas) == 0 {
		t.Fatalf("%s has no replicas in the demo estate", k.Alias)
	}
	arns := w.awaitingMulti(t, k)
	for _, reimport := range []bool{false, true} {
		p, err := w.eng.PrepareImport(ctx, rotation.ImportRequest{Key: k, Reimport: reimport})
		if err != nil || !slices.Contains(p.Items[0].Steps, store.StepImportReplicas) {
			t.Fatalf("PrepareImport (reimport %v): %+v, %v", reimport, p, err)
		}
		id, err := w.eng.StartPrepared(ctx, p, nil)
		if err != nil {
			t.Fatalf("import run (reimport %v): %v\n%s", reimport, err, w.logs)
		}
		w.checkRun(t, id, 1)
		var material string
		for region, arn := range arns {
			rs := w.materials(t, arn, region)
			if len(rs) != 1 || rs[0].ImportState != types.ImportStateImported || (material != "" && aws.ToString(rs[0].KeyMaterialId) != material) {
				t.Fatalf("%s after the import (reimport %v): %+v", region, reimport, rs)
			}
			material = aws.ToString(rs[0].KeyMaterialId)
			if !reimport {
				_, err := w.admin(w.est.SecurityAccount, region).DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(arn)})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// awaitingMulti points k's alias (in its Region and each replica Region)
// at a new multi-Region EXTERNAL key without material and its replicas;
// it returns the key ARN per Region.
func (w *world) awaitingMulti(t *testing.T, k estate.Key) map[string]string {
	t.Helper()
	ctx := context.Background()
	c := w.admin(w.est.SecurityAccount, k.Region)
	pol := w.policy(t, aws.ToString(w.describe(t, k.Alias, k.Region).Arn))
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Policy: aws.String(pol), MultiRegion: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	arns := map[string]string{k.Region: aws.ToString(out.KeyMetadata.Arn)}
	for _, region := range k.Replicas {
		r, err := c.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: out.KeyMetadata.KeyId, ReplicaRegion: aws.String(region), Policy: aws.String(pol)})
		if err != nil {
			t.Fatal(err)
		}
		arns[region] = aws.ToString(r.ReplicaKeyMetadata.Arn)
	}
	for region, arn := range arns {
		_, err := w.admin(w.est.SecurityAccount, region).UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return arns
}
