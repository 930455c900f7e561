//! The confirmation dialog for one admin action: the preflight (for a
//! switchover or failover), the options, the typed confirmation, then
//! Patroni's answer and the follow-through in etcd.

use leptos::prelude::*;

use super::action_call::{call, Call, OptionFields, Options};
use super::action_kind::ActionKind;
use super::follow_through::Recorder;
use super::outcome::{summary, OutcomeView};
use super::preflight_view::PreflightView;
use crate::action::api::{
    demote_preflight, failover_preflight, promote_preflight, switchover_preflight,
};
use crate::action::ActionOutcome;
use crate::components::dialog::{ConfirmForm, Modal};
use crate::components::loaded::in_words;
use crate::error::AppError;
use crate::patroni::Cluster;

/// The dialog for `kind` on `cluster`; `on_close` removes it.
#[component]
pub fn ActionDialog(
    kind: ActionKind,
    cluster: Signal<Cluster>,
    on_close: Callback<()>,
) -> impl IntoView {
    let (namespace, scope, group) = cluster.with_untracked(|c| c.id());
    let word = kind.confirm_word(&scope);
    let needs_preflight = matches!(
        kind,
        ActionKind::Switchover
            | ActionKind::Failover
            | ActionKind::DemoteCluster
            | ActionKind::PromoteCluster
    );
    let preflight = {
        let (kind, ns, sc) = (kind.clone(), namespace.clone(), scope.clone());
        Action::new(move |_: &()| {
            let (kind, ns, sc) = (kind.clone(), ns.clone(), sc.clone());
            async move {
                match kind {
                    ActionKind::Failover => failover_preflight(ns, sc, group).await,
                    ActionKind::DemoteCluster => demote_preflight(ns, sc, group).await,
                    ActionKind::PromoteCluster => promote_preflight(ns, sc, group).await,
                    _ => switchover_preflight(ns, sc, group).await,
                }
            }
        })
    };
    if needs_preflight {
        preflight.dispatch(());
    }
    let opts = Options::default();
    let may_choose = matches!(kind, ActionKind::Switchover);
    let confirm = RwSignal::new(String::new());
    let submit = Action::new(move |c: &Call| call(c.clone()));
    let recorder = Recorder::new(cluster);
    let loaded = move || preflight.value().get().and_then(Result::ok);
    let accepted = move || {
        matches!(
            submit.value().get(),
            Some(Ok(ActionOutcome { accepted: true, .. }))
        )
    };
    // What still keeps the submit button disabled, in words.
    let missing = {
        let (kind, word) = (kind.clone(), word.clone());
        move || {
            opts.missing(&kind, loaded().as_ref()).or_else(|| {
                (confirm.get() != word)
                    .then_some("Type the name above exactly to enable the button.")
            })
        }
    };
    let ready = {
        let missing = missing.clone();
        move || {
            missing().is_none()
                && !submit.pending().get()
                && !preflight.pending().get()
                && !accepted()
        }
    };
    let on_confirm = {
        let (kind, ns, sc) = (kind.clone(), namespace.clone(), scope.clone());
        Callback::new(move |()| {
            let revision = loaded().map(|p| p.revision);
            let target = (ns.clone(), sc.clone(), group);
            match opts.build(&kind, target, confirm.get_untracked(), revision) {
                Ok(c) => {
                    recorder.start();
                    submit.dispatch(c);
                }
                Err(e) => submit.value().set(Some(Err(AppError::Invalid(e)))),
            }
        })
    };
    let rerun = move |_| {
        submit.value().set(None);
        preflight.value().set(None);
        preflight.dispatch(());
    };
    let preflight_part = move || {
        if !needs_preflight {
            return None;
        }
        Some(match preflight.value().get() {
            None => view! { <p class="muted" data-testid="preflight-loading">"Running the preflight checks…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <div class="banner bad" role="alert" data-testid="preflight-error">{e.to_string()}</div>
                <button type="button" on:click=rerun>"Try again"</button>
            }.into_any(),
            Some(Ok(p)) => view! {
                <PreflightView preflight=p chosen=opts.candidate patroni_may_choose=may_choose />
            }.into_any(),
        })
    };
    let result = move || match submit.value().get() {
        None => submit.pending().get().then(|| {
            view! {
                <p class="muted" data-testid="action-pending">"Asking Patroni…"</p>
            }
            .into_any()
        }),
        Some(Ok(outcome)) => Some(view! { <OutcomeView outcome recorder /> }.into_any()),
        Some(Err(e)) => {
            let conflict = matches!(e, AppError::Conflict(_)) && needs_preflight;
            let words = match &e {
                // The request may have been carried out all the same.
                AppError::Transport(_) => format!(
                    "{} The action may still have reached Patroni: check the member table \
                     and the audit log before trying again.",
                    in_words(&e)
                ),
                _ => e.to_string(),
            };
            Some(view! {
                <div class="banner bad" role="alert" data-testid="action-error">{words}</div>
                {conflict.then(|| view! {
                    <button type="button" data-testid="rerun-preflight" on:click=rerun>"Run the preflight again"</button>
                })}
            }.into_any())
        }
    };
    let title = format!("{} · {scope}", kind.title());
    let missing = Signal::derive(move || missing().map(str::to_owned));
    let button = kind.title();
    view! {
        <Modal title slug=kind.slug() on_close>
            <p class="summary">{summary(&kind)}</p>
            // Once Patroni accepted, only the outcome matters.
            <ConfirmForm done=Signal::derive(accepted) word=word.clone() confirm missing
                ready=Signal::derive(ready) button on_confirm result on_close
                fields={
                    let kind = kind.clone();
                    move || view! { <OptionFields kind=kind.clone() opts /> }
                }>
                {preflight_part}
            </ConfirmForm>
        </Modal>
    }
}
