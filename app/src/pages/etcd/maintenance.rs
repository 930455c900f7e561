//! Dialogs that keep the cluster in shape: defragment (all members or
//! one), disarm alarms, move the raft leader.

use leptos::prelude::*;
use serde_json::json;

use super::admin::EtcdAction;
use super::dialog::EtcdDialog;
use super::fetch::Call;
use super::pick::{choices, chosen, MemberSelect};
use crate::etcd_cluster::{EtcdMember, EtcdStatus};

/// Defragment every member (confirmed by `etcd`) or one (by its name).
#[component]
pub fn DefragmentDialog(
    status: Signal<Option<EtcdStatus>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let call = Call::default();
    let picked = RwSignal::new(None::<String>);
    let members = choices(status, |m| (!m.healthy).then_some("not healthy"));
    // `None`: all of them.
    let one = Memo::new(move |_| {
        let p = picked.get();
        members.with(|cs| {
            cs.iter()
                .find(|c| Some(&c.id) == p.as_ref() && c.why_not.is_none())
                .cloned()
        })
    });
    let word = Signal::derive(move || one.get().map_or_else(|| "etcd".to_owned(), |c| c.label));
    let on_send = Callback::new(move |confirm: String| {
        let body = match one.get_untracked() {
            Some(c) => json!({ "member": c.id, "confirm": confirm }),
            None => json!({ "confirm": confirm }),
        };
        call.send("POST", "/api/v1/etcd/defragment".into(), Some(body));
    });
    let current = Signal::derive(move || one.get().map(|c| c.id));
    view! {
        <EtcdDialog action=EtcdAction::Defragment word call status on_send on_close>
            <MemberSelect label="Members" choices=members current picked
                empty="All members: followers first, the leader last" />
        </EtcdDialog>
    }
}

/// Disarm every active alarm.
#[component]
pub fn DisarmDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let alarms = move || {
        status.with(|s| {
            let Some(s) = s else { return Vec::new() };
            s.alarms
                .iter()
                .map(|a| {
                    let on = s
                        .members
                        .iter()
                        .find(|m| m.id == a.member_id)
                        .map_or(a.member_id.as_str(), EtcdMember::label);
                    format!("{} on {on}", a.alarm)
                })
                .collect::<Vec<_>>()
        })
    };
    let on_send = Callback::new(move |confirm: String| {
        let body = json!({ "confirm": confirm });
        call.send("POST", "/api/v1/etcd/alarms/disarm".into(), Some(body));
    });
    view! {
        <EtcdDialog action=EtcdAction::Disarm word="etcd".to_owned()
            call status on_send on_close>
            <div class="field">
                <span>"Active alarms"</span>
                <ul class="etcd-alarm-list" data-testid="alarm-list">
                    {move || {
                        let list = alarms();
                        if list.is_empty() {
                            view! { <li class="muted">"none right now"</li> }.into_any()
                        } else {
                            list.into_iter().map(|a| view! { <li>{a}</li> }).collect_view().into_any()
                        }
                    }}
                </ul>
            </div>
        </EtcdDialog>
    }
}

/// Why `m` cannot take the raft leadership.
fn cannot_lead(m: &EtcdMember) -> Option<&'static str> {
    if m.is_leader {
        Some("leads already")
    } else if m.is_learner {
        Some("a learner cannot lead")
    } else if !m.healthy {
        Some("not healthy")
    } else {
        None
    }
}

/// Hand the leadership to a chosen voting member (confirmed by its name).
#[component]
pub fn MoveLeaderDialog(
    status: Signal<Option<EtcdStatus>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let call = Call::default();
    let picked = RwSignal::new(None::<String>);
    let members = choices(status, cannot_lead);
    let to = chosen(members, picked);
    let word = Signal::derive(move || to.get().map(|c| c.label).unwrap_or_default());
    let blocker = Signal::derive(move || {
        to.get()
            .is_none()
            .then(|| "No other healthy voting member can lead.".to_owned())
    });
    let on_send = Callback::new(move |confirm: String| {
        let Some(to) = to.get_untracked() else { return };
        let body = json!({ "to": to.id, "confirm": confirm });
        call.send("POST", "/api/v1/etcd/move-leader".into(), Some(body));
    });
    let current = Signal::derive(move || to.get().map(|c| c.id));
    view! {
        <EtcdDialog action=EtcdAction::MoveLeader word blocker call status on_send on_close>
            <MemberSelect label="New leader" choices=members current picked />
        </EtcdDialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd_cluster::tests::member;

    #[test]
    fn only_a_healthy_voting_follower_may_lead() {
        let mut leader = member("etcd1", "a", true, false);
        leader.is_leader = true;
        assert_eq!(cannot_lead(&leader), Some("leads already"));
        let follower = member("etcd2", "b", true, false);
        assert_eq!(cannot_lead(&follower), None);
        let learner = member("etcd4", "d", true, true);
        assert_eq!(cannot_lead(&learner), Some("a learner cannot lead"));
        let down = member("etcd3", "c", false, false);
        assert_eq!(cannot_lead(&down), Some("not healthy"));
    }
}
