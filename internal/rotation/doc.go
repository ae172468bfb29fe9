// Package rotation rotates the imported key material of estate keys, in
// place (ImportKeyMaterial NEW_KEY_MATERIAL + RotateKeyOnDemand: key ID and
// ARN unchanged) or to a new key (CreateKey EXTERNAL + UpdateAlias), as a
// journaled step machine: every step is recorded in the store before and
// after it runs, and every step is idempotent given what the journal and
// KMS say, so a process killed at any point resumes (`byok resume RUN`)
// without importing twice or losing the HSM object.
//
// Expiring material is not rotated (a rotation adds material but the old
// one keeps its ValidTo, and any expiring material stops the whole key):
// a run with strategy reimport imports that same material again from the
// HSM object byok created for it (found through the KeyMaterialDescription,
// which names the byok run), as EXISTING_KEY_MATERIAL without expiry —
// journaled and resumable like a rotation.
//
// Keys of a run rotate concurrently. Every AWS call is paced under the
// Security account's request quotas (Limits; GetParametersForImport at 1
// per second is the bound of a large run), and each key starts as soon as
// its own plan is in, so planning overlaps the import work of earlier keys.
//
// The same machine runs procedures on resources (migrations: RDS
// instances, Aurora clusters, DynamoDB tables, S3 buckets onto a target
// key). A resource procedure is a Strategy whose procedure is registered
// with resource: true; its subject is the resource ARN (Subject), which
// takes the key ARN's place in the journal, the local and shared locks,
// the audit entry and resume; the request records the ARN, its location
// (ACCOUNT/REGION), the target key ARN and the method (the strategy).
// A new migration method registers like this, in its own file:
//
//  1. append a Strategy constant and its name to strategyNames
//     (machine.go), and any new store.Step at the end of store's stepNames;
//  2. in init(), register(&procedure{strategy: S, resource: true,
//     table: []stepDef{...}}) — StepPlan first, StepDone last, every
//     action idempotent given what AWS says (names derived from the run
//     with migName, facts kept in the run key with saveMigration);
//  3. reach the resource's account only through Engine.Resources (the
//     member account's migration role; add the client it needs there),
//     wait with waitFor (a deadline and a description), refuse with
//     j.refuse, audit with migrationRecord;
//  4. build Items with Subject set (Engine.PrepareMigration) so the CLI's
//     dry run and apply run the same request.
//
// It owns the order and the safety rules of a rotation (refuse foreign
// pending material, the 25-rotation limit, one run per key, never delete
// material); it does not parse the estate, talk PKCS#11 directly (package
// hsm), or judge compliance (package compliance).
package rotation
