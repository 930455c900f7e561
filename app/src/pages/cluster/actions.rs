//! The admin panel on the cluster page: one button per guarded action,
//! each opening a confirmation dialog. Only a signed-in admin, with Patrol
//! not `--read-only`, sees it; the server checks again on every call.

use leptos::prelude::*;

use super::action_dialog::ActionDialog;
use super::action_kind::ActionKind;
use super::config_dialog::ConfigDialog;
use super::flush_dialog::FlushDialog;
use crate::auth::access::use_access;
use crate::patroni::{Cluster, Role};

/// The panel, for admins only (nothing at all for a viewer).
#[component]
pub fn ActionPanel(cluster: Memo<Cluster>) -> impl IntoView {
    let access = use_access();
    view! {
        <Transition fallback=|| ()>
            {move || access.can_act().then(|| view! { <Panel cluster /> })}
        </Transition>
    }
}

#[component]
fn Panel(cluster: Memo<Cluster>) -> impl IntoView {
    let open = RwSignal::new(None::<ActionKind>);
    let flushing = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let picked = RwSignal::new(None::<String>);
    // The picked member, else the first replica, else the first member.
    let member = Memo::new(move |_| {
        cluster.with(|c| {
            let names = || c.members.iter().map(|m| &m.name);
            picked
                .get()
                .filter(|p| names().any(|n| n == p))
                .or_else(|| {
                    let replica = c
                        .members
                        .iter()
                        .find(|m| c.leader.as_ref() != Some(&m.name));
                    replica.or(c.members.first()).map(|m| m.name.clone())
                })
        })
    });
    let member_is_leader = move || {
        cluster.with(|c| {
            c.members
                .iter()
                .find(|m| Some(&m.name) == member.get().as_ref())
                .is_some_and(|m| matches!(m.role, Role::Leader | Role::StandbyLeader))
        })
    };
    let button = move |kind: ActionKind, testid: &'static str, label: &'static str| {
        view! {
            <button type="button" data-testid=testid on:click=move |_| open.set(Some(kind.clone()))>
                {label}
            </button>
        }
    };
    let member_button = move |make: fn(String) -> ActionKind,
                              testid: &'static str,
                              label: &'static str| {
        view! {
            <button type="button" data-testid=testid
                disabled=move || member.get().is_none() || (testid == "action-reinitialize" && member_is_leader())
                title=move || (testid == "action-reinitialize" && member_is_leader())
                    .then_some("Only a replica can be reinitialized")
                on:click=move |_| open.set(member.get_untracked().map(make))>
                {label}
            </button>
        }
    };
    let dialog = move || {
        open.get().map(|kind| {
            let close = Callback::new(move |_: ()| open.set(None));
            view! { <ActionDialog kind cluster=cluster.into() on_close=close /> }
        })
    };
    let flush_dialog = move || {
        flushing.get().then(|| {
            let close = Callback::new(move |_: ()| flushing.set(false));
            view! { <FlushDialog cluster=cluster.into() on_close=close /> }
        })
    };
    let config_dialog = move || {
        editing.get().then(|| {
            let close = Callback::new(move |_: ()| editing.set(false));
            view! { <ConfigDialog cluster=cluster.into() on_close=close /> }
        })
    };
    view! {
        <section class="card admin-actions" data-testid="admin-actions">
            <h2>"Admin actions"</h2>
            <div class="action-row">
                <span class="action-group-label">"Cluster"</span>
                {button(ActionKind::Switchover, "action-switchover", "Switchover…")}
                {button(ActionKind::Failover, "action-failover", "Failover…")}
                // A standby cluster is promoted; any other is demoted to one.
                {move || if cluster.with(|c| c.standby_cluster) {
                    button(ActionKind::PromoteCluster, "action-promote-cluster", "Promote cluster…").into_any()
                } else {
                    button(ActionKind::DemoteCluster, "action-demote-cluster", "Demote to standby…").into_any()
                }}
                {move || if cluster.with(|c| c.paused) {
                    button(ActionKind::Resume, "action-resume", "Resume…").into_any()
                } else {
                    button(ActionKind::Pause, "action-pause", "Pause…").into_any()
                }}
                {move || cluster.with(|c| c.scheduled_switchover.is_some()).then(|| {
                    button(ActionKind::CancelSwitchover, "action-cancel-switchover", "Cancel scheduled switchover…")
                })}
                <button type="button" data-testid="action-flush" on:click=move |_| flushing.set(true)>
                    "Flush scheduled…"
                </button>
                <button type="button" data-testid="action-edit-config" on:click=move |_| editing.set(true)>
                    "Edit configuration…"
                </button>
            </div>
            <div class="action-row">
                <label class="action-group-label" for="action-member">"Member"</label>
                <select id="action-member" data-testid="member-select"
                    on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                    {move || cluster.with(|c| c.members.iter().map(|m| {
                        let name = m.name.clone();
                        let selected = member.get().as_ref() == Some(&name);
                        let label = format!("{name} ({})", m.role.as_str().replace('_', " "));
                        view! { <option value=name selected=selected>{label}</option> }
                    }).collect_view())}
                </select>
                {member_button(ActionKind::Restart, "action-restart", "Restart…")}
                {member_button(ActionKind::Reinitialize, "action-reinitialize", "Reinitialize…")}
                {member_button(ActionKind::Reload, "action-reload", "Reload…")}
            </div>
        </section>
        {dialog}
        {flush_dialog}
        {config_dialog}
    }
}
