//! `endpoint hashkv` across members: every member hashes its key-value
//! store up to one revision. Members that started the hash at the same
//! compact revision hashed the same history and must agree; a member that
//! did not answer is not checked, which is not a mismatch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One member's answer to `HashKV` at the check's revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashReading {
    /// Member ID, hex.
    pub member_id: String,
    /// Its name (or ID while it has none).
    pub member: String,
    /// The hash, when the member answered.
    pub hash: Option<u32>,
    /// The compact revision the hash starts from.
    pub compact_revision: Option<i64>,
    /// Why it was not checked.
    pub error: Option<String>,
}

/// Members whose hashes differ though they hashed the same history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub compact_revision: i64,
    /// (member, hash), by member.
    pub hashes: Vec<(String, u32)>,
}

/// The hashes of every member at one revision, compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashCheck {
    /// The revision every member hashed up to: the lowest any member had
    /// applied, so that a busy cluster is not a false mismatch. `None` when
    /// no member told its revision.
    pub revision: Option<i64>,
    /// One reading per member, by member.
    pub readings: Vec<HashReading>,
    /// Groups that disagree; empty when the data is consistent.
    pub mismatches: Vec<Mismatch>,
}

impl HashCheck {
    /// The readings at `revision`, compared.
    pub fn of(revision: Option<i64>, mut readings: Vec<HashReading>) -> HashCheck {
        readings.sort_by(|a, b| (&a.member, &a.member_id).cmp(&(&b.member, &b.member_id)));
        HashCheck {
            mismatches: compare(&readings),
            revision,
            readings,
        }
    }

    /// Members that answered.
    pub fn checked(&self) -> usize {
        self.readings.iter().filter(|r| r.hash.is_some()).count()
    }

    /// The alarm a mismatch raises: which members, which hashes.
    pub fn alarm(&self) -> Option<String> {
        if self.mismatches.is_empty() {
            return None;
        }
        let groups: Vec<String> = self
            .mismatches
            .iter()
            .map(|m| {
                let each: Vec<String> = m.hashes.iter().map(|(n, h)| format!("{n} {h}")).collect();
                format!(
                    "{} (compact revision {})",
                    each.join(", "),
                    m.compact_revision
                )
            })
            .collect();
        Some(format!(
            "etcd members hold different data: hashkv at revision {} differs: {}",
            self.revision.unwrap_or_default(),
            groups.join("; ")
        ))
    }

    /// The verdict in words.
    pub fn words(&self) -> String {
        let (checked, all) = (self.checked(), self.readings.len());
        let at = self
            .revision
            .map_or_else(String::new, |r| format!(" at revision {r}"));
        if !self.mismatches.is_empty() {
            return format!("MISMATCH{at}: see the alarm above");
        }
        if checked == 0 {
            return "no member answered: not checked".into();
        }
        let groups = self
            .readings
            .iter()
            .filter(|r| r.hash.is_some())
            .map(|r| r.compact_revision)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let missing = all - checked;
        let missing = match missing {
            0 => String::new(),
            n => format!("; {n} not checked"),
        };
        if groups > 1 {
            format!("{checked} of {all} hashed{at}, from different compact revisions: each group agrees{missing}")
        } else {
            format!("{checked} of {all} agree{at}{missing}")
        }
    }
}

/// Readings that hashed the same history (same compact revision) but
/// report different hashes. Readings without a hash are left out; groups
/// of different compact revisions are not compared with each other.
pub fn compare(readings: &[HashReading]) -> Vec<Mismatch> {
    let mut groups: BTreeMap<i64, Vec<(String, u32)>> = BTreeMap::new();
    for r in readings {
        if let (Some(hash), Some(compact)) = (r.hash, r.compact_revision) {
            groups
                .entry(compact)
                .or_default()
                .push((r.member.clone(), hash));
        }
    }
    groups
        .into_iter()
        .filter(|(_, hashes)| hashes.windows(2).any(|w| w[0].1 != w[1].1))
        .map(|(compact_revision, mut hashes)| {
            hashes.sort();
            Mismatch {
                compact_revision,
                hashes,
            }
        })
        .collect()
}
