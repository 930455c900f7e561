//! The parts every admin action's dialog shares: the modal frame (Escape
//! closes it, focus starts inside), the typed confirmation with the
//! dialog's buttons, the Close button once the action is done, and the
//! body that puts them in order.

use leptos::prelude::*;

/// A modal dialog titled `title`; `slug` names the action for tests.
#[component]
pub fn Modal(
    title: String,
    slug: &'static str,
    #[prop(optional)] class: &'static str,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || escape.remove());
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    dialog_ref.on_load(|el| {
        let _ = el.focus();
    });
    view! {
        <div class="modal-backdrop">
            <div class=format!("dialog {class}") role="dialog" aria-modal="true" aria-labelledby="action-title"
                data-testid="action-dialog" data-action=slug tabindex="-1" node_ref=dialog_ref>
                <header class="dialog-head">
                    <h2 id="action-title">{title}</h2>
                    <button type="button" class="close" aria-label="Close" data-testid="dialog-close"
                        on:click=move |_| on_close.run(())>"×"</button>
                </header>
                {children()}
            </div>
        </div>
    }
}

/// The box `word` must be typed into, then Cancel and the action's button,
/// enabled only when `ready`; `missing` says in words what still keeps it
/// disabled. The input is named `confirm`, so a form the browser posts
/// itself sends it.
#[component]
pub fn TypedConfirm(
    #[prop(into)] word: Signal<String>,
    confirm: RwSignal<String>,
    #[prop(into)] missing: Signal<Option<String>>,
    #[prop(into)] ready: Signal<bool>,
    #[prop(into)] button: String,
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <label class="field confirm" for="action-confirm">
            <span>"Type " <code data-testid="confirm-word">{move || word.get()}</code> " to confirm"</span>
            <input id="action-confirm" name="confirm" type="text" autocomplete="off" spellcheck="false"
                data-testid="confirm-input" prop:value=move || confirm.get()
                on:input=move |ev| confirm.set(event_target_value(&ev)) />
        </label>
        <div class="dialog-buttons">
            <span class="muted small submit-hint" data-testid="submit-hint">{move || missing.get()}</span>
            <button type="button" on:click=move |_| on_close.run(()) data-testid="dialog-cancel">"Cancel"</button>
            <button type="submit" class="danger" data-testid="action-submit" disabled=move || !ready.get()>
                {button}
            </button>
        </div>
    }
}

/// The Close button, once `shown`.
#[component]
pub fn DoneButton(#[prop(into)] shown: Signal<bool>, on_close: Callback<()>) -> impl IntoView {
    move || {
        shown.get().then(|| {
            view! {
                <div class="dialog-buttons">
                    <button type="button" data-testid="dialog-done" on:click=move |_| on_close.run(())>"Close"</button>
                </div>
            }
        })
    }
}

/// A dialog's body until `done`: `children` (what the admin reads before
/// deciding), then the form with `fields` and the typed confirmation.
/// Submitting runs `on_confirm` only while `ready`, so no dialog can send
/// an action its button would refuse. Then `result`, and Close once done.
#[component]
pub fn ConfirmForm(
    #[prop(into)] done: Signal<bool>,
    #[prop(into)] word: Signal<String>,
    confirm: RwSignal<String>,
    #[prop(into)] missing: Signal<Option<String>>,
    #[prop(into)] ready: Signal<bool>,
    #[prop(into)] button: String,
    on_confirm: Callback<()>,
    #[prop(optional, into)] fields: ViewFn,
    #[prop(into)] result: ViewFn,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ready.get_untracked() {
            on_confirm.run(());
        }
    };
    view! {
        <div class="dialog-body" hidden=done>
            {children()}
            <ConfirmEtcd />
            <form class="dialog-form" on:submit=on_submit>
                {fields.run()}
                <TypedConfirm word confirm missing ready button on_close />
            </form>
        </div>
        <div aria-live="polite">{move || result.run()}</div>
        <DoneButton shown=done on_close />
    }
}

/// Which etcd cluster a confirmation acts on, when Patrol serves several
/// or its one was named: production is never taken for staging.
#[component]
pub fn ConfirmEtcd() -> impl IntoView {
    let etcd = crate::fleet::use_etcd();
    let live = crate::live::use_live();
    let named = move || {
        let fleet = live.fleet()?.ok()?;
        let site = fleet.site(etcd.get().as_deref())?;
        (fleet.is_fleet() || site.name != "default").then(|| site.name.clone())
    };
    view! {
        <Transition fallback=|| ()>
            {move || named().map(|name| view! {
                <p class="confirm-etcd" data-testid="confirm-etcd">"On etcd cluster " <strong>{name}</strong></p>
            })}
        </Transition>
    }
}
