//! The defragmentation dialog: all members, followers first and the
//! leader last, or one.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Call, Done};
use super::dialog::EtcdDialog;
use super::pick::{choices, MemberSelect};
use crate::etcd::defragment::DefragRequest;
use crate::etcd::EtcdStatus;

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
        let request = DefragRequest {
            member: one.get_untracked().map(|c| c.id),
            confirm,
        };
        call.send("POST", "/defragment".into(), request, Done::Defragmented);
    });
    let current = Signal::derive(move || one.get().map(|c| c.id));
    view! {
        <EtcdDialog action=EtcdAction::Defragment word call status on_send on_close>
            <MemberSelect label="Members" choices=members current picked
                empty="All members: followers first, the leader last" />
        </EtcdDialog>
    }
}
