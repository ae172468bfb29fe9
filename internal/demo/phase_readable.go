package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ReadProof is one piece of data read back after the migration and the
// retirement.
type ReadProof struct {
	Kind    string `json:"kind"` // s3-object, canary
	Name    string `json:"name"` // bucket/key, or the alias of the canary
	Account string `json:"account"`
	KeyID   string `json:"key_id"` // the key that decrypted it
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// demoObjects are written by the prod application into its bucket before
// the migration and read back after the retirement.
var demoObjects = map[string]string{"orders/2026-12-05.json": `{"orders":3}`, "invoices/0001.pdf": "%PDF-1.7 demo", "exports/daily.csv": "id,total\n1,42\n"}

const demoObjectsBucket = "byok-demo-prod-app-data"

// putObjects is the prod application writing objects (its bucket's
// default SSE-KMS applies).
func (s *story) putObjects(ctx context.Context, account string) error {
	c := s.ownerS3(ctx, account)
	for key, body := range demoObjects {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoObjectsBucket), Key: aws.String(key), Body: bytes.NewReader([]byte(body))}); err != nil {
			return fmt.Errorf("write %s/%s: %w", demoObjectsBucket, key, err)
		}
	}
	return nil
}

func (s *story) ownerS3(ctx context.Context, account string) *s3.Client {
	cfg := s.w.sb.Config(ctx, account)
	cfg.Region = s.w.est.PrimaryRegion()
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// readable reads every demo object back by GetObject (the application's
// and the migrated archive's) and decrypts every canary from its consumer
// account: all must come back intact, none under a retired key, the
// archive's on the new S3 key.
func (s *story) readable(ctx context.Context) error {
	keys, err := s.newKeyKeys()
	if err != nil {
		return err
	}
	account := keys[0].Consumer
	var bad, objects int
	add := func(p ReadProof, want string) {
		switch {
		case p.OK && (p.KeyID == "" || s.isRetired(p.KeyID)):
			p.OK, p.Error = false, "read under a retired key (or no key reported)"
		case p.OK && want != "" && keyTail(p.KeyID) != keyTail(want):
			p.OK, p.Error = false, "read under "+p.KeyID+", not the new key "+want
		}
		if !p.OK {
			bad++
			s.out.bad("%s %s: %s", p.Kind, p.Name, p.Error)
		}
		if p.Kind == "s3-object" {
			objects++
		}
		s.rep.Readable = append(s.rep.Readable, p)
	}
	c := s.ownerS3(ctx, account)
	for _, key := range sortedKeys(demoObjects) {
		add(s.readObject(ctx, c, account, key), "")
	}
	if k, ok := s.archiveKeyOf(); ok && k.Consumer == account {
		for i := range archiveObjects {
			add(s.readArchived(ctx, c, k, i), s.newKeyOf(k.Alias))
		}
	}
	for _, alias := range sortedKeys(s.appData) {
		for _, rec := range s.appData[alias] {
			add(s.readCanary(ctx, alias, rec), "")
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d objects and canaries are not readable", bad, len(s.rep.Readable))
	}
	s.out.ok("%d S3 objects read back by GetObject (%d migrated archive records on the new key) and %d canaries decrypted from their consumer accounts, none under a retired key",
		objects, objects-len(demoObjects), len(s.rep.Readable)-objects)
	return nil
}

func (s *story) readObject(ctx context.Context, c *s3.Client, account, key string) ReadProof {
	p := ReadProof{Kind: "s3-object", Name: demoObjectsBucket + "/" + key, Account: account}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoObjectsBucket), Key: aws.String(key)})
	if err != nil {
		p.Error = err.Error()
		return p
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	p.KeyID = aws.ToString(out.SSEKMSKeyId)
	p.OK = err == nil && string(body) == demoObjects[key]
	if !p.OK {
		p.Error = fmt.Sprintf("body %q, %v", body, err)
	}
	return p
}

func (s *story) readCanary(ctx context.Context, alias string, rec appRecord) ReadProof {
	p := ReadProof{Kind: "canary", Name: alias, Account: rec.Account}
	k, err := s.estateKey(alias)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	out, err := s.w.clients.KMS(rec.Account, k.Region).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rec.Ciphertext, EncryptionContext: appContext})
	if err != nil {
		p.Error = err.Error()
		return p
	}
	p.KeyID, p.OK = aws.ToString(out.KeyId), bytes.Equal(out.Plaintext, rec.Plaintext)
	if !p.OK {
		p.Error = "plaintext differs"
	}
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
