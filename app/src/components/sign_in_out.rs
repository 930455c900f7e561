//! "Sign in" or "Sign out" in the top bar, and the server function that
//! signs out (the same as `DELETE /api/v1/session`).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::auth::access::use_access;
use crate::auth::Access;
use crate::error::AppError;

/// Ends the browser's session and clears its cookie.
#[server(endpoint = "sign_out", client = crate::fleet::client::ScopedClient)]
pub async fn sign_out() -> Result<Access, AppError> {
    use axum::http::{header, HeaderMap, HeaderValue};

    let state = expect_context::<crate::state::AppState>();
    let headers: HeaderMap = leptos_axum::extract()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (clear, access) = state.auth.sign_out(&headers).await?;
    let clear = HeaderValue::from_str(&clear).map_err(|e| AppError::Internal(e.to_string()))?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(header::SET_COOKIE, clear);
    Ok(access)
}

/// Link to the sign-in page that comes back to `next` (a path on this site).
pub fn sign_in_path(next: &str) -> String {
    let encoded: String = next
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/sign-in?next={encoded}")
}

/// "Sign in" for a visitor when sign-in is possible, "Sign out" for an admin.
#[component]
pub fn SignInOut() -> impl IntoView {
    let access = use_access();
    let location = use_location();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_out.value().get() {
            access.refresh();
        }
    });
    let next = move || {
        let (path, query) = (location.pathname.get(), location.search.get());
        if path.starts_with("/sign-in") {
            return "/sign-in".to_owned();
        }
        let here = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        sign_in_path(&here)
    };
    view! {
        <Transition fallback=|| ()>
            {move || match access.get() {
                Some(Access { admin: Some(_), .. }) => view! {
                    <ActionForm action=sign_out attr:class="sign-out">
                        <button type="submit" class="link" data-testid="sign-out">"Sign out"</button>
                    </ActionForm>
                }.into_any(),
                Some(Access { sign_in_available: true, read_only: false, .. }) => view! {
                    <a href=next class="sign-in-link" data-testid="sign-in-link">"Sign in"</a>
                }.into_any(),
                _ => ().into_any(),
            }}
        </Transition>
    }
}
