//! The dialog that hands the raft leadership to another voting member.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Call, Done};
use super::dialog::EtcdDialog;
use super::pick::{choices, chosen, MemberSelect};
use crate::etcd::leader::MoveLeaderRequest;
use crate::etcd::{EtcdMember, EtcdStatus};

/// Hand the leadership to a chosen voting member (confirmed by its name).
#[component]
pub fn MoveLeaderDialog(
    status: Signal<Option<EtcdStatus>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let call = Call::default();
    let picked = RwSignal::new(None::<String>);
    let members = choices(status, EtcdMember::cannot_lead);
    let to = chosen(members, picked);
    let word = Signal::derive(move || to.get().map(|c| c.label).unwrap_or_default());
    let blocker = Signal::derive(move || {
        to.get()
            .is_none()
            .then(|| "No other healthy voting member can lead.".to_owned())
    });
    let on_send = Callback::new(move |confirm: String| {
        let Some(to) = to.get_untracked() else { return };
        let request = MoveLeaderRequest { to: to.id, confirm };
        call.send("POST", "/move-leader".into(), request, Done::LeaderMoved);
    });
    let current = Signal::derive(move || to.get().map(|c| c.id));
    view! {
        <EtcdDialog action=EtcdAction::MoveLeader word blocker call status on_send on_close>
            <MemberSelect label="New leader" choices=members current picked />
        </EtcdDialog>
    }
}
