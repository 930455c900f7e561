//! The cluster page's recent topology changes, as the store keeps them:
//! what moved while nobody was looking, newest first.

use std::time::Duration;

use leptos::prelude::*;

use crate::cluster::changes::StoredChanges;
use crate::cluster::ClusterDetail;
use crate::components::loaded::ErrorBanner;
use crate::components::time::utc;
use crate::error::AppError;
use crate::patroni::Cluster;

/// How many changes the page lists.
#[cfg(feature = "ssr")]
const SHOWN: u32 = 20;

/// The cluster's latest changes (`GET /api/v1/clusters/<ns>/<scope>/changes`).
#[server(endpoint = "changes", client = crate::fleet::client::ScopedClient)]
pub async fn recent_changes(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<StoredChanges, AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::cluster::changes::stored::of_cluster(
        &state.clusters,
        (&state.store, state.store_tag.as_deref()),
        (&namespace, &scope, group),
        0,
        SHOWN,
    )
    .await
}

/// What the changes describe: when it moves, the list is read again.
type Shape = (
    Option<String>,
    Option<u64>,
    bool,
    Vec<(String, String, String)>,
);

fn shape(c: &Cluster) -> Shape {
    let members = c
        .members
        .iter()
        .map(|m| (m.name.clone(), m.role.as_str().to_owned(), m.state.clone()))
        .collect();
    (c.leader.clone(), c.timeline, c.paused, members)
}

/// The last [`SHOWN`] changes, read again a moment after the cluster moves.
#[component]
pub fn RecentChanges(current: Memo<ClusterDetail>) -> impl IntoView {
    let now = Memo::new(move |_| current.with(|c| shape(&c.cluster)));
    let reads = RwSignal::new(0u32);
    Effect::new(move |prev: Option<Shape>| {
        let seen = now.get();
        if prev.is_some_and(|p| p != seen) {
            // The store has the change after the writer's next tick (2 s).
            set_timeout(
                move || reads.update(|n| *n += 1),
                Duration::from_millis(3000),
            );
        }
        seen
    });
    let changes = Resource::new(
        move || reads.get(),
        move |_| {
            let (namespace, scope, group) = current.with_untracked(|c| c.cluster.id());
            recent_changes(namespace, scope, group)
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || changes.get().map(|answer| match answer {
                Ok(StoredChanges { changes, .. }) if changes.is_empty() => view! {
                    <p class="muted" data-testid="changes-none">
                        "No changes recorded yet: Patrol records them as it sees them."
                    </p>
                }.into_any(),
                Ok(StoredChanges { changes, .. }) => view! {
                    <div class="table-wrap">
                        <table class="detail changes" data-testid="changes">
                            <thead><tr><th>"Seen"</th><th>"Change"</th></tr></thead>
                            <tbody>
                                {changes.into_iter().map(|c| view! {
                                    <tr data-testid="change-row" data-kind=c.kind.as_str()>
                                        <td class="when">{utc(c.t)}</td>
                                        <td class="wrap">{c.describe()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
                Err(e) => view! { <ErrorBanner error=e testid="changes-error" /> }.into_any(),
            })}
        </Transition>
    }
}
