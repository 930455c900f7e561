//! One request a dialog sends, and what came back, typed by the action.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::client::{send, Reply};
use crate::etcd::compact::Compacted;
use crate::etcd::defragment::DefragReport;
use crate::etcd::leader::LeaderMoved;
use crate::etcd::membership::MemberAdded;
use crate::etcd::wire::{Audited, API};
use crate::etcd::{EtcdAlarms, EtcdMembers};

/// What an etcd action answered, by action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Done {
    Compacted(Compacted),
    Defragmented(DefragReport),
    Disarmed(EtcdAlarms),
    LeaderMoved(LeaderMoved),
    LearnerAdded(MemberAdded),
    /// The membership after a promotion or a removal.
    Members(EtcdMembers),
}

/// A reply as the dialogs show it.
pub type Answer = Reply<Audited<Done>>;

/// One request a dialog sends: whether it is under way, and its answer.
#[derive(Clone, Copy)]
pub struct Call {
    pub pending: RwSignal<bool>,
    pub answer: RwSignal<Option<Answer>>,
}

impl Default for Call {
    fn default() -> Call {
        Call {
            pending: RwSignal::new(false),
            answer: RwSignal::new(None),
        }
    }
}

impl Call {
    /// Sends `method` to `path` (under `/api/v1/etcd`) with `body`; the
    /// answer, read as a `T` and made a [`Done`] by `done`, lands in
    /// `self.answer`.
    pub fn send<B, T>(self, method: &'static str, path: String, body: B, done: fn(T) -> Done)
    where
        B: Serialize + 'static,
        T: DeserializeOwned + 'static,
    {
        self.pending.set(true);
        self.answer.set(None);
        leptos::task::spawn_local(async move {
            let url = crate::fleet::api_here(&format!("{API}{path}"));
            let reply = send::<B, Audited<T>>(method, &url, Some(&body)).await;
            let answer = reply.map(|a| Audited {
                answer: done(a.answer),
                audit_seq: a.audit_seq,
            });
            self.answer.set(Some(answer));
            self.pending.set(false);
        });
    }

    /// The answer, when it is a success.
    pub fn accepted(self) -> Option<Answer> {
        self.answer.get().filter(Reply::ok)
    }
}
