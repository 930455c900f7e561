//! What came of an etcd action: etcd's answer in a line and in full, or
//! its refusal verbatim with the status code and what that code means.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Answer, Done};
use super::learner_env::LearnerEnv;
use crate::components::layout::Table;
use crate::etcd::defragment::DefragReport;
use crate::etcd::EtcdStatus;
use crate::patroni::lag::human_bytes;

/// The answer to `action`; `status` names members by their IDs.
#[component]
pub fn AnswerView(
    action: EtcdAction,
    answer: Answer,
    status: Signal<Option<EtcdStatus>>,
) -> impl IntoView {
    let accepted = answer.ok();
    let seq = answer.answer.as_ref().and_then(|a| a.audit_seq);
    let audit = seq.map(|seq| {
        view! {
            <p class="muted small" data-testid="audit-seq">
                "Written to the " <a href="/audit">"audit log"</a> " as record " {seq} "."
            </p>
        }
    });
    let code = match answer.status {
        0 => "no status".to_owned(),
        s => format!("HTTP {s}"),
    };
    let done = answer.answer.as_ref().map(|a| &a.answer);
    let detail = done.and_then(detail);
    let head = match (accepted, done) {
        (true, Some(done)) => {
            let line = status.with_untracked(|s| headline(action, done, s.as_ref()));
            let full = answer
                .answer
                .as_ref()
                .and_then(|a| serde_json::to_string_pretty(a).ok())
                .unwrap_or_default();
            view! {
                <p class="ok" data-testid="result-line">"✓ " {line}</p>
                {detail}
                <details class="patroni-answer">
                    <summary class="muted small">"etcd's answer: " {code}</summary>
                    <pre data-testid="etcd-body">{full}</pre>
                </details>
            }
            .into_any()
        }
        _ => view! {
            <p class="bad" data-testid="result-line">"✗ Refused: " {code}</p>
            <pre class="patroni-body" data-testid="etcd-error">{answer.error()}</pre>
            <p data-testid="result-explanation">{meaning(answer.status)}</p>
            {detail}
        }
        .into_any(),
    };
    view! {
        <div class="outcome" class:refused=!accepted data-testid="action-result"
            data-accepted=accepted.to_string() data-status=answer.status>
            {head}
            {audit}
        </div>
    }
}

/// The member with hex `id`, by name when the status knows it.
fn name(status: Option<&EtcdStatus>, id: &str) -> String {
    status.map_or(id, |s| s.label_of(id)).to_owned()
}

/// An accepted answer in one line.
fn headline(action: EtcdAction, done: &Done, status: Option<&EtcdStatus>) -> String {
    match done {
        Done::Compacted(c) => {
            let physical = if c.physical { ", space freed" } else { "" };
            format!(
                "Compacted: revisions before {} are gone{physical}.",
                c.revision
            )
        }
        Done::Defragmented(r) => {
            let freed: u64 = r.done.iter().map(|d| d.freed()).sum();
            let n = r.done.len();
            let s = if n == 1 { "" } else { "s" };
            format!(
                "Defragmented {n} member{s}, {} given back.",
                human_bytes(freed)
            )
        }
        Done::Disarmed(a) if !a.alarms.is_empty() => {
            let left: Vec<String> = a.alarms.iter().map(|a| a.alarm.clone()).collect();
            format!("Disarmed; still active: {}.", left.join(", "))
        }
        Done::Disarmed(_) => "Alarms disarmed; none is active.".to_owned(),
        Done::LeaderMoved(m) => {
            let (from, to) = (name(status, &m.from), name(status, &m.to));
            format!("Leadership moved from {from} to {to}.")
        }
        Done::LearnerAdded(m) => format!("Learner {} added with ID {}.", m.name, m.id),
        Done::Members(m) => {
            let names: Vec<String> = m
                .members
                .iter()
                .map(|m| match (m.name.as_str(), m.is_learner) {
                    ("", _) => format!("{} (not started)", m.id),
                    (n, true) => format!("{n} (learner)"),
                    (n, false) => n.to_owned(),
                })
                .collect();
            let verb = match action {
                EtcdAction::Promote => "Promoted",
                EtcdAction::Remove => "Removed",
                _ => "Done",
            };
            format!("{verb}. Members now: {}.", names.join(", "))
        }
    }
}

