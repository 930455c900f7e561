//! A directory: its child directories and keys, a page at a time, a prefix
//! search below it, live.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::watch::follow;
use super::{href, size};
use crate::components::layout::Table;
use crate::components::loaded::ErrorBanner;
use crate::components::stream::WatchBadge;
use crate::error::AppError;
use crate::keyspace::model::{Found, KeyEntry, Listing};
use crate::keyspace::path::{b64_decode, b64_encode, display_key, query_escape};
use crate::live::use_live;

/// One page of the directory `dir_base64` (see `GET /api/v1/kv/ls`).
#[server(endpoint = "keys/list", client = crate::fleet::client::ScopedClient)]
pub async fn list_dir(dir_base64: String, after: Option<String>) -> Result<Listing, AppError> {
    let page = ssr::Page::decode(&dir_base64, after)?;
    crate::keyspace::listing::list(&page.state.etcd, &page.key, page.after, ssr::DEFAULT_LIMIT)
        .await
}

/// Keys starting with `prefix_base64` (see `GET /api/v1/kv/search`).
#[server(endpoint = "keys/search", client = crate::fleet::client::ScopedClient)]
pub async fn search_keys(prefix_base64: String, after: Option<String>) -> Result<Found, AppError> {
    let page = ssr::Page::decode(&prefix_base64, after)?;
    crate::keyspace::service::search(&page.state.etcd, &page.key, page.after, ssr::DEFAULT_LIMIT)
        .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use leptos::prelude::expect_context;

    use crate::error::AppError;
    use crate::keyspace::path::b64_decode;
    pub use crate::keyspace::service::DEFAULT_LIMIT;
    use crate::state::AppState;

    /// A page request, decoded.
    pub struct Page {
        pub state: AppState,
        /// The directory or prefix.
        pub key: Vec<u8>,
        /// Where the page starts (`after=`).
        pub after: Option<Vec<u8>>,
    }

    impl Page {
        pub fn decode(base64: &str, after: Option<String>) -> Result<Page, AppError> {
            Ok(Page {
                state: expect_context::<AppState>(),
                key: b64_decode(base64).map_err(AppError::Invalid)?,
                after: crate::keyspace::service::decode_cursor(after.as_deref())?,
            })
        }
    }
}

/// A directory page; `?after=` pages on, `?q=` searches below it.
#[component]
pub fn DirView(dir: Vec<u8>) -> impl IntoView {
    let query = use_query_map();
    let after = move || query.with(|q| q.get("after"));
    let search = move || query.with(|q| q.get("q")).filter(|q| !q.is_empty());
    let (tick, state) = follow(dir.clone());
    let listing = {
        let dir = dir.clone();
        Resource::new(
            move || (after(), search(), tick.get()),
            move |(after, search, _)| {
                let dir = dir.clone();
                async move {
                    match search {
                        Some(q) => {
                            let prefix = [dir.as_slice(), q.as_bytes()].concat();
                            search_keys(b64_encode(&prefix), after)
                                .await
                                .map(Shown::Found)
                        }
                        None => list_dir(b64_encode(&dir), after).await.map(Shown::Listing),
                    }
                }
            },
        )
    };
    let is_root = dir == b"/";
    let here = href(&dir);
    let shown_dir = display_key(&dir);
    view! {
        <div class="keys-head">
            <h1 data-testid="dir">{shown_dir}</h1>
            <WatchBadge state />
        </div>
        {is_root.then(|| view! { <NamespaceLinks /> })}
        <form class="search" method="get" action=here.clone() role="search">
            <input type="search" name="q" placeholder="Keys starting with…" aria-label="Search keys below this directory" prop:value=move || search().unwrap_or_default() />
            <button type="submit">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let here = here.clone();
                let q = search().unwrap_or_default();
                listing.get().map(|r| match r {
                    Ok(Shown::Listing(l)) => view! { <ListingTable listing=l here /> }.into_any(),
                    Ok(Shown::Found(f)) => view! { <FoundTable found=f here q /> }.into_any(),
                    Err(error) => view! { <ErrorBanner error testid="kv-error" /> }.into_any(),
                })
            }}
        </Transition>
    }
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
enum Shown {
    Listing(Listing),
    Found(Found),
}

