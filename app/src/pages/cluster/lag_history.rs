//! The cluster page's lag charts: the last hour live from the page's
//! stream, or the last day or week as the store kept it.

use leptos::prelude::*;

use super::lag_chart::LagChart;
use crate::cluster::history::tiers::Range;
use crate::cluster::history::StoredLag;
use crate::cluster::{ClusterDetail, MemberLag};
use crate::components::loaded::ErrorBanner;
use crate::error::AppError;

/// One cluster's replicas' lag over `range`, as the store kept it (1 min
/// points for a day, 10 min points for a week; each point its slot's peak).
#[server(endpoint = "lag-history", client = crate::fleet::client::ScopedClient)]
pub async fn stored_lag_history(
    namespace: String,
    scope: String,
    group: Option<u32>,
    range: Range,
) -> Result<StoredLag, AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::cluster::history::stored::of_cluster(
        &state.clusters,
        (&state.store, state.store_tag.as_deref()),
        &namespace,
        &scope,
        group,
        range,
    )
    .await
}

/// The range switch and the charts for the chosen range.
#[component]
pub fn LagHistory(current: Memo<ClusterDetail>) -> impl IntoView {
    let range = RwSignal::new(Range::Hour);
    let stored = Resource::new(
        move || range.get(),
        move |r| {
            let (namespace, scope, group) = current.with_untracked(|c| c.cluster.id());
            async move {
                match r {
                    Range::Hour => None,
                    _ => Some(stored_lag_history(namespace, scope, group, r).await),
                }
            }
        },
    );
    let switch = Range::ALL.map(|r| {
        let label = match r {
            Range::Hour => "1 h",
            Range::Day => "24 h",
            Range::Week => "7 d",
        };
        view! {
            <button
                type="button"
                class="range"
                data-testid=format!("lag-range-{}", r.as_str())
                aria-pressed=move || (range.get() == r).to_string()
                on:click=move |_| range.set(r)
            >
                {label}
            </button>
        }
    });
    let live = move || {
        let ClusterDetail {
            lag_history,
            now_ms,
            cluster,
            ..
        } = current.get();
        lag_charts(
            lag_history,
            now_ms,
            cluster.maximum_lag_on_failover,
            Range::Hour,
        )
    };
    view! {
        <div class="lag-ranges" role="group" aria-label="Lag history range">{switch}</div>
        {move || match range.get() {
            Range::Hour => live().into_any(),
            r => view! {
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || stored.get().flatten().map(|answer| match answer {
                        Ok(StoredLag { members, now_ms }) => {
                            let max_lag = current.with(|c| c.cluster.maximum_lag_on_failover);
                            lag_charts(members, now_ms, max_lag, r)
                        }
                        Err(e) => view! { <ErrorBanner error=e testid="lag-history-error" /> }.into_any(),
                    })}
                </Transition>
            }
            .into_any(),
        }}
    }
}

fn lag_charts(history: Vec<MemberLag>, now_ms: u64, max_lag: u64, range: Range) -> AnyView {
    if history.is_empty() {
        return view! { <p class="muted">"No replica lag recorded yet."</p> }.into_any();
    }
    view! {
        <div class="lag-charts">
            {history.into_iter().map(|lag| view! {
                <figure class="card lag-card">
                    <figcaption>{lag.name.clone()}</figcaption>
                    <LagChart lag now_ms max_lag range />
                </figure>
            }).collect_view()}
        </div>
    }
    .into_any()
}
