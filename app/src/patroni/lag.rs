//! Replication lag, measured from etcd alone: the leader's position
//! (`status.optime`, else its member key) against each replica's.

use super::member::{Member, Role};

/// Fills each replica's receive and replay lag and whether it is within
/// `max_lag` (Patroni's `maximum_lag_on_failover`). Patroni compares the
/// member's reported position (`xlog_location`), so `lag_ok` does too.
/// A replica ahead of the leader's last published position has lag 0: the
/// leader publishes once per loop, replicas in between.
pub fn measure(
    members: &mut [Member],
    leader: Option<&str>,
    leader_lsn: Option<u64>,
    max_lag: u64,
) {
    for m in members.iter_mut() {
        let is_leader =
            Some(m.name.as_str()) == leader || matches!(m.role, Role::Leader | Role::StandbyLeader);
        if is_leader {
            continue;
        }
        let Some(top) = leader_lsn else { continue };
        let behind = |pos: Option<u64>| pos.map(|p| top.saturating_sub(p));
        m.receive_lag_bytes = behind(m.receive_lsn.or(m.wal_lsn));
        m.replay_lag_bytes = behind(m.replay_lsn.or(m.wal_lsn));
        m.lag_ok = behind(m.position()).map(|lag| lag <= max_lag);
    }
}

/// Bytes as an operator reads them: `0 B`, `512 B`, `1.5 KiB`, `12.0 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// PostgreSQL's `X/X` text form of an LSN.
pub fn lsn_text(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(name: &str, receive: Option<u64>, replay: Option<u64>, wal: Option<u64>) -> Member {
        Member {
            name: name.into(),
            role: Role::Replica,
            receive_lsn: receive,
            replay_lsn: replay,
            wal_lsn: wal,
            ..Member::default()
        }
    }

    #[test]
    fn lag_from_optime() {
        let mut ms = vec![
            Member {
                name: "a".into(),
                role: Role::Leader,
                wal_lsn: Some(5_000_000),
                ..Member::default()
            },
            replica("b", Some(4_000_000), Some(3_000_000), Some(4_000_000)),
            replica("c", None, None, Some(6_000_000)),
            replica("d", None, None, None),
        ];
        measure(&mut ms, Some("a"), Some(5_000_000), 1_048_576);
        assert_eq!(ms[0].receive_lag_bytes, None);
        assert_eq!(ms[0].lag_ok, None);
        assert_eq!(
            (ms[1].receive_lag_bytes, ms[1].replay_lag_bytes),
            (Some(1_000_000), Some(2_000_000))
        );
        assert_eq!(ms[1].lag_ok, Some(true));
        // Ahead of the last published optime: no lag, not a negative one.
        assert_eq!(
            (ms[2].receive_lag_bytes, ms[2].lag_ok),
            (Some(0), Some(true))
        );
        assert_eq!((ms[3].receive_lag_bytes, ms[3].lag_ok), (None, None));
        measure(&mut ms, Some("a"), Some(5_000_000), 999_999);
        assert_eq!(ms[1].lag_ok, Some(false));
    }

    #[test]
    fn no_leader_position_means_no_lag() {
        let mut ms = vec![replica("b", Some(1), Some(1), Some(1))];
        measure(&mut ms, None, None, 0);
        assert_eq!(ms[0].receive_lag_bytes, None);
    }

    #[test]
    fn human_readable() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(16 * 1024 * 1024), "16.0 MiB");
        assert_eq!(lsn_text(0x16_B374_D848), "16/B374D848");
    }
}