/// What an answer holds beyond its line: each member defragmented (also
/// when it stopped early), the new learner's settings.
fn detail(done: &Done) -> Option<AnyView> {
    match done {
        Done::Defragmented(report) if !report.done.is_empty() => {
            let report = report.clone();
            Some(view! { <DefragTable report /> }.into_any())
        }
        Done::LearnerAdded(m) if !m.env.is_empty() => {
            let env = m.env.clone();
            Some(view! { <LearnerEnv env /> }.into_any())
        }
        _ => None,
    }
}

#[component]
fn DefragTable(report: DefragReport) -> impl IntoView {
    let size = |b: Option<u64>| b.map_or_else(|| "–".to_owned(), human_bytes);
    let rows = report
        .done
        .into_iter()
        .map(|d| {
            let role = if d.was_leader { "leader" } else { "follower" };
            view! {
                <tr data-testid="defrag-row" data-member=d.name.clone() data-role=role>
                    <td>{d.name.clone()}</td>
                    <td>{role}</td>
                    <td>{size(d.db_size_before)}" → "{size(d.db_size_after)}</td>
                    <td>{took(d.took_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table class="defrag-report" testid="defrag-report" columns=&[
            "Member", "Was", "DB size", "Took"
        ]>
            {rows}
        </Table>
    }
}

/// "12 ms", "3.4 s".
fn took(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// What a status code means here, in words.
pub fn meaning(status: u16) -> &'static str {
    match status {
        0 => "Patrol did not answer; nothing is known to have happened.",
        400 => "Not accepted as sent: the confirmation or a value is wrong. Nothing was done.",
        401 => "Not signed in (any more): sign in again. Nothing was done.",
        403 => "Not allowed: Patrol is read-only, or the request did not come from this page.",
        404 => "No such member (any more).",
        409 => "etcd refused it as things are now, in its words above.",
        412 => "Refused before asking etcd, for the reason above.",
        503 => "etcd or the audit log is unavailable; without an audit log Patrol acts on nothing.",
        _ => "The action failed; the words above are etcd's or Patrol's.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    /// An answer as the route writes it, read as the page reads it.
    fn read<T: DeserializeOwned>(body: Value, done: fn(T) -> Done) -> Done {
        done(serde_json::from_value(body).expect("the route's answer reads"))
    }

    #[test]
    fn answers_read_as_one_line() {
        let body =
            json!({ "revision": 40, "previous": 3, "current_revision": 50, "physical": true });
        assert_eq!(
            headline(EtcdAction::Compact, &read(body, Done::Compacted), None),
            "Compacted: revisions before 40 are gone, space freed."
        );
        let body = json!({ "done": [
            { "member_id": "a", "name": "etcd2", "was_leader": false, "db_size_before": 4096, "db_size_after": 1024, "took_ms": 30 },
            { "member_id": "b", "name": "etcd1", "was_leader": true, "db_size_before": 2048, "db_size_after": null, "took_ms": 20 },
        ], "stopped": null, "audit_seq": 7 });
        assert_eq!(
            headline(
                EtcdAction::Defragment,
                &read(body, Done::Defragmented),
                None
            ),
            "Defragmented 2 members, 3.0 KiB given back."
        );
        let body = json!({ "from": "a1", "to": "b2" });
        assert_eq!(
            headline(EtcdAction::MoveLeader, &read(body, Done::LeaderMoved), None),
            "Leadership moved from a1 to b2."
        );
        let body = json!({ "cluster_id": "c", "members": [
            { "id": "a1", "name": "etcd1", "client_urls": [], "peer_urls": [], "is_learner": false },
            { "id": "d4", "name": "", "client_urls": [], "peer_urls": [], "is_learner": true },
        ] });
        assert_eq!(
            headline(EtcdAction::Remove, &read(body, Done::Members), None),
            "Removed. Members now: etcd1, d4 (not started)."
        );
        assert_eq!(
            headline(
                EtcdAction::Disarm,
                &read(json!({ "alarms": [] }), Done::Disarmed),
                None
            ),
            "Alarms disarmed; none is active."
        );
        assert!(meaning(412).starts_with("Refused before asking etcd"));
        assert_eq!(
            (took(12), took(3_450)),
            ("12 ms".to_owned(), "3.5 s".to_owned())
        );
    }
}
