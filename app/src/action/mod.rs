//! Guarded admin actions on Patroni clusters: what a preflight found, what
//! a request asks for, and what came of it. These types cross to the
//! browser; the guard itself (admin proof, typed confirmation, revision
//! pinning, audit, the call to Patroni) runs on the server.

#[cfg(feature = "ssr")]
pub mod actor;
pub mod api;
#[cfg(feature = "ssr")]
pub mod basis;
#[cfg(feature = "ssr")]
pub mod cluster_role;
#[cfg(feature = "ssr")]
pub mod demote_cluster;
pub mod edit_config;
#[cfg(feature = "ssr")]
pub mod failover;
#[cfg(feature = "ssr")]
pub mod flush;
#[cfg(feature = "ssr")]
pub mod gather;
#[cfg(feature = "ssr")]
pub mod member;
#[cfg(feature = "ssr")]
pub mod pause;
#[cfg(feature = "ssr")]
pub mod preflight;
#[cfg(feature = "ssr")]
pub mod promote_cluster;
#[cfg(feature = "ssr")]
pub mod reinitialize;
#[cfg(feature = "ssr")]
pub mod reload;
#[cfg(feature = "ssr")]
pub mod restart;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod switchover;
#[cfg(feature = "ssr")]
pub mod target;

use serde::{Deserialize, Serialize};

pub use edit_config::{ConfigPreview, ConfigView, EditConfigRequest};

use crate::patroni::{Scheduled, ScheduledKind};

/// One check made on a candidate (or on the cluster), in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Short name: `reachable`, `nofailover`, `streaming`, `timeline`,
    /// `lag`, `sync`, `running`.
    pub name: String,
    pub ok: bool,
    /// What was seen, e.g. "lag 2.0 MiB, limit 1.0 MiB".
    pub detail: String,
}

/// Whether one member could take over, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub name: String,
    pub eligible: bool,
    /// Every failed check, in words; empty when eligible.
    pub reasons: Vec<String>,
    /// Every check made, passed or not, for the checklist.
    pub checks: Vec<Check>,
}

/// What a switchover or failover would do and what would refuse it
/// (`GET .../switchover/preflight`, `.../failover/preflight`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    /// The etcd revision the checks rest on; the action must send it back.
    pub revision: i64,
    pub leader: Option<String>,
    pub paused: bool,
    pub candidates: Vec<Candidate>,
    /// Why the action cannot run at all (e.g. a switchover with no leader).
    pub blockers: Vec<String>,
    /// Risks worth reading before acting (etcd quorum, alarms, a pending
    /// scheduled switchover, ...).
    pub warnings: Vec<String>,
}

/// `POST .../switchover`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchoverRequest {
    /// None: Patroni picks the healthiest replica.
    #[serde(default)]
    pub candidate: Option<String>,
    /// RFC 3339 with an offset, in the future.
    #[serde(default)]
    pub scheduled_at: Option<String>,
    pub confirm: String,
    pub revision: i64,
}

/// `POST .../failover`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailoverRequest {
    pub candidate: String,
    pub confirm: String,
    pub revision: i64,
}

/// Pause, resume, cancelling a scheduled switchover, reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmRequest {
    pub confirm: String,
    /// Optional pin: refused with 409 if the cluster changed since.
    #[serde(default)]
    pub revision: Option<i64>,
}

/// `POST .../demote`: make the cluster a standby cluster that follows
/// another (`patronictl demote-cluster`). At least one of `host`, `port`
/// and `restore_command` is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoteClusterRequest {
    /// The source's host (or comma-separated hosts).
    #[serde(default)]
    pub host: Option<String>,
    /// The source's port, 1–65535.
    #[serde(default)]
    pub port: Option<u32>,
    /// A replication slot on the source to stream through.
    #[serde(default)]
    pub primary_slot_name: Option<String>,
    /// A command that restores WAL from an archive.
    #[serde(default)]
    pub restore_command: Option<String>,
    pub confirm: String,
    /// The revision the preflight returned.
    pub revision: i64,
}

/// `POST .../promote`: make a standby cluster run on its own
/// (`patronictl promote-cluster`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoteClusterRequest {
    pub confirm: String,
    /// The revision the preflight returned.
    pub revision: i64,
}

