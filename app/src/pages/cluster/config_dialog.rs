//! The configuration editor, as `patronictl edit-config`: the `config`
//! key as JSON to edit, a check that shows the diff, the errors and what
//! needs a restart, the typed confirmation, then Patroni's answer and the
//! new configuration seen in etcd.

use leptos::prelude::*;

use super::follow_through::Recorder;
use super::outcome::OutcomeView;
use crate::action::api::{edit_config, preview_config, read_config};
use crate::action::{ConfigPreview, EditConfigRequest};
use crate::components::dialog::{ConfirmForm, Modal};
use crate::components::diff::DiffLines;
use crate::error::AppError;
use crate::patroni::Cluster;

/// The editor for `cluster`'s dynamic configuration.
#[component]
pub fn ConfigDialog(cluster: Signal<Cluster>, on_close: Callback<()>) -> impl IntoView {
    let (namespace, scope, group) = cluster.with_untracked(|c| c.id());
    let draft = RwSignal::new(String::new());
    let load = {
        let (ns, sc) = (namespace.clone(), scope.clone());
        Action::new(move |_: &()| read_config(ns.clone(), sc.clone(), group))
    };
    load.dispatch(());
    // The editor starts from what etcd holds; a reload keeps the draft.
    Effect::new(move |_| {
        if let Some(Ok(v)) = load.value().get() {
            if draft.get_untracked().is_empty() {
                draft.set(v.text);
            }
        }
    });
    let check = {
        let (ns, sc) = (namespace.clone(), scope.clone());
        Action::new(move |text: &String| {
            let text = text.clone();
            let (ns, sc) = (ns.clone(), sc.clone());
            async move { (text.clone(), preview_config(ns, sc, group, text).await) }
        })
    };
    let submit = {
        let (ns, sc) = (namespace.clone(), scope.clone());
        Action::new(move |r: &EditConfigRequest| {
            edit_config(ns.clone(), sc.clone(), group, r.clone())
        })
    };
    let confirm = RwSignal::new(String::new());
    let recorder = Recorder::new(cluster);
    // The preview, while it still describes the draft.
    let checked = move || -> Option<ConfigPreview> {
        match check.value().get() {
            Some((text, Ok(p))) if text == draft.get() => Some(p),
            _ => None,
        }
    };
    let done = move || matches!(submit.value().get(), Some(Ok(_)));
    let missing = {
        let word = scope.clone();
        move || match checked() {
            None => Some("Check the changes first.".to_owned()),
            Some(p) if !p.blockers.is_empty() => Some(p.blockers.join("; ")),
            _ => (confirm.get() != word)
                .then(|| "Type the name above exactly to enable the button.".to_owned()),
        }
    };
    let ready = {
        let missing = missing.clone();
        move || missing().is_none() && !submit.pending().get() && !done()
    };
    let on_confirm = Callback::new(move |()| {
        if let Some(p) = checked() {
            recorder.start();
            submit.dispatch(EditConfigRequest {
                config: draft.get_untracked(),
                confirm: confirm.get_untracked(),
                revision: p.revision,
            });
        }
    });
    let editor = move || {
        match load.value().get() {
        None => view! { <p class="muted" data-testid="config-loading">"Reading the configuration…"</p> }.into_any(),
        Some(Err(e)) => view! { <div class="banner bad" role="alert" data-testid="config-error">{e.to_string()}</div> }.into_any(),
        Some(Ok(v)) => view! {
            <label class="field" for="config-text">
                <span>"The " <code>"config"</code> " key as JSON (revision " {v.revision} ")"</span>
                <textarea id="config-text" class="config-text" rows="18" spellcheck="false"
                    data-testid="config-text" prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            </label>
            <button type="button" data-testid="config-check" disabled=move || check.pending().get()
                on:click=move |_| { check.dispatch(draft.get_untracked()); }>
                "Check changes"
            </button>
        }.into_any(),
    }
    };
    let preview = move || {
        match check.value().get() {
        _ if check.pending().get() => Some(view! { <p class="muted">"Checking…"</p> }.into_any()),
        Some((text, _)) if text != draft.get() => Some(
            view! { <p class="muted" data-testid="config-stale">"Edited since the check: check again."</p> }.into_any(),
        ),
        Some((_, Err(e))) => Some(view! { <div class="banner bad" role="alert" data-testid="config-preview-error">{e.to_string()}</div> }.into_any()),
        Some((_, Ok(p))) => Some(view! { <PreviewView preview=p /> }.into_any()),
        None => None,
    }
    };
    let result = move || match submit.value().get() {
        None => submit.pending().get().then(|| {
            view! { <p class="muted" data-testid="action-pending">"Asking Patroni…"</p> }.into_any()
        }),
        Some(Ok(outcome)) => Some(view! { <OutcomeView outcome recorder /> }.into_any()),
        Some(Err(e)) => {
            let reload = matches!(e, AppError::Conflict(_));
            Some(view! {
                <div class="banner bad" role="alert" data-testid="action-error">{e.to_string()}</div>
                {reload.then(|| view! {
                    <button type="button" data-testid="config-reload" on:click=move |_| {
                        submit.value().set(None);
                        check.value().set(None);
                        load.dispatch(());
                    }>"Read the configuration again (your edit stays)"</button>
                })}
            }.into_any())
        }
    };
    let missing = Signal::derive(missing);
    view! {
        <Modal title=format!("Edit configuration · {scope}") slug="edit-config" class="wide" on_close>
            <p class="summary">
                "Changes the cluster's dynamic configuration through Patroni's "
                <code>"PATCH /config"</code> ", as " <code>"patronictl edit-config"</code>
                " does. Refused if anyone changed it since it was read here."
            </p>
            <ConfirmForm done=Signal::derive(done) word=scope.clone() confirm missing
                ready=Signal::derive(ready) button="Apply" on_confirm result on_close>
                {editor}
                <div aria-live="polite">{preview}</div>
            </ConfirmForm>
        </Modal>
    }
}

/// Errors, warnings, what needs a restart, and the diff.
#[component]
fn PreviewView(preview: ConfigPreview) -> impl IntoView {
    let ConfigPreview {
        revision,
        diff,
        errors,
        warnings,
        restart,
        ..
    } = preview;
    let list =
        |items: Vec<String>, class: &'static str, testid: &'static str, head: &'static str| {
            (!items.is_empty()).then(|| {
                view! {
                    <div class=format!("banner {class}") role="alert" data-testid=testid>
                        <strong>{head}</strong>
                        <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                    </div>
                }
            })
        };
    let restart_note = (!restart.is_empty()).then(|| {
        format!(
            "Needs a restart of every member to take effect: {}. Patroni marks them \"pending restart\".",
            restart.join(", ")
        )
    });
    view! {
        {list(errors, "bad", "config-errors", "Fix first:")}
        {list(warnings, "warn", "config-warnings", "Check:")}
        {restart_note.map(|n| view! { <p class="banner warn" data-testid="config-restart">{n}</p> })}
        <p class="muted small" data-testid="config-basis">"Against the configuration at revision " {revision} ":"</p>
        <DiffLines lines=diff />
    }
}
