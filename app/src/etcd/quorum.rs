//! Quorum arithmetic and the risks a Patroni action's preflight warns of.

use serde::{Deserialize, Serialize};

use super::{EtcdMember, EtcdStatus};

/// How many voting members the cluster has, how many are healthy and how
/// many more it can lose before it stops accepting writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quorum {
    /// Members that vote (learners do not).
    pub voting: usize,
    /// Voting members that answered and are healthy.
    pub healthy_voting: usize,
    /// `healthy_voting - (voting / 2 + 1)`, never below zero.
    pub can_lose: usize,
    /// The same in words: "3 voting members, can lose 1".
    pub words: String,
}

impl Quorum {
    /// Quorum of `members`.
    pub fn of(members: &[EtcdMember]) -> Quorum {
        let voting = members.iter().filter(|m| !m.is_learner).count();
        let healthy_voting = members
            .iter()
            .filter(|m| !m.is_learner && m.healthy)
            .count();
        let learners = members.len() - voting;
        Quorum::new(voting, healthy_voting, learners)
    }

    /// Quorum of `voting` members of which `healthy_voting` are healthy;
    /// `learners` only shows in the words.
    pub fn new(voting: usize, healthy_voting: usize, learners: usize) -> Quorum {
        let can_lose = healthy_voting.saturating_sub(Quorum::needed(voting));
        let down = voting.saturating_sub(healthy_voting);
        let mut words = match voting {
            0 => "no voting members".to_owned(),
            1 => "1 voting member".to_owned(),
            n => format!("{n} voting members"),
        };
        if voting > 0 && !Quorum::holds(voting, healthy_voting) {
            let needed = Quorum::needed(voting);
            words.push_str(&format!(", {down} down: quorum lost ({needed} needed)"));
        } else if voting > 0 {
            if down > 0 {
                words.push_str(&format!(", {down} down"));
            }
            words.push_str(&format!(", can lose {can_lose}"));
        }
        match learners {
            0 => {}
            1 => words.push_str(" (and 1 learner)"),
            n => words.push_str(&format!(" (and {n} learners)")),
        }
        Quorum {
            voting,
            healthy_voting,
            can_lose,
            words,
        }
    }

    /// Voting members a quorum needs: a majority.
    pub fn needed(voting: usize) -> usize {
        voting / 2 + 1
    }

    /// Whether enough voting members are healthy to form a quorum.
    pub fn holds(voting: usize, healthy_voting: usize) -> bool {
        voting > 0 && healthy_voting >= Quorum::needed(voting)
    }
}

impl EtcdStatus {
    /// The member with hex `id` by its name, or the ID when it has none
    /// or is not listed.
    pub fn label_of<'s>(&'s self, id: &'s str) -> &'s str {
        self.members
            .iter()
            .find(|m| m.id == id)
            .map_or(id, EtcdMember::label)
    }

    /// Each active alarm and the member it is on: "NOSPACE on etcd2".
    pub fn alarm_words(&self) -> Vec<String> {
        self.alarms
            .iter()
            .map(|a| format!("{} on {}", a.alarm, self.label_of(&a.member_id)))
            .collect()
    }

    /// Warnings a Patroni action's preflight shows: a voting member down
    /// ("etcd: 1 of 3 voting members is down; one more loss stops
    /// Patroni"), no spare quorum, NOSPACE/CORRUPT alarms, a database near
    /// its quota. Empty when healthy.
    pub fn risks(&self) -> Vec<String> {
        let mut risks = Vec::new();
        let q = &self.quorum;
        let down = q.voting.saturating_sub(q.healthy_voting);
        let are = |n: usize| if n == 1 { "is" } else { "are" };
        if q.voting > 0 && !Quorum::holds(q.voting, q.healthy_voting) {
            risks.push(format!(
                "etcd: quorum lost: {down} of {} voting members {} down; Patroni cannot update its keys",
                q.voting,
                are(down)
            ));
        } else if down > 0 {
            let rest = match q.can_lose {
                0 => "one more loss stops Patroni".to_owned(),
                n => format!("it can lose {n} more"),
            };
            risks.push(format!(
                "etcd: {down} of {} voting members {} down; {rest}",
                q.voting,
                are(down)
            ));
        } else if q.voting > 0 && q.can_lose == 0 {
            let s = if q.voting == 1 { "" } else { "s" };
            risks.push(format!(
                "etcd: no spare quorum: with {} voting member{s}, losing any one stops Patroni",
                q.voting
            ));
        }
        for alarm in &self.alarms {
            let on = self.label_of(&alarm.member_id);
            risks.push(match alarm.alarm.as_str() {
                "NOSPACE" => format!("etcd: NOSPACE alarm on {on}: etcd takes no writes until space is freed and the alarm disarmed"),
                "CORRUPT" => format!("etcd: CORRUPT alarm on {on}: members disagree about the data; etcd takes no writes"),
                other => format!("etcd: {other} alarm on {on}"),
            });
        }
        for m in self.members.iter().filter(|m| m.quota_warning()) {
            let percent = m.quota_used_percent.unwrap_or_default();
            risks.push(format!(
                "etcd: {}'s database is at {percent:.0}% of its quota; at 100% etcd raises NOSPACE and takes no writes",
                m.label()
            ));
        }
        risks
    }
}
