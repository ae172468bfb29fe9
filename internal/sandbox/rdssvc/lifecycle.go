package rdssvc

import (
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Statuses RDS reports for instances, clusters and snapshots while work is
// under way (DescribeDBInstances DBInstanceStatus, DBCluster Status,
// DBSnapshot Status).
const (
	statusBackingUp = "backing-up"
	statusRenaming  = "renaming"
	statusModifying = "modifying"
	statusStopping  = "stopping"
	statusStopped   = "stopped"
	statusStarting  = "starting"
)

// Durations of the sandbox's asynchronous RDS work, on the sandbox clock:
// the order of magnitude RDS takes for a small database, so that a caller
// must poll as it would in AWS, and tests advance the clock
// (sandbox.Server.Env.Clock.Advance) instead of sleeping.
const (
	DurSnapshot = 4 * time.Minute  // CreateDB(Cluster)Snapshot: instance backing-up, snapshot creating
	DurCopy     = 6 * time.Minute  // CopyDB(Cluster)Snapshot, re-encrypting under a new key
	DurRestore  = 12 * time.Minute // RestoreDBInstanceFromDBSnapshot / RestoreDBClusterFromSnapshot: creating
	DurBackup   = 3 * time.Minute  // then backing-up (the first automated backup of a restored instance)
	DurMember   = 8 * time.Minute  // CreateDBInstance into a cluster
	DurRename   = 90 * time.Second // ModifyDB(Instance|Cluster) NewDB…Identifier: renaming
	DurModify   = 2 * time.Minute  // other ModifyDBInstance changes applied immediately: modifying
	DurStop     = 3 * time.Minute  // StopDB(Instance|Cluster): stopping
	DurStart    = 5 * time.Minute  // StartDB(Instance|Cluster): starting
)

// phase is an interim status held until a sandbox-clock instant.
type phase struct {
	Status string    `json:"status"`
	Until  time.Time `json:"until"`
}

// lifecycle is the status of a resource: the interim phases still to run
// out, in order, then Status. Stored with the resource, so a restarted
// sandbox continues the transition where the clock has got to.
type lifecycle struct {
	Status string  `json:"status"`
	Phases []phase `json:"phases,omitempty"`
}

// at is the status at now.
func (l *lifecycle) at(now time.Time) string {
	for _, p := range l.Phases {
		if now.Before(p.Until) {
			return p.Status
		}
	}
	if l.Status == "" {
		return statusAvailable
	}
	return l.Status
}

// step is an interim status and how long it lasts.
type step struct {
	status string
	d      time.Duration
}

// begin replaces the phases with steps run in turn from now, ending in final.
func (l *lifecycle) begin(now time.Time, final string, steps ...step) {
	l.Phases = nil
	t := now
	for _, st := range steps {
		t = t.Add(st.d)
		l.Phases = append(l.Phases, phase{Status: st.status, Until: t})
	}
	l.Status = final
}

func invalidInstanceState(id, status, want string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidDBInstanceState",
		Message: "DB instance " + id + " is in state " + status + "; the operation needs it " + want + "."}
}

func invalidClusterState(id, status, want string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidDBClusterStateFault",
		Message: "DB cluster " + id + " is in state " + status + "; the operation needs it " + want + "."}
}

func invalidSnapshotState(code, id, status string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: code,
		Message: "Snapshot " + id + " is in state " + status + "; it must be available."}
}
