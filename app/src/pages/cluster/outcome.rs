//! What came of an action: Patroni's answer, verbatim when it refused, and
//! the follow-through in etcd when it accepted.

use leptos::prelude::*;

use super::action_kind::ActionKind;
use super::follow_through::{FollowThrough, Recorder};
use crate::action::ActionOutcome;

/// Patroni's answer to the action, then the follow-through.
#[component]
pub fn OutcomeView(outcome: ActionOutcome, recorder: Recorder) -> impl IntoView {
    let ActionOutcome {
        accepted,
        status,
        body,
        explanation,
        via,
        expect,
        audit_seq,
        ..
    } = outcome;
    let status_text = status.map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
    let via = via.map(|v| format!(", from {v}")).unwrap_or_default();
    let audit = audit_seq.map(|seq| {
        view! {
            <p class="muted small" data-testid="audit-seq">
                "Written to the " <a href="/audit">"audit log"</a> " as record " {seq} "."
            </p>
        }
    });
    let head = if accepted {
        view! {
            <p class="ok" data-testid="result-line">"✓ " {explanation}</p>
            <details class="patroni-answer">
                <summary class="muted small">"Patroni's answer: " {status_text} {via}</summary>
                <pre data-testid="patroni-body">{body}</pre>
            </details>
        }
        .into_any()
    } else {
        view! {
            <p class="bad" data-testid="result-line">"✗ Patroni refused: " {status_text} {via}</p>
            <pre class="patroni-body" data-testid="patroni-body">{body}</pre>
            <p data-testid="result-explanation">{explanation}</p>
        }
        .into_any()
    };
    view! {
        <div class="outcome" class:refused=!accepted data-testid="action-result"
            data-accepted=accepted.to_string()>
            {head}
            {audit}
            {accepted.then(|| view! { <FollowThrough expect recorder /> })}
        </div>
    }
}

/// What the action does, in one or two sentences.
pub fn summary(kind: &ActionKind) -> &'static str {
    match kind {
        ActionKind::Switchover => {
            "Hands the leader role to a healthy replica in an orderly way (the leader \
             stops cleanly first). Optionally at a scheduled time."
        }
        ActionKind::Failover => {
            "Promotes the chosen replica even when there is no healthy leader. Use it \
             only when a switchover cannot run: unreplicated changes may be lost."
        }
        ActionKind::Pause => {
            "Puts the cluster in maintenance mode: Patroni stops automatic failover \
             and leaves PostgreSQL alone until resumed."
        }
        ActionKind::Resume => "Leaves maintenance mode: Patroni manages the cluster again.",
        ActionKind::CancelSwitchover => "Removes the pending scheduled switchover.",
        ActionKind::Restart(_) => {
            "Restarts PostgreSQL on this member through Patroni. Clients of that \
             member lose their connections."
        }
        ActionKind::Reinitialize(_) => {
            "Wipes this replica's data directory and copies it again from the leader. \
             It is unavailable until the copy ends."
        }
        ActionKind::DemoteCluster => {
            "Makes this cluster a standby cluster that follows the source named below \
             (Patroni 4.1's demote-cluster): the primary stops taking writes and \
             restarts as a standby leader."
        }
        ActionKind::PromoteCluster => {
            "Makes this standby cluster run on its own (Patroni 4.1's promote-cluster): \
             its standby leader stops following the source and takes writes."
        }
        ActionKind::Reload(_) => {
            "Asks Patroni to reload its configuration and PostgreSQL's (no restart)."
        }
    }
}
