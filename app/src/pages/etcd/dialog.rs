//! The dialog every etcd admin action opens: what it does, its options,
//! the word to type before the button enables, then etcd's answer.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::answer::AnswerView;
use super::call::Call;
use crate::components::dialog::{DoneButton, Modal, TypedConfirm};
use crate::etcd::EtcdStatus;

/// A form the browser posts itself (the snapshot download): the route and
/// the frame its answer loads in.
#[derive(Debug, Clone)]
pub struct NativePost {
    pub action: String,
    pub target: &'static str,
}

/// The dialog for `action`. `children` are its options; `on_send` gets the
/// typed confirmation once it matches `word` and nothing in `blocker`
/// remains. With `native`, the form is posted by the browser instead.
#[component]
pub fn EtcdDialog(
    action: EtcdAction,
    #[prop(into)] word: Signal<String>,
    #[prop(optional, into)] blocker: Signal<Option<String>>,
    call: Call,
    status: Signal<Option<EtcdStatus>>,
    #[prop(optional)] on_send: Option<Callback<String>>,
    #[prop(optional)] native: Option<NativePost>,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let confirm = RwSignal::new(String::new());
    let accepted = move || call.accepted().is_some();
    // What still keeps the button disabled, in words.
    let missing = move || {
        blocker.get().or_else(|| {
            (confirm.get() != word.get())
                .then(|| "Type the word above exactly to enable the button.".to_owned())
        })
    };
    let ready = move || missing().is_none() && !call.pending.get() && !accepted();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if !ready() {
            ev.prevent_default();
            return;
        }
        match on_send {
            Some(send) => {
                ev.prevent_default();
                send.run(confirm.get_untracked());
            }
            // The browser posts the form; the dialog says what happens next.
            None => call.pending.set(true),
        }
    };
    let native = native.map(|n| (n.action, n.target));
    let pending_text = if native.is_some() {
        "Your browser is saving the snapshot as etcd streams it (see its downloads). \
         The audit log records its size and SHA-256 once it ends."
    } else {
        "Asking etcd…"
    };
    let result = move || match call.answer.get() {
        Some(answer) => Some(view! { <AnswerView action answer status /> }.into_any()),
        None => call.pending.get().then(|| {
            view! { <p class="muted" data-testid="action-pending">{pending_text}</p> }.into_any()
        }),
    };
    let title = format!("{} · etcd", action.title());
    let missing = Signal::derive(missing);
    view! {
        <Modal title slug=action.slug() class="etcd-dialog" on_close>
            <p class="summary">{action.summary()}</p>
            <crate::components::dialog::ConfirmEtcd />
            <div class="dialog-body" hidden=accepted>
                <form class="dialog-form" on:submit=on_submit
                    method=native.as_ref().map(|_| "post") action=native.as_ref().map(|n| n.0.clone())
                    target=native.as_ref().map(|n| n.1)>
                    {children()}
                    <TypedConfirm word confirm missing ready button=action.button() on_close />
                </form>
            </div>
            <div aria-live="polite">{result}</div>
            <DoneButton shown=Signal::derive(accepted) on_close />
        </Modal>
    }
}
