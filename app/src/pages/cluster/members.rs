//! The member table: everything `patronictl list -e` shows, plus lag in
//! bytes against `maximum_lag_on_failover`.

use leptos::prelude::*;
use serde_json::Value;

use crate::components::layout::Table;
use crate::patroni::lag::{human_bytes, lsn_text};
use crate::patroni::{Cluster, GoneMember, Member};

/// Tags Patroni acts on; shown first, the rest after.
const KNOWN_TAGS: [&str; 8] = [
    "nofailover",
    "failover_priority",
    "nosync",
    "sync_priority",
    "nostream",
    "noloadbalance",
    "clonefrom",
    "replicatefrom",
];

#[component]
pub fn MemberTable(cluster: Cluster) -> impl IntoView {
    let max_lag = cluster.maximum_lag_on_failover;
    let rows = cluster
        .members
        .into_iter()
        .map(|m| view! { <MemberRow member=m max_lag gone=None /> })
        .collect_view();
    let gone = cluster
        .gone
        .into_iter()
        .map(|GoneMember { member, since_ms }| view! { <MemberRow member max_lag gone=Some(since_ms) /> })
        .collect_view();
    view! {
        <Table class="members detail" testid="members" columns=&[
            "Member", "Host", "Role", "State", "TL", "Receive LSN", "Receive lag",
            "Replay LSN", "Replay lag", "Failover", "Pending restart", "Scheduled restart",
            "Tags", "Patroni", "PostgreSQL"
        ]>
            {rows}{gone}
        </Table>
    }
}

#[component]
fn MemberRow(member: Member, max_lag: u64, gone: Option<u64>) -> impl IntoView {
    let host = match (&member.host, member.port) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.clone(),
        _ => "?".into(),
    };
    let role = member.role.as_str().to_owned();
    let is_leader = matches!(role.as_str(), "leader" | "standby_leader");
    let opt = |v: Option<u64>, f: fn(u64) -> String| v.map_or_else(|| "–".to_owned(), f);
    // The leader's own position goes in the receive column, as patronictl does.
    let receive_lsn = if is_leader {
        member.wal_lsn
    } else {
        member.receive_lsn.or(member.wal_lsn)
    };
    let failover = failover_cell(&member, max_lag, is_leader);
    let pending = if member.pending_restart {
        let reason = member.pending_restart_reason.join(", ");
        if reason.is_empty() {
            "yes".to_owned()
        } else {
            format!("yes: {reason}")
        }
    } else {
        String::new()
    };
    let tags = tags_text(&member);
    let scheduled = scheduled_restart(&member);
    let down = !member.is_running();
    let name = member.name.clone();
    let state = match gone {
        Some(_) => "gone (key expired)".to_owned(),
        None => member.shown_state().to_owned(),
    };
    view! {
        <tr
            data-testid="member-row"
            data-member=name
            data-role=role.clone()
            class:gone=gone.is_some()
            class:down=down
        >
            <td class="name">{member.name}</td>
            <td><code>{host}</code></td>
            <td><span class=format!("role role-{role}")>{role.replace('_', " ")}</span></td>
            <td data-testid="state" class:bad=down || gone.is_some()>{state}</td>
            <td data-testid="timeline">{opt(member.timeline, |t| t.to_string())}</td>
            <td><code>{opt(receive_lsn, lsn_text)}</code></td>
            <td data-testid="receive-lag" class:bad=member.lag_ok == Some(false)>{opt(member.receive_lag_bytes, human_bytes)}</td>
            <td><code>{opt(if is_leader { None } else { member.replay_lsn }, lsn_text)}</code></td>
            <td data-testid="replay-lag" class:bad=member.lag_ok == Some(false)>{opt(member.replay_lag_bytes, human_bytes)}</td>
            <td data-testid="lag-ok" class=failover.1>{failover.0}</td>
            <td class="wrap" data-testid="pending-restart">{pending}</td>
            <td class="wrap" data-testid="scheduled-restart">{scheduled}</td>
            <td class="wrap" data-testid="tags">{tags}</td>
            <td>{member.version.unwrap_or_default()}</td>
            <td data-testid="pg-version">{member.postgres_version.unwrap_or_else(|| "?".into())}</td>
        </tr>
    }
}

/// Whether the member could take over, in words, and the cell's class.
fn failover_cell(m: &Member, max_lag: u64, is_leader: bool) -> (String, &'static str) {
    if is_leader {
        return ("leader".into(), "");
    }
    if m.tag_set("nofailover") {
        return ("no: nofailover tag".into(), "bad");
    }
    if m.tags.get("failover_priority").and_then(Value::as_i64) == Some(0) {
        return ("no: failover_priority 0".into(), "bad");
    }
    match m.lag_ok {
        Some(true) => ("within lag limit".into(), "ok"),
        Some(false) => (format!("no: lag over {}", human_bytes(max_lag)), "bad"),
        None => ("lag unknown".into(), "warn"),
    }
}

/// The scheduled restart's time and the conditions Patroni stored with it.
fn scheduled_restart(m: &Member) -> String {
    let Some(at) = &m.scheduled_restart else {
        return String::new();
    };
    if m.scheduled_restart_conditions.is_empty() {
        at.clone()
    } else {
        format!("{at} ({})", m.scheduled_restart_conditions.join(", "))
    }
}

/// Tags as `name=value`, Patroni's own first.
fn tags_text(m: &Member) -> String {
    let show = |k: &str, v: &Value| match v {
        Value::Bool(true) => k.to_owned(),
        Value::String(s) => format!("{k}={s}"),
        other => format!("{k}={other}"),
    };
    let known = KNOWN_TAGS
        .iter()
        .filter_map(|k| m.tags.get(*k).map(|v| show(k, v)));
    let rest = m
        .tags
        .iter()
        .filter(|(k, _)| !KNOWN_TAGS.contains(&k.as_str()))
        .map(|(k, v)| show(k, v));
    known.chain(rest).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(tags: Value) -> Member {
        let mut m = Member {
            lag_ok: Some(true),
            ..Member::default()
        };
        if let Value::Object(t) = tags {
            m.tags = t.into_iter().collect();
        }
        m
    }

    #[test]
    fn patronis_tags_come_first_and_priority_zero_never_takes_over() {
        let m = tagged(serde_json::json!({
            "zone": "b", "nostream": true, "sync_priority": 0, "failover_priority": 0
        }));
        assert_eq!(
            tags_text(&m),
            "failover_priority=0 sync_priority=0 nostream zone=b"
        );
        assert_eq!(
            failover_cell(&m, 1, false),
            ("no: failover_priority 0".into(), "bad")
        );
        let m = tagged(serde_json::json!({"failover_priority": 2}));
        assert_eq!(
            failover_cell(&m, 1, false),
            ("within lag limit".into(), "ok")
        );
    }
}
