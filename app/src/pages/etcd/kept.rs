//! The snapshots Patrol keeps a copy of (`--snapshot-dir`), as `GET
//! /api/v1/etcd/snapshots` lists them. Nothing shows without that
//! directory, or when the route is missing.

use leptos::prelude::*;

use super::client::get;
use crate::components::layout::Table;
use crate::etcd::snapshot::{Kept, KeptList};
use crate::etcd::wire::API;
use crate::patroni::lag::human_bytes;

/// The list, read when mounted and whenever `reload` changes.
#[component]
pub fn KeptSnapshots(reload: Signal<u32>) -> impl IntoView {
    let list = RwSignal::new(None::<KeptList>);
    Effect::new(move |_| {
        reload.track();
        leptos::task::spawn_local(async move {
            let reply = get::<KeptList>(&crate::fleet::api_here(&format!("{API}/snapshots"))).await;
            list.set(reply.answer.filter(|_| reply.status == 200));
        });
    });
    move || {
        let KeptList { dir, snapshots } = list.get()?;
        let dir = dir?;
        let body = if snapshots.is_empty() {
            view! {
                <p class="muted small">"None yet: every snapshot downloaded here is also kept there."</p>
            }
            .into_any()
        } else {
            view! { <KeptTable snapshots /> }.into_any()
        };
        Some(view! {
            <div class="kept-snapshots" data-testid="kept-snapshots">
                <h3>"Snapshots kept in " <code data-testid="snapshot-dir">{dir}</code></h3>
                {body}
            </div>
        })
    }
}

#[component]
fn KeptTable(snapshots: Vec<Kept>) -> impl IntoView {
    let rows = snapshots
        .into_iter()
        .map(|k| {
            let short = k.sha256.chars().take(12).collect::<String>();
            let keys = k.keys.map_or_else(|| "–".to_owned(), |n| n.to_string());
            let taken = k.taken_at.replace('T', " ").replace('Z', " UTC");
            view! {
                <tr data-testid="kept-snapshot" data-file=k.file.clone()>
                    <td class="file" data-label="File"><code>{k.file.clone()}</code></td>
                    <td data-label="Taken">{taken}</td>
                    <td data-label="Revision">{k.revision}</td>
                    <td data-label="Keys">{keys}</td>
                    <td data-label="Size">{human_bytes(k.bytes)}</td>
                    <td data-label="SHA-256"><code title=k.sha256.clone()>{short}"…"</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table class="kept-table" columns=&[
            "File", "Taken", "Revision", "Keys", "Size", "SHA-256"
        ]>
            {rows}
        </Table>
    }
}
