//! A key: its value shown for what it is (JSON, text or bytes), its
//! metadata with a live lease countdown, and its earlier versions as diffs.

#[cfg(feature = "hydrate")]
use std::time::Duration;

use leptos::prelude::*;

use super::watch::follow;
use super::{href, size};
use crate::components::diff::DiffLines;
use crate::components::loaded::ErrorBanner;
use crate::components::stream::WatchBadge;
use crate::error::AppError;
use crate::keyspace::diff::line_diff;
use crate::keyspace::model::{History, KeyValue, Version};
use crate::keyspace::path::{b64_decode, b64_encode, parent_dir};
use crate::keyspace::value::{render, Rendered};

/// How often a leased key's TTL is read again: leases are renewed without a
/// write, so no watch event tells.
#[cfg(feature = "hydrate")]
const LEASE_REFRESH: Duration = Duration::from_secs(5);

/// One key, its value cut to [`crate::keyspace::model::PAGE_VALUE_MAX`] bytes (`GET /api/v1/kv/get`).
#[server(endpoint = "keys/get", client = crate::fleet::client::ScopedClient)]
pub async fn get_key(key_base64: String) -> Result<KeyValue, AppError> {
    let state = expect_context::<crate::state::AppState>();
    let key = b64_decode(&key_base64).map_err(AppError::Invalid)?;
    crate::keyspace::service::get(
        &state.etcd,
        &key,
        Some(crate::keyspace::model::PAGE_VALUE_MAX),
    )
    .await
    .map_err(AppError::answered)
}

/// Earlier versions (`GET /api/v1/kv/history`).
#[server(endpoint = "keys/history", client = crate::fleet::client::ScopedClient)]
pub async fn key_history(key_base64: String) -> Result<History, AppError> {
    let state = expect_context::<crate::state::AppState>();
    let key = b64_decode(&key_base64).map_err(AppError::Invalid)?;
    crate::keyspace::service::history(&state.etcd, &key, crate::keyspace::service::DEFAULT_HISTORY)
        .await
        .map_err(AppError::answered)
}

/// The key page.
#[component]
pub fn KeyView(key: Vec<u8>) -> impl IntoView {
    let (tick, state) = follow(key.clone());
    let (lease_tick, set_lease_tick) = signal(0u64);
    let key_b64 = b64_encode(&key);
    let value = {
        let k = key_b64.clone();
        Resource::new(
            move || (tick.get(), lease_tick.get()),
            move |_| get_key(k.clone()),
        )
    };
    let history = {
        let k = key_b64.clone();
        Resource::new(move || tick.get(), move |_| key_history(k.clone()))
    };
    #[cfg(feature = "hydrate")]
    if let Ok(handle) =
        set_interval_with_handle(move || set_lease_tick.update(|t| *t += 1), LEASE_REFRESH)
    {
        on_cleanup(move || handle.clear());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_lease_tick;
    let parent = href(&parent_dir(&key));
    let current: super::write_dialog::Current = Signal::derive(move || {
        value.get().and_then(|r| match r {
            Ok(v) => Some(Some(v)),
            Err(AppError::NotFound(_)) => Some(None),
            Err(_) => None,
        })
    });
    view! {
        <div class="keys-head">
            <h1 data-testid="key">{crate::keyspace::path::display_key(&key)}</h1>
            <WatchBadge state />
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || value.get().map(|r| match r {
                Ok(v) => view! { <ValueView value=v /> }.into_any(),
                Err(AppError::NotFound(_)) => view! {
                    <p class="banner bad" data-testid="kv-missing">"This key does not exist (any more). "<a href=parent.clone()>"Up to its directory"</a></p>
                }.into_any(),
                Err(error) => view! { <ErrorBanner error testid="kv-error" /> }.into_any(),
            })}
        </Transition>
        <super::edit::KeyAdmin key=key.clone() current />
        <Transition fallback=|| ()>
            {move || {
                let current = value.get().and_then(Result::ok).map(|v| diffable(&v.value_base64));
                history.get().and_then(Result::ok).map(|h| view! { <HistoryView history=h current /> })
            }}
        </Transition>
    }
}

