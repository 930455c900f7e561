//! `/keys/<path>`: the keyspace browser. The URL after `/keys` is the key,
//! percent-encoded byte for byte; a trailing `/` makes it a directory.

mod dir;
mod edit;
mod key;
mod watch;
mod write_api;
mod write_dialog;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::keyspace::path::{crumbs, decode_url_path, display_key, encode_url_path, is_dir};

/// Link to the page of a key or directory.
/// Link to the page of a key or directory, in the current page's etcd
/// cluster.
pub fn href(key: &[u8]) -> String {
    let path = format!("/keys{}", encode_url_path(key));
    crate::fleet::at(crate::fleet::current_etcd().as_deref(), &path)
}

/// The browser page: breadcrumbs, then a directory or a key.
#[component]
pub fn KeysPage() -> impl IntoView {
    let location = use_location();
    let target = Memo::new(move |_| {
        let path = location.pathname.get();
        let rest = crate::fleet::unscoped(&path)
            .strip_prefix("/keys")
            .unwrap_or_default();
        let mut bytes = decode_url_path(rest);
        if bytes.is_empty() {
            bytes.push(b'/');
        }
        bytes
    });
    view! {
        <Title text=move || format!("{} · Keys · Patrol", display_key(&target.get())) />
        <nav class="crumbs" aria-label="Path" data-testid="crumbs">
            {move || {
                crumbs(&target.get())
                    .into_iter()
                    .map(|c| view! { <a href=href(&c.path)>{c.name}</a> })
                    .collect_view()
            }}
        </nav>
        {move || {
            let t = target.get();
            if is_dir(&t) {
                view! { <dir::DirView dir=t /> }.into_any()
            } else {
                view! { <key::KeyView key=t /> }.into_any()
            }
        }}
    }
}

/// "12 B", "1.5 KiB", "1.0 MiB".
pub use crate::patroni::lag::human_bytes as size;
