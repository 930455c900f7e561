//! The settings a new learner starts with, as `etcdctl member add` prints
//! them: one `ETCD_*=` line each, ready to copy into its environment.

use leptos::prelude::*;

/// `env` lines in a `<pre>` (a click selects them all) with a Copy button
/// where the browser offers a clipboard (secure contexts only).
#[component]
pub fn LearnerEnv(env: Vec<String>) -> impl IntoView {
    let text = env.join("\n");
    let copied = RwSignal::new(None::<bool>);
    let can_copy = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        can_copy.set(web_sys::window().is_some_and(|w| w.is_secure_context()));
    });
    let copy = {
        let text = text.clone();
        move |_| copy_text(text.clone(), copied)
    };
    view! {
        <p class="small">
            "Start the new member with these settings, then promote it once it has caught up:"
        </p>
        <pre class="learner-env" data-testid="learner-env">{text}</pre>
        <Show when=move || can_copy.get()>
            <button type="button" class="btn" data-testid="copy-env" on:click=copy.clone()>
                {move || match copied.get() {
                    Some(true) => "Copied",
                    Some(false) => "Copy failed: select the lines",
                    None => "Copy",
                }}
            </button>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
fn copy_text(text: String, copied: RwSignal<Option<bool>>) {
    use super::client::browser::settled;
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        copied.set(Some(settled(promise).await.is_ok()));
    });
}

#[cfg(not(feature = "hydrate"))]
fn copy_text(_text: String, _copied: RwSignal<Option<bool>>) {}