/// `POST .../members/<name>/restart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartRequest {
    pub confirm: String,
    /// Only restart if Patroni says a restart is pending.
    #[serde(default)]
    pub pending_only: bool,
    /// RFC 3339 with an offset, in the future.
    #[serde(default)]
    pub scheduled_at: Option<String>,
    #[serde(default)]
    pub revision: Option<i64>,
}

/// `POST .../members/<name>/reinitialize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReinitializeRequest {
    pub confirm: String,
    /// Reinitialise even if Patroni thinks the replica is busy (stuck).
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub revision: Option<i64>,
}

/// What the page should wait to see in etcd after Patroni accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expect {
    /// A leader other than `old` (and `candidate` if one was named).
    NewLeader {
        old: Option<String>,
        candidate: Option<String>,
    },
    /// `config.pause` set (true) or cleared (false).
    Paused { paused: bool },
    /// The member back to `running` after it was seen otherwise (or its
    /// `pending_restart` gone).
    MemberRunning { member: String },
    /// The `config` key holds this configuration (compared as Patroni
    /// compares values).
    Config { config: serde_json::Value },
    /// A scheduled switchover appears in (or leaves) the `failover` key.
    Scheduled { present: bool },
    /// The leader key held by a running member whose role is `role`
    /// (`standby_leader` after a demote, `leader` after a promote), as
    /// `patronictl demote-cluster`/`promote-cluster` wait for.
    ClusterRole { role: crate::patroni::Role },
    /// Nothing in etcd shows it (reload).
    Nothing,
}

/// What Patroni answered to an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOutcome {
    pub action: String,
    /// `namespace/scope` or `namespace/scope/member`.
    pub target: String,
    /// Patroni accepted (2xx).
    pub accepted: bool,
    /// Patroni's HTTP status, when it answered.
    pub status: Option<u16>,
    /// No answer came in time: the action may still be running.
    #[serde(default)]
    pub timed_out: bool,
    /// Patroni's response body, verbatim.
    pub body: String,
    /// The same in plain words.
    pub explanation: String,
    /// Which member's REST API was asked.
    pub via: Option<String>,
    pub expect: Expect,
    /// The audit record written after the call.
    pub audit_seq: Option<u64>,
}

/// What a flush cancels, as `patronictl flush <cluster> restart|switchover`
/// (`all`: both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlushWhat {
    Restart,
    Switchover,
    #[default]
    All,
}

impl FlushWhat {
    pub fn as_str(self) -> &'static str {
        match self {
            FlushWhat::Restart => "restart",
            FlushWhat::Switchover => "switchover",
            FlushWhat::All => "all",
        }
    }

    /// Whether this flush cancels `op`.
    pub fn covers(self, op: &Scheduled) -> bool {
        match self {
            FlushWhat::All => true,
            FlushWhat::Restart => op.kind == ScheduledKind::Restart,
            FlushWhat::Switchover => op.kind == ScheduledKind::Switchover,
        }
    }
}

/// `POST .../flush`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushRequest {
    pub confirm: String,
    pub revision: i64,
    #[serde(default)]
    pub what: FlushWhat,
}

/// What a flush would cancel (`GET .../flush/preflight?what=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushPreflight {
    /// The etcd revision the list rests on; the flush must send it back.
    pub revision: i64,
    pub what: FlushWhat,
    /// The scheduled operations the flush would cancel.
    pub scheduled: Vec<Scheduled>,
    /// Why the flush cannot run (nothing scheduled).
    pub blockers: Vec<String>,
}

/// What came of cancelling one scheduled operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushItem {
    pub scheduled: Scheduled,
    /// Patroni cancelled it (2xx).
    pub cancelled: bool,
    /// Which member's REST API was asked.
    pub via: Option<String>,
    pub status: Option<u16>,
    /// Patroni's response body, verbatim.
    pub body: String,
    /// The same in plain words.
    pub explanation: String,
}

/// What came of a flush: one item per scheduled operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushOutcome {
    /// `namespace/scope`.
    pub target: String,
    pub what: FlushWhat,
    pub items: Vec<FlushItem>,
    /// The audit record written after the calls.
    pub audit_seq: Option<u64>,
}

impl FlushOutcome {
    /// How many were cancelled, and how many not.
    pub fn counts(&self) -> (usize, usize) {
        let done = self.items.iter().filter(|i| i.cancelled).count();
        (done, self.items.len() - done)
    }
}
