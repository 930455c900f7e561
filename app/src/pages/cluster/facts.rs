//! Cluster facts: banners for pause and pending switchovers, the facts
//! list, the timeline history and the dynamic configuration.

use leptos::prelude::*;

use crate::components::layout::Table;
use crate::keyspace::value::{render, Rendered};
use crate::patroni::lag::{human_bytes, lsn_text};
use crate::patroni::{Cluster, PendingSwitchover, SyncMode, TimelineSwitch};

/// Banners a DBA must not miss: maintenance mode, a pending switchover,
/// no leader.
#[component]
pub fn Banners(cluster: Cluster) -> impl IntoView {
    let no_leader = cluster.leader.is_none().then(|| view! {
        <div class="banner bad" role="alert" data-testid="no-leader">
            <strong>"No leader. "</strong>
            "No member holds the leader key: the cluster is not accepting writes until Patroni elects one."
        </div>
    });
    let paused = cluster.paused.then(|| view! {
        <div class="banner warn" role="status" data-testid="paused-banner">
            <strong>"Maintenance mode (paused). "</strong>
            "Patroni will not fail over or restart PostgreSQL by itself until the cluster is resumed."
        </div>
    });
    let pending = cluster.scheduled_switchover.map(|p| {
        let PendingSwitchover { from, to, scheduled_at } = p;
        let when = scheduled_at.map_or_else(|| "as soon as possible".to_owned(), |t| format!("at {t}"));
        let text = format!(
            "Switchover pending: {} → {}, {when}.",
            from.unwrap_or_else(|| "current leader".into()),
            to.unwrap_or_else(|| "Patroni's choice".into())
        );
        view! { <div class="banner warn" role="status" data-testid="switchover-banner">{text}</div> }
    });
    let warnings = (!cluster.warnings.is_empty()).then(|| view! {
        <div class="banner warn" data-testid="warnings">
            <strong>"Some keys could not be read fully:"</strong>
            <ul>{cluster.warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
        </div>
    });
    view! { {no_leader} {paused} {pending} {warnings} }
}

/// "on: b", or in quorum mode "quorum 1 of b, c (synchronous_node_count 1)".
fn sync_text(cluster: &Cluster) -> String {
    let names = cluster.sync_standbys.join(", ");
    let count = cluster
        .synchronous_node_count
        .map(|n| format!(" (synchronous_node_count {n})"))
        .unwrap_or_default();
    match (cluster.sync_mode, names.is_empty()) {
        (SyncMode::Off, _) => "off".to_owned(),
        (SyncMode::On, true) => format!("on (no sync standby){count}"),
        (SyncMode::On, false) => format!("on: {names}{count}"),
        (SyncMode::Quorum, true) => format!("quorum (no voters yet){count}"),
        (SyncMode::Quorum, false) => match cluster.sync_quorum {
            Some(q) => format!("quorum {q} of {names}{count}"),
            None => format!("quorum: {names}{count}"),
        },
    }
}

/// The facts list.
#[component]
pub fn Facts(cluster: Cluster) -> impl IntoView {
    let yes_no = |b: bool| if b { "on" } else { "off" };
    let sync = sync_text(&cluster);
    let failsafe = if cluster.failsafe_mode && !cluster.failsafe_members.is_empty() {
        format!("on: {}", cluster.failsafe_members.join(", "))
    } else {
        yes_no(cluster.failsafe_mode).to_owned()
    };
    let dash = || "–".to_owned();
    view! {
        <dl class="facts meta" data-testid="facts">
            <dt>"Leader"</dt>
            <dd data-testid="leader" class:bad=cluster.leader.is_none()>{cluster.leader.clone().unwrap_or_else(|| "none".into())}</dd>
            <dt>"Timeline"</dt>
            <dd data-testid="timeline">{cluster.timeline.map_or_else(dash, |t| t.to_string())}</dd>
            <dt>"Leader WAL position"</dt>
            <dd>{cluster.leader_lsn.map_or_else(dash, lsn_text)}</dd>
            <dt>"Failover lag limit"</dt>
            <dd>{human_bytes(cluster.maximum_lag_on_failover)}</dd>
            <dt>"Synchronous mode"</dt>
            <dd data-testid="sync">{sync}</dd>
            <dt>"Failsafe mode"</dt>
            <dd data-testid="failsafe">{failsafe}</dd>
            <dt>"Standby cluster"</dt>
            <dd data-testid="standby-cluster">{yes_no(cluster.standby_cluster)}</dd>
            {cluster.standby_source.map(|s| view! {
                <dt>"Follows"</dt>
                <dd data-testid="standby-source">{s.address().unwrap_or_else(|| "no host or port".into())}</dd>
                {s.primary_slot_name.map(|slot| view! {
                    <dt>"Slot on the source"</dt>
                    <dd data-testid="standby-slot"><code>{slot}</code></dd>
                })}
                {s.restore_command.map(|cmd| view! {
                    <dt>"Restore command"</dt>
                    <dd data-testid="standby-restore" class="wrap"><code>{cmd}</code></dd>
                })}
            })}
            <dt>"System identifier"</dt>
            <dd data-testid="system-id">{cluster.system_identifier.unwrap_or_else(dash)}</dd>
        </dl>
    }
}

/// `history` as a table, newest first.
#[component]
pub fn TimelineHistory(history: Vec<TimelineSwitch>) -> impl IntoView {
    if history.is_empty() {
        return view! { <p class="muted" data-testid="timeline-history">"No timeline switches recorded."</p> }.into_any();
    }
    let rows = history
        .into_iter()
        .rev()
        .map(|h| {
            view! {
                <tr data-testid="history-row">
                    <td>{h.timeline}</td>
                    <td><code>{h.lsn.map(lsn_text).unwrap_or_default()}</code></td>
                    <td class="wrap">{h.reason.unwrap_or_default()}</td>
                    <td>{h.time.unwrap_or_else(|| "(not recorded)".into())}</td>
                    <td>{h.new_leader.unwrap_or_else(|| "(not recorded)".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table testid="timeline-history" columns=&[
            "Timeline", "Ended at LSN", "Reason", "Time", "New leader"
        ]>
            {rows}
        </Table>
    }
    .into_any()
}

/// The dynamic configuration, pretty and highlighted.
#[component]
pub fn ConfigView(config: serde_json::Value) -> impl IntoView {
    if config.is_null() {
        return view! { <p class="muted">"No config key."</p> }.into_any();
    }
    let text = config.to_string();
    match render(text.as_bytes()) {
        Rendered::Json(tokens) => view! {
            <pre class="value json" data-testid="config">
                {tokens.into_iter().map(|(tok, text)| view! { <span class=tok.class()>{text}</span> }).collect_view()}
            </pre>
        }
        .into_any(),
        _ => view! { <pre class="value" data-testid="config">{text}</pre> }.into_any(),
    }
}
