//! The admin half of the etcd page: snapshot, compaction, defragmentation,
//! alarms, the raft leader and the membership, each behind a dialog that
//! wants a word typed. Only a signed-in admin sees it (under `--read-only`
//! a note says why not); the routes check again on every call.

use leptos::prelude::*;

use super::compact::CompactDialog;
use super::kept::KeptSnapshots;
use super::maintenance::{DefragmentDialog, DisarmDialog, MoveLeaderDialog};
use super::membership::{AddLearnerDialog, PromoteDialog, RemoveDialog};
use super::snapshot::SnapshotDialog;
use crate::auth::access::use_access;
use crate::etcd_cluster::EtcdStatus;

/// An action the panel offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtcdAction {
    Snapshot,
    Compact,
    Defragment,
    Disarm,
    MoveLeader,
    Promote,
    AddLearner,
    Remove,
}

impl EtcdAction {
    /// The dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => "Snapshot",
            EtcdAction::Compact => "Compact",
            EtcdAction::Defragment => "Defragment",
            EtcdAction::Disarm => "Disarm alarms",
            EtcdAction::MoveLeader => "Move the leader",
            EtcdAction::Promote => "Promote a learner",
            EtcdAction::AddLearner => "Add a learner",
            EtcdAction::Remove => "Remove a member",
        }
    }

    /// The submit button's words.
    pub fn button(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => "Download snapshot",
            EtcdAction::Compact => "Compact",
            EtcdAction::Defragment => "Defragment",
            EtcdAction::Disarm => "Disarm",
            EtcdAction::MoveLeader => "Move leader",
            EtcdAction::Promote => "Promote",
            EtcdAction::AddLearner => "Add learner",
            EtcdAction::Remove => "Remove member",
        }
    }

    /// A stable name for tests (`data-action`, `etcd-action-<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => "snapshot",
            EtcdAction::Compact => "compact",
            EtcdAction::Defragment => "defragment",
            EtcdAction::Disarm => "disarm",
            EtcdAction::MoveLeader => "move-leader",
            EtcdAction::Promote => "promote",
            EtcdAction::AddLearner => "add-learner",
            EtcdAction::Remove => "remove",
        }
    }

    /// What it does, in a sentence or two.
    pub fn summary(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => {
                "Streams a consistent copy of etcd's database from the leader to a file \
                 your browser saves (etcdctl snapshot restore reads it)."
            }
            EtcdAction::Compact => {
                "Discards the history of every key before a revision. Older versions are gone \
                 for good: the keyspace browser and watches cannot reach them afterwards."
            }
            EtcdAction::Defragment => {
                "Gives the space freed by compaction back to the file system. A member is \
                 busy while defragmenting; all members go one at a time, the leader last."
            }
            EtcdAction::Disarm => {
                "Clears etcd's alarms. Free space first (compact, defragment) or a NOSPACE \
                 alarm comes straight back."
            }
            EtcdAction::MoveLeader => {
                "Hands raft leadership to another voting member. Requests pause briefly \
                 while the leader changes."
            }
            EtcdAction::Promote => {
                "Makes a learner a voting member. etcd refuses until the learner has caught \
                 up with the leader's log."
            }
            EtcdAction::AddLearner => {
                "Adds a member that receives the log but does not vote. You start it with \
                 the settings shown next, then promote it."
            }
            EtcdAction::Remove => {
                "Removes a member from the cluster for good; it must not be started again \
                 with its data."
            }
        }
    }
}

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