#[component]
fn ValueView(value: KeyValue) -> impl IntoView {
    let bytes = b64_decode(&value.value_base64).unwrap_or_default();
    let download = crate::fleet::api_at(
        crate::fleet::current_etcd().as_deref(),
        &format!(
            "/api/v1/kv/raw?key_base64={}",
            crate::keyspace::path::query_escape(&value.key_base64)
        ),
    );
    let cut = value.truncated.then(|| view! {
        <p class="banner warn" data-testid="truncated">
            {format!("Showing the first {} of {}. ", size(bytes.len() as u64), size(value.meta.size))}
            <a href=download.clone() download="">"Download the whole value"</a>
        </p>
    });
    let lease = value.meta.lease.clone().map(|id| {
        view! {
            <dt>"Lease"</dt>
            <dd><code>{id}</code>" · "<Countdown ttl=value.ttl granted=value.granted_ttl /></dd>
        }
    });
    view! {
        <dl class="facts meta" data-testid="meta">
            <dt>"Size"</dt><dd>{size(value.meta.size)}</dd>
            <dt>"Created at revision"</dt><dd>{value.meta.create_revision}</dd>
            <dt>"Modified at revision"</dt><dd data-testid="mod-revision">{value.meta.mod_revision}</dd>
            <dt>"Version"</dt><dd>{value.meta.version}</dd>
            {lease}
        </dl>
        {cut}
        <Value bytes />
        <p class="small"><a href=download download="">"Download value"</a></p>
    }
}

/// Seconds left on the lease, counting down between reads.
#[component]
fn Countdown(ttl: Option<i64>, granted: Option<i64>) -> impl IntoView {
    let (left, set_left) = signal(ttl);
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(
        move || set_left.update(|l| *l = l.map(|s| (s - 1).max(0))),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_left;
    let of = granted.map(|g| format!(" of {g} s")).unwrap_or_default();
    view! {
        <span data-testid="ttl">
            {move || match left.get() {
                Some(s) => format!("{s} s left{of}"),
                None => "expired".to_owned(),
            }}
        </span>
    }
}

/// A value as JSON (highlighted), text, or a hex dump.
#[component]
fn Value(bytes: Vec<u8>) -> impl IntoView {
    match render(&bytes) {
        Rendered::Json(tokens) => view! {
            <pre class="value json" data-testid="value" data-kind="json">
                {tokens.into_iter().map(|(tok, text)| view! { <span class=tok.class()>{text}</span> }).collect_view()}
            </pre>
        }.into_any(),
        Rendered::Text(text) => view! { <pre class="value" data-testid="value" data-kind="text">{text}</pre> }.into_any(),
        Rendered::Hex(rows) => view! {
            <pre class="value hex" data-testid="value" data-kind="hex">
                {rows.into_iter().map(|r| format!("{:08x}  {}  |{}|\n", r.offset, r.hex, r.ascii)).collect::<String>()}
            </pre>
        }.into_any(),
    }
}

/// The text a diff compares: pretty JSON, text, or the hex dump.
fn diffable(value_base64: &str) -> String {
    let bytes = b64_decode(value_base64).unwrap_or_default();
    match render(&bytes) {
        Rendered::Json(tokens) => tokens.into_iter().map(|(_, t)| t).collect(),
        Rendered::Text(text) => text,
        Rendered::Hex(rows) => rows
            .into_iter()
            .map(|r| format!("{:08x}  {}\n", r.offset, r.hex))
            .collect(),
    }
}

#[component]
fn HistoryView(history: History, current: Option<String>) -> impl IntoView {
    let History {
        versions,
        more,
        compacted,
        ..
    } = history;
    let texts: Vec<String> = versions
        .iter()
        .map(|v: &Version| diffable(&v.value_base64))
        .collect();
    let empty = versions.is_empty() && compacted.is_none();
    view! {
        <section class="history" data-testid="history">
            <h2>"Earlier versions"</h2>
            {empty.then(|| view! { <p class="muted">"None: this is the key's first version."</p> })}
            {versions.into_iter().enumerate().map(|(i, v)| {
                // Each entry shows what changed from it to the version after it.
                let newer = if i == 0 { current.clone() } else { texts.get(i - 1).cloned() };
                let old = texts.get(i).cloned().unwrap_or_default();
                let title = format!("version {} · revision {} · {}", v.meta.version, v.meta.mod_revision, size(v.meta.size));
                view! {
                    <details data-testid="version" data-version=v.meta.version>
                        <summary>{title}</summary>
                        {match newer {
                            Some(new) => view! { <DiffLines lines=line_diff(&old, &new) /> }.into_any(),
                            None => view! { <Value bytes=b64_decode(&v.value_base64).unwrap_or_default() /> }.into_any(),
                        }}
                    </details>
                }
            }).collect_view()}
            {more.then(|| view! { <p class="muted">"Older versions exist; the API pages further (GET /api/v1/kv/history?limit=)."</p> })}
            {compacted.map(|c| view! { <p class="muted" data-testid="compacted">{c}</p> })}
        </section>
    }
}
