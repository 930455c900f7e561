//! One member's `endpoint status`, asked of that member alone.

use std::time::Instant;

use super::MEMBER_TIMEOUT;
use crate::etcd::{
    hex_id, EtcdAlarm, EtcdError, EtcdMember, EtcdMemberEntry, Gateway, DEFAULT_QUOTA_BYTES,
};

/// What a member said about itself.
pub(super) struct Probe {
    pub revision: i64,
    round_trip_us: u64,
    version: String,
    db_size: i64,
    db_size_in_use: i64,
    quota: i64,
    leader: u64,
    raft_term: u64,
    raft_index: u64,
    raft_applied_index: u64,
    errors: Vec<String>,
}

/// Asks the member at `urls` for its status, within [`MEMBER_TIMEOUT`].
pub(super) async fn probe(gateway: &Gateway, urls: &[String]) -> Result<Probe, EtcdError> {
    let asked = async {
        let mut client = gateway.member_client(urls).await?;
        let start = Instant::now();
        let status = gateway.call_within(MEMBER_TIMEOUT, client.status()).await?;
        Ok::<_, EtcdError>((status, start.elapsed()))
    };
    let (s, took) = match tokio::time::timeout(MEMBER_TIMEOUT, asked).await {
        Ok(answer) => answer?,
        Err(_) => {
            return Err(EtcdError::Timeout {
                limit: MEMBER_TIMEOUT,
                flag: None,
            })
        }
    };
    Ok(Probe {
        revision: s.header().map_or(0, |h| h.revision()),
        round_trip_us: took.as_micros().try_into().unwrap_or(u64::MAX),
        version: s.version().to_owned(),
        db_size: s.db_size(),
        db_size_in_use: s.raft_used_db_size(),
        quota: s.db_size_quota(),
        leader: s.leader(),
        raft_term: s.raft_term(),
        raft_index: s.raft_index(),
        raft_applied_index: s.raft_applied_index(),
        errors: s.errors().to_vec(),
    })
}

/// The membership entry with what the probe learned (or why it failed).
pub(super) fn merge(entry: EtcdMemberEntry, probe: Result<Probe, EtcdError>) -> EtcdMember {
    let mut m = EtcdMember::from(entry);
    let p = match probe {
        Ok(p) => p,
        Err(e) => {
            m.error = Some(e.to_string());
            return m;
        }
    };
    let size = |n: i64| u64::try_from(n).unwrap_or(0);
    let quota = match size(p.quota) {
        0 => DEFAULT_QUOTA_BYTES,
        q => q,
    };
    m.quota_assumed = p.quota <= 0;
    m.quota_bytes = Some(quota);
    m.quota_used_percent = Some(size(p.db_size) as f64 * 100.0 / quota as f64);
    m.db_size = Some(size(p.db_size));
    m.db_size_in_use = Some(size(p.db_size_in_use));
    // A member with an alarm still votes; "healthy" is about the quorum.
    m.healthy = p.leader != 0;
    if p.leader == 0 {
        m.error = Some("no leader: this member has lost its peers".into());
    }
    m.is_leader = p.leader != 0 && hex_id(p.leader) == m.id;
    m.round_trip_us = Some(p.round_trip_us);
    m.version = Some(p.version);
    m.raft_term = Some(p.raft_term);
    m.raft_index = Some(p.raft_index);
    m.raft_applied_index = Some(p.raft_applied_index);
    m.errors = p.errors;
    m
}

/// Alarms as members list them among their errors (etcd 3.4 writes
/// `memberID:10276657743932975437 alarm:NOSPACE `), for when the alarm
/// request itself fails.
pub(super) fn alarms_from_errors(members: &[EtcdMember]) -> Vec<EtcdAlarm> {
    let mut alarms: Vec<EtcdAlarm> = members
        .iter()
        .flat_map(|m| m.errors.iter())
        .filter_map(|e| parse_alarm(e))
        .collect();
    alarms.sort_by(|a, b| (&a.member_id, &a.alarm).cmp(&(&b.member_id, &b.alarm)));
    alarms.dedup();
    alarms
}

fn parse_alarm(text: &str) -> Option<EtcdAlarm> {
    let field = |name: &str| {
        let rest = &text[text.find(name)? + name.len()..];
        rest.split_whitespace().next().map(str::to_owned)
    };
    let id: u64 = field("memberID:")?.parse().ok()?;
    Some(EtcdAlarm {
        member_id: hex_id(id),
        alarm: field("alarm:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> EtcdMemberEntry {
        EtcdMemberEntry {
            id: id.into(),
            name: "etcd1".into(),
            client_urls: vec!["http://127.0.0.1:2379".into()],
            peer_urls: vec![],
            is_learner: false,
        }
    }

    fn probe(leader: u64, db_size: i64, quota: i64) -> Probe {
        Probe {
            revision: 7,
            round_trip_us: 900,
            version: "3.4.23".into(),
            db_size,
            db_size_in_use: db_size / 2,
            quota,
            leader,
            raft_term: 2,
            raft_index: 40,
            raft_applied_index: 40,
            errors: vec![],
        }
    }

    #[test]
    fn leader_flag_and_quota_from_the_probe() {
        let m = merge(entry("ab"), Ok(probe(0xab, 1 << 30, 0)));
        assert!(m.healthy && m.is_leader && m.quota_assumed);
        assert_eq!(m.quota_bytes, Some(DEFAULT_QUOTA_BYTES));
        assert_eq!(m.quota_used_percent, Some(50.0));
        let m = merge(entry("ac"), Ok(probe(0xab, 900, 1000)));
        assert!(m.healthy && !m.is_leader && !m.quota_assumed);
        assert!(m.quota_warning());
    }

    #[test]
    fn no_answer_or_no_leader_is_unhealthy() {
        let m = merge(entry("ab"), Err(EtcdError::NotConnected("refused".into())));
        assert!(!m.healthy && m.round_trip_us.is_none());
        assert_eq!(m.error.as_deref(), Some("refused"));
        let m = merge(entry("ab"), Ok(probe(0, 10, 0)));
        assert!(!m.healthy && !m.is_leader && m.round_trip_us.is_some());
    }

    #[test]
    fn alarms_parse_from_member_errors() {
        let mut m = merge(entry("ab"), Ok(probe(0xab, 10, 0)));
        m.errors = vec![
            "memberID:10276657743932975437 alarm:NOSPACE ".into(),
            "etcdserver: no leader".into(),
        ];
        let alarms = alarms_from_errors(&[m.clone(), m]);
        assert_eq!(
            alarms,
            [EtcdAlarm {
                member_id: "8e9e05c52164694d".into(),
                alarm: "NOSPACE".into()
            }]
        );
    }
}
