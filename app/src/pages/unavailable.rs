//! Pages for addresses with nothing (yet) behind them.

use leptos::prelude::*;
use leptos_meta::Title;

/// A section of the navigation this version of Patrol does not have.
#[component]
pub fn NotYet(what: &'static str) -> impl IntoView {
    view! {
        <Title text="Not available · Patrol" />
        <h1>{what}</h1>
        <p class="notice">{format!("{what} is not part of this version of Patrol.")}</p>
        <p>
            <a href="/">"Back to the clusters"</a>
        </p>
    }
}

/// Fallback for unknown paths.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Patrol" />
        <h1>"Not found"</h1>
        <p>"Nothing lives at this address."</p>
        <p>
            <a href="/">"Back to the clusters"</a>
        </p>
    }
}
