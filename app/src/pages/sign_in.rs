//! `/sign-in`: the admin's password form, and the server functions that
//! sign in and out (the same checks, rate limit and cookie as
//! `POST`/`DELETE /api/v1/session`).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::auth::access::use_access;
use crate::auth::Access;
use crate::error::AppError;

/// Signs the admin in and sets the session cookie. The password is checked
/// against the configured hash and never logged or sent back.
#[server(endpoint = "sign_in", client = crate::fleet::client::ScopedClient)]
pub async fn sign_in(user: String, password: String) -> Result<Access, AppError> {
    use axum::http::{header, HeaderValue};

    let state = expect_context::<crate::state::AppState>();
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let parts = use_context::<axum::http::request::Parts>();
    if let Some(Err(refused)) = parts.as_ref().map(|p| state.auth.refuse_cross_site(p)) {
        response.set_status(refused.status());
        return Err(refused);
    }
    // Failures are counted per client address, as on the REST route.
    let source = parts.and_then(|parts| state.auth.client_addr(&parts));
    let plain_form = form_post().await;
    let signed_in = match state.auth.sign_in(source, &user, &password).await {
        Ok(s) => s,
        // A plain form post (no WebAssembly yet) is redirected back to the
        // form with the error in the URL; a status here would stop that.
        Err(refusal) if plain_form => return Err(refusal.into()),
        Err(refusal) => {
            // The same status codes as the REST route, for scripts and logs.
            response.set_status(refusal.status());
            if let crate::auth::sign_in::Refusal::Throttled(wait) = &refusal {
                let secs = crate::auth::sign_in::Refusal::wait_secs(*wait);
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            return Err(refusal.into());
        }
    };
    let cookie =
        HeaderValue::from_str(&signed_in.cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    response.insert_header(header::SET_COOKIE, cookie);
    Ok(signed_in.access)
}

/// Whether the request is the browser's own form submission (it accepts
/// HTML), which Leptos answers with a redirect back to the form.
#[cfg(feature = "ssr")]
async fn form_post() -> bool {
    leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            let accept = h.get(axum::http::header::ACCEPT)?.to_str().ok()?;
            Some(accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Where to go after signing in: `next` if it is a path on this site.
fn safe_next(next: Option<String>) -> String {
    // Browsers drop tabs and newlines from URLs, so `/\t/evil` would be
    // `//evil`: no control characters at all.
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(char::is_control)
    })
    .unwrap_or_else(|| "/".to_owned())
}

/// The operator's words for a refused sign-in.
fn refusal_text(e: &AppError) -> String {
    match e {
        AppError::Unauthorized(m) | AppError::Forbidden(m) => {
            let mut m = m.clone();
            if let Some(first) = m.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("{m}.")
        }
        other => other.to_string(),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let access = use_access();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    view! {
        <Title text="Sign in · Patrol" />
        <section class="card sign-in" data-testid="sign-in">
            <h1>"Admin sign-in"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || match access.get() {
                    Some(Access { sign_in_available: false, .. }) => view! {
                        <p class="banner warn" data-testid="sign-in-unavailable">
                            "No admin credentials are configured: Patrol is read-only. "
                            "Start it with --admin-password-hash-file (or admin_password_hash_file in its config file) to allow admin sign-in."
                        </p>
                    }.into_any(),
                    Some(Access { admin: Some(name), .. }) => view! {
                        <p data-testid="signed-in">"Signed in as " <strong>{name}</strong> "."</p>
                        <p><a href=next data-testid="continue">"Continue"</a></p>
                    }.into_any(),
                    Some(a) => view! { <SignInForm read_only=a.read_only /> }.into_any(),
                    None => view! { <SignInForm read_only=false /> }.into_any(),
                }}
            </Transition>
        </section>
    }
}

/// The user name and password form; goes to `?next=` once signed in.
#[component]
fn SignInForm(read_only: bool) -> impl IntoView {
    let access = use_access();
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            access.refresh();
            let next = safe_next(query.read_untracked().get("next"));
            navigate(&next, Default::default());
        }
    });
    let error = move || {
        action.value().get().and_then(Result::err).map(|e| {
            view! { <p class="banner bad" role="alert" data-testid="sign-in-error">{refusal_text(&e)}</p> }
        })
    };
    view! {
        {read_only.then(|| view! {
            <p class="banner warn" data-testid="read-only-note">
                "Patrol runs with --read-only: admin actions are off, even when signed in."
            </p>
        })}
        {error}
        <ActionForm action attr:class="sign-in-form">
            <label for="sign-in-user">"User name"</label>
            <input id="sign-in-user" name="user" type="text" autocomplete="username" value="admin"
                required data-testid="sign-in-user" />
            <label for="sign-in-password">"Password"</label>
            <input id="sign-in-password" name="password" type="password"
                autocomplete="current-password" required data-testid="sign-in-password" />
            <button type="submit" class="primary" data-testid="sign-in-submit"
                disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
            </button>
        </ActionForm>
        <p class="muted small">
            "Five failed attempts from one address lock it out for a minute. "
            "Sessions end when Patrol restarts."
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::sign_in_out::sign_in_path;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/clusters/pg/x".into())), "/clusters/pg/x");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\t/evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\n/evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(
            sign_in_path("/clusters/pg/x?group=1"),
            "/sign-in?next=/clusters/pg/x%3Fgroup%3D1"
        );
    }
}
