package kmssvc

import "strings"

type keyMetadata struct {
	AWSAccountId                string
	KeyId                       string
	Arn                         string
	CreationDate                epoch
	Enabled                     bool
	Description                 string
	KeyUsage                    string
	KeyState                    string
	DeletionDate                *epoch `json:",omitempty"`
	ValidTo                     *epoch `json:",omitempty"`
	Origin                      string
	ExpirationModel             string `json:",omitempty"`
	KeyManager                  string
	CustomerMasterKeySpec       string
	KeySpec                     string
	EncryptionAlgorithms        []string
	MultiRegion                 bool
	MultiRegionConfiguration    *mrConfig `json:",omitempty"`
	PendingDeletionWindowInDays *int32    `json:",omitempty"`
	CurrentKeyMaterialId        string    `json:",omitempty"`
}

type mrConfig struct {
	MultiRegionKeyType string
	PrimaryKey         mrKey
	ReplicaKeys        []mrKey
}

type mrKey struct {
	Arn    string
	Region string
}

// metadata builds DescribeKey's KeyMetadata for k.
func (s *Service) metadata(k *key) keyMetadata {
	st := k.state()
	md := keyMetadata{
		AWSAccountId: k.Account, KeyId: k.ID, Arn: k.ARN, CreationDate: epoch(k.Created),
		Enabled: st == stateEnabled, Description: k.Description, KeyUsage: "ENCRYPT_DECRYPT",
		KeyState: st, DeletionDate: epochOf(k.DeletionDate), Origin: k.Origin, KeyManager: k.Manager,
		CustomerMasterKeySpec: symmetricDefault, KeySpec: symmetricDefault,
		EncryptionAlgorithms: []string{symmetricDefault}, MultiRegion: k.MultiRegion,
	}
	if k.DeletionDate != nil {
		w := k.WindowDays
		md.PendingDeletionWindowInDays = &w
	}
	if cur := k.current(); cur != nil {
		md.CurrentKeyMaterialId = cur.ID
		if k.Origin == originExternal {
			md.ExpirationModel, md.ValidTo = cur.ExpirationModel, epochOf(cur.ValidTo)
		}
	}
	if k.MultiRegion {
		md.MultiRegionConfiguration = s.mrConfig(k)
	}
	return md
}

func (s *Service) mrConfig(k *key) *mrConfig {
	primary := k
	if k.isReplica() {
		if p := s.keys[k.PrimaryARN]; p != nil {
			primary = p
		}
	}
	cfg := &mrConfig{MultiRegionKeyType: "PRIMARY", PrimaryKey: mrKey{primary.ARN, primary.Region}, ReplicaKeys: []mrKey{}}
	if k.isReplica() {
		cfg.MultiRegionKeyType = "REPLICA"
	}
	for _, arn := range primary.Replicas {
		cfg.ReplicaKeys = append(cfg.ReplicaKeys, mrKey{arn, regionOf(arn)})
	}
	return cfg
}

func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}
