//! How a page shows what it loads: "Loading…" first, then the value, or
//! the error in a banner worded for the operator.

use leptos::prelude::*;

use crate::error::AppError;

/// What an error says to the operator: the server's own words, or, when
/// the request never reached Patrol, what to do about it.
pub fn in_words(error: &AppError) -> String {
    match error {
        AppError::Transport(detail) => format!(
            "Patrol did not answer ({detail}). Check that Patrol is running and that this \
             browser can reach it, then reload the page."
        ),
        other => other.to_string(),
    }
}

/// An error as a banner.
#[component]
pub fn ErrorBanner(
    error: AppError,
    /// `data-testid` for the journeys.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! { <p class="banner bad" data-testid=testid>{in_words(&error)}</p> }
}

/// `read`'s value shown by `show` once loaded, or its error as an
/// [`ErrorBanner`]; "Loading…" until then. A `<Transition>`: a reload keeps
/// the last view until the new value is in.
pub fn loaded<T: 'static>(
    read: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
    show: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || read().map(|r| match r {
                Ok(value) => show(value),
                Err(error) => view! { <ErrorBanner error /> }.into_any(),
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_request_reads_as_patrol_not_answering() {
        let words = in_words(&AppError::Transport("Failed to fetch".into()));
        assert!(
            words.starts_with("Patrol did not answer (Failed to fetch)"),
            "{words}"
        );
        assert!(words.contains("reload the page"), "{words}");
        let words = in_words(&AppError::Internal("boom".into()));
        assert_eq!(words, "internal error: boom");
    }
}
