//! Versions: each member's server version, the cluster version, and the
//! next step. etcd upgrades one minor version at a time (3.4 → 3.5 →
//! 3.6), member by member, each on the latest patch release of its minor
//! first; the cluster version follows once every member runs the new one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Server versions and the cluster version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    /// The cluster version as etcd reports it (`etcdcluster` of
    /// `/version`), when a configured endpoint told it.
    pub cluster: Option<String>,
    /// Each member and its server version (none when it did not answer).
    pub members: Vec<MemberVersion>,
}

/// One member's server version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberVersion {
    pub member: String,
    pub version: Option<String>,
}

/// "3.4.23" → (3, 4); anything else → `None`.
pub fn minor_of(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

impl Versions {
    /// Members by the minor version they run.
    fn by_minor(&self) -> BTreeMap<(u32, u32), Vec<&str>> {
        let mut out: BTreeMap<(u32, u32), Vec<&str>> = BTreeMap::new();
        for m in &self.members {
            if let Some(minor) = m.version.as_deref().and_then(minor_of) {
                out.entry(minor).or_default().push(&m.member);
            }
        }
        out
    }

    /// Members run different minor versions: an upgrade is half done.
    pub fn mixed(&self) -> bool {
        self.by_minor().len() > 1
    }

    /// The cluster version in words: etcd's own, or else the lowest minor
    /// a member runs (what etcd would set it to).
    pub fn cluster_words(&self) -> String {
        match (&self.cluster, self.by_minor().keys().next()) {
            (Some(v), _) => v.clone(),
            (None, Some((major, minor))) => format!("{major}.{minor} (lowest member)"),
            (None, None) => "unknown".into(),
        }
    }

    /// What to do next, in words.
    pub fn next_step(&self) -> String {
        let by_minor = self.by_minor();
        let (Some(low), Some(high)) = (by_minor.keys().next(), by_minor.keys().next_back()) else {
            return "unknown: no member reported its version".into();
        };
        if low != high {
            return format!(
                "finish the rolling upgrade: bring every member to {}.{} first",
                high.0, high.1
            );
        }
        let (major, minor) = *low;
        let next = minor + 1;
        let mut step = format!(
            "{major}.{minor} → {major}.{next}: update every member to the latest {major}.{minor} patch release, then replace members one at a time"
        );
        if (major, next) == (3, 6) {
            step.push_str(" (etcd's 3.6 guide names the 3.5 patch release it needs)");
        }
        step
    }

    /// Version trouble in words.
    pub fn warnings(&self) -> Vec<String> {
        let by_minor = self.by_minor();
        if by_minor.len() < 2 {
            return Vec::new();
        }
        let each: Vec<String> = by_minor
            .iter()
            .map(|((major, minor), members)| format!("{major}.{minor} on {}", members.join(", ")))
            .collect();
        vec![format!(
            "members run different minor versions ({}): finish the upgrade before the next one",
            each.join("; ")
        )]
    }
}
