//! `/keys/<path>`: the keyspace browser. The URL after `/keys` is the key,
//! percent-encoded byte for byte; a trailing `/` makes it a directory.

mod dir;
mod key;
mod watch;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::keyspace::path::{crumbs, decode_url_path, display_key, encode_url_path, is_dir};

/// Link to the page of a key or directory.
pub fn href(key: &[u8]) -> String {
    format!("/keys{}", encode_url_path(key))
}

/// The browser page: breadcrumbs, then a directory or a key.
#[component]
pub fn KeysPage() -> impl IntoView {
    let location = use_location();
    let target = Memo::new(move |_| {
        let path = location.pathname.get();
        let rest = path.strip_prefix("/keys").unwrap_or_default();
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
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_like_a_human_wrote_them() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(1 << 20), "1.0 MiB");
    }
}
