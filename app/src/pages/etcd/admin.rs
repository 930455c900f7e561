//! The admin half of the etcd page: snapshot, compaction, defragmentation,
//! alarms, the raft leader and the membership, each behind a dialog that
//! wants a word typed. Only a signed-in admin sees it (under `--read-only`
//! a note says why not); the routes check again on every call.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::alarm::DisarmDialog;
use super::compact::CompactDialog;
use super::defragment::DefragmentDialog;
use super::kept::KeptSnapshots;
use super::leader::MoveLeaderDialog;
use super::membership::{AddLearnerDialog, PromoteDialog, RemoveDialog};
use super::snapshot::SnapshotDialog;
use crate::auth::access::use_access;
use crate::etcd::EtcdStatus;

/// The panel for a signed-in admin; a note under `--read-only`; nothing
/// for a viewer. `status` is the page's latest reading.
#[component]
pub fn EtcdAdmin(status: Signal<Option<EtcdStatus>>) -> impl IntoView {
    let access = use_access();
    view! {
        <Transition fallback=|| ()>
            {move || match access.get() {
                Some(a) if a.admin.is_some() && a.read_only => view! {
                    <p class="banner warn" data-testid="etcd-read-only">
                        "Patrol runs with --read-only: etcd admin actions are off."
                    </p>
                }.into_any(),
                Some(a) if a.admin.is_some() => view! { <Panel status /> }.into_any(),
                _ => ().into_any(),
            }}
        </Transition>
    }
}

#[component]
fn Panel(status: Signal<Option<EtcdStatus>>) -> impl IntoView {
    let open = RwSignal::new(None::<EtcdAction>);
    // Closing a dialog reads the kept snapshots again.
    let closed = RwSignal::new(0u32);
    let alarmed = move || status.with(|s| s.as_ref().is_some_and(|s| !s.alarms.is_empty()));
    let learners = move || {
        status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.members.iter().any(|m| m.is_learner))
        })
    };
    let button = move |action: EtcdAction, label: &'static str| {
        view! {
            <button type="button" data-testid=format!("etcd-action-{}", action.slug())
                on:click=move |_| open.set(Some(action))>
                {label}
            </button>
        }
    };
    let dialog = move || {
        let action = open.get()?;
        let on_close = Callback::new(move |_: ()| {
            open.set(None);
            closed.update(|n| *n += 1);
        });
        Some(match action {
            EtcdAction::Snapshot => view! { <SnapshotDialog status on_close /> }.into_any(),
            EtcdAction::Compact => view! { <CompactDialog status on_close /> }.into_any(),
            EtcdAction::Defragment => view! { <DefragmentDialog status on_close /> }.into_any(),
            EtcdAction::Disarm => view! { <DisarmDialog status on_close /> }.into_any(),
            EtcdAction::MoveLeader => view! { <MoveLeaderDialog status on_close /> }.into_any(),
            EtcdAction::Promote => view! { <PromoteDialog status on_close /> }.into_any(),
            EtcdAction::AddLearner => view! { <AddLearnerDialog status on_close /> }.into_any(),
            EtcdAction::Remove => view! { <RemoveDialog status on_close /> }.into_any(),
        })
    };
    view! {
        <section class="card admin-actions etcd-admin" data-testid="etcd-admin">
            <h2>"Admin actions"</h2>
            <div class="action-row">
                <span class="action-group-label">"Data"</span>
                {button(EtcdAction::Snapshot, "Snapshot…")}
                {button(EtcdAction::Compact, "Compact…")}
                {button(EtcdAction::Defragment, "Defragment…")}
                {move || alarmed().then(|| button(EtcdAction::Disarm, "Disarm alarms…"))}
            </div>
            <div class="action-row">
                <span class="action-group-label">"Members"</span>
                {button(EtcdAction::MoveLeader, "Move leader…")}
                {move || learners().then(|| button(EtcdAction::Promote, "Promote learner…"))}
                {button(EtcdAction::AddLearner, "Add learner…")}
                {button(EtcdAction::Remove, "Remove member…")}
            </div>
            <KeptSnapshots reload=closed.into() />
        </section>
        {dialog}
    }
}
