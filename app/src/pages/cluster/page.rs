//! `/clusters/<namespace>/<scope>`: the page an on-call DBA keeps open.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::actions::ActionPanel;
use super::changes::RecentChanges;
use super::facts::{Banners, ConfigView, Facts, TimelineHistory};
use super::lag_history::LagHistory;
use super::lease::LeaseCountdown;
use super::live::follow;
use super::members::MemberTable;
use super::scheduled::ScheduledList;
use super::topology::Topology;
use crate::cluster::{events_path, ClusterDetail};
use crate::components::layout::Card;
use crate::components::loaded::ErrorBanner;
use crate::components::stream::WatchBadge;
use crate::error::AppError;

/// One cluster as the server's mirror holds it.
#[server(endpoint = "cluster", client = crate::fleet::client::ScopedClient)]
pub async fn get_cluster(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<ClusterDetail, AppError> {
    let state = expect_context::<crate::state::AppState>();
    let entry = state.clusters.borrow().entry(&namespace, &scope, group)?;
    let reachable = state.overview().etcd.reachable;
    Ok(crate::cluster::book::detail(&entry, &state.leases, &state.versions, reachable).await)
}

/// Which cluster the URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    namespace: String,
    scope: String,
    group: Option<u32>,
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let target = Memo::new(move |_| Target {
        namespace: params.read().get("namespace").unwrap_or_default(),
        scope: params.read().get("scope").unwrap_or_default(),
        group: query.read().get("group").and_then(|g| g.parse().ok()),
    });
    view! {
        <Title text=move || format!("{} · Clusters · Patrol", target.get().scope) />
        {move || {
            let t = target.get();
            view! { <ClusterView target=t /> }
        }}
    }
}

/// One cluster: read once on the server, then followed live.
#[component]
fn ClusterView(target: Target) -> impl IntoView {
    let Target {
        namespace,
        scope,
        group,
    } = target;
    let initial = {
        let (ns, sc) = (namespace.clone(), scope.clone());
        Resource::new(|| (), move |_| get_cluster(ns.clone(), sc.clone(), group))
    };
    let events = crate::fleet::api_at(
        crate::fleet::current_etcd().as_deref(),
        &events_path(&namespace, &scope, group),
    );
    let ns_badge = format!("/{}", namespace.trim_start_matches('/'));
    let title = match group {
        Some(g) => format!("{scope} (Citus group {g})"),
        None => scope.clone(),
    };
    view! {
        <header class="keys-head cluster-head">
            <h1 data-testid="cluster-title">{title}</h1>
            <span class="badge ns">{ns_badge}</span>
        </header>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || initial.get().map(|r| match r {
                Ok(first) => view! { <ClusterLive first events=events.clone() /> }.into_any(),
                Err(e) => {
                    #[cfg(feature = "ssr")]
                    if let (crate::error::AppError::NotFound(_), Some(resp)) = (&e, use_context::<leptos_axum::ResponseOptions>()) {
                        resp.set_status(axum::http::StatusCode::NOT_FOUND);
                    }
                    view! { <ErrorBanner error=e testid="cluster-error" /> }.into_any()
                }
            })}
        </Transition>
    }
}

/// The page body. Each section follows only the part of the model it
/// shows, so a lease renewal moves the countdown and nothing else (an open
/// `<details>` stays open).
#[component]
fn ClusterLive(first: ClusterDetail, events: String) -> impl IntoView {
    // Only a cluster that exists gets a stream.
    let pushed = follow(events);
    let current = Memo::new(move |_| pushed.detail.get().unwrap_or_else(|| first.clone()));
    let cluster = Memo::new(move |_| current.get().cluster);
    let lease = Signal::derive(move || current.get().leader_lease);
    let reachable = Memo::new(move |_| current.get().etcd_reachable);
    let config = Memo::new(move |_| cluster.get().config);
    let history = Memo::new(move |_| cluster.get().history);
    let missing = move || {
        pushed.missing.get().map(|why| {
            view! {
                <div class="banner bad" role="alert" data-testid="cluster-missing">
                    {why}
                    ". Its keys are gone from etcd; the page shows the last state seen."
                </div>
            }
        })
    };
    let stale = move || {
        (!reachable.get()).then(|| view! {
            <div class="banner bad" role="alert">"etcd is unreachable: this is the last state Patrol saw."</div>
        })
    };
    view! {
        <p class="lease-line">
            <WatchBadge state=pushed.state />
            " "
            <LeaseCountdown lease />
        </p>
        {missing}
        {stale}
        {move || view! { <Banners cluster=cluster.get() /> }}
        <ActionPanel cluster />
        <div class="cluster-top">
            <Card title="Topology">
                {move || view! { <Topology cluster=cluster.get() /> }}
            </Card>
            <Card title="Cluster">
                {move || view! { <Facts cluster=cluster.get() /> }}
            </Card>
        </div>
        <Card title="Members">
            {move || view! { <MemberTable cluster=cluster.get() /> }}
        </Card>
        <Card title="Scheduled operations">
            {move || view! { <ScheduledList scheduled=cluster.with(|c| c.scheduled()) /> }}
        </Card>
        <Card title="Replication lag">
            <LagHistory current />
        </Card>
        <Card title="Recent changes">
            <RecentChanges current />
        </Card>
        <Card title="Timeline history">
            {move || view! { <TimelineHistory history=history.get() /> }}
        </Card>
        <section class="card">
            <details>
                <summary><h2 class="inline">"Dynamic configuration"</h2></summary>
                {move || view! { <ConfigView config=config.get() /> }}
            </details>
        </section>
    }
}