/// One-click ways into the Patroni namespaces Patrol is configured with.
#[component]
fn NamespaceLinks() -> impl IntoView {
    let live = use_live();
    let etcd = crate::fleet::use_etcd();
    view! {
        <Transition fallback=|| ()>
            {move || live.overview(etcd.get().as_deref()).and_then(Result::ok).map(|o| view! {
                <p class="ns-links" data-testid="namespaces">
                    <span class="muted">"Patroni namespaces: "</span>
                    {o.namespaces.into_iter().map(|ns| {
                        let link = href(format!("{ns}/").as_bytes());
                        view! { <a class="badge ns" href=link>{ns}</a> }
                    }).collect_view()}
                </p>
            })}
        </Transition>
    }
}

#[component]
fn ListingTable(listing: Listing, here: String) -> impl IntoView {
    let Listing {
        dirs,
        keys,
        next,
        revision,
        ..
    } = listing;
    let empty = dirs.is_empty() && keys.is_empty();
    let more = next.map(|n| format!("{here}?after={}", query_escape(&n)));
    view! {
        <p class="muted small">{format!("{} directories, {} keys on this page · revision {revision}", dirs.len(), keys.len())}</p>
        {empty.then(|| view! { <p class="muted" data-testid="empty">"Nothing here."</p> })}
        <Table class="kv" testid="listing" columns=&["Name", "Size", "Modified at", "Version", "Lease"]>
                    {dirs.into_iter().map(|d| {
                        let link = href(&b64_decode(&d.path_base64).unwrap_or_default());
                        let count = d.count.map_or_else(|| "many keys".to_owned(), |n| format!("{n} key{}", if n == 1 { "" } else { "s" }));
                        view! {
                            <tr data-testid="dir-entry" data-name=d.name.clone()>
                                <td><a class="dir" href=link>{format!("{}/", d.name)}</a></td>
                                <td class="muted" colspan="4">{count}</td>
                            </tr>
                        }
                    }).collect_view()}
                    {keys.into_iter().map(|k| view! { <KeyRow entry=k /> }).collect_view()}
                </Table>
        {more.map(|m| view! { <p><a href=m data-testid="more">"More…"</a></p> })}
    }
}

#[component]
fn KeyRow(entry: KeyEntry) -> impl IntoView {
    let link = href(&b64_decode(&entry.key_base64).unwrap_or_default());
    let name = entry.name.clone();
    view! {
        <tr data-testid="key-entry" data-name=name>
            <td><a href=link>{entry.name}</a></td>
            <td>{size(entry.meta.size)}</td>
            <td>{entry.meta.mod_revision}</td>
            <td>{entry.meta.version}</td>
            <td><code>{entry.meta.lease.unwrap_or_default()}</code></td>
        </tr>
    }
}

#[component]
fn FoundTable(found: Found, here: String, q: String) -> impl IntoView {
    let Found {
        prefix, keys, next, ..
    } = found;
    let summary = format!("{} keys starting with {prefix}", keys.len());
    let more = next.map(|n| format!("{here}?q={}&after={}", query_escape(&q), query_escape(&n)));
    view! {
        <p class="muted small" data-testid="found">{summary}" · "<a href=here>"clear search"</a></p>
        <Table class="kv" columns=&[
            "Key", "Size", "Modified at", "Version", "Lease"
        ]>
            {keys.into_iter().map(|k| view! { <KeyRow entry=k /> }).collect_view()}
        </Table>
        {more.map(|m| view! { <p><a href=m data-testid="more">"More…"</a></p> })}
    }
}
