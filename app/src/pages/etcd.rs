//! `/etcd`: the etcd cluster Patroni depends on, as `etcdctl endpoint
//! status --cluster` shows it, with quorum and alarms; refreshed every few
//! seconds while open; below it, the upgrade readiness check.

mod action;
mod admin;
mod alarm;
mod answer;
mod call;
mod client;
mod compact;
mod defragment;
mod dialog;
mod kept;
mod leader;
mod learner_env;
mod members;
mod membership;
mod pick;
mod readiness;
mod snapshot;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::ticker::ticker;
use crate::components::time::utc;
use crate::error::AppError;
use crate::etcd::EtcdStatus;
use admin::EtcdAdmin;
use members::MemberTable;
use readiness::ReadinessCard;

/// The etcd cluster as `GET /api/v1/etcd/status` shows it, from the one
/// reading every open page shares: a new one every few seconds while
/// someone looks, however many look.
#[server(endpoint = "etcd_status", client = crate::fleet::client::ScopedClient)]
pub async fn get_etcd_status() -> Result<EtcdStatus, AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::etcd::status::shared_status(&state.etcd).await
}

/// The etcd page.
#[component]
pub fn EtcdPage() -> impl IntoView {
    let tick = ticker(crate::etcd::STATUS_EVERY);
    let status = Resource::new(move || tick.get(), |_| get_etcd_status());
    let latest = Signal::derive(move || status.get().and_then(Result::ok));
    view! {
        <Title text="etcd · Patrol" />
        <Transition fallback=|| view! { <h1>"etcd"</h1><p class="muted">"Loading…"</p> }>
            {move || status.get().map(|r| match r {
                Ok(s) => view! { <EtcdBody status=s /> }.into_any(),
                Err(e) => view! {
                    <h1>"etcd"</h1>
                    <p class="banner bad" role="alert" data-testid="etcd-error">{e.to_string()}</p>
                }.into_any(),
            })}
            // Outside the readings above, so an open dialog outlives each refresh.
            <EtcdAdmin status=latest />
            {move || latest.get().map(|s| view! {
                <h2 class="etcd-members-title">"Members"</h2>
                <MemberTable members=s.members />
            })}
        </Transition>
        // Its own check and refresh, slower than the status above.
        <ReadinessCard />
    }
}

#[component]
fn EtcdBody(status: EtcdStatus) -> impl IntoView {
    let risks = status.risks();
    let read_at = utc(status.read_at_ms);
    let risks = (!risks.is_empty()).then(|| {
        view! {
            <div class="banner warn" role="status" data-testid="etcd-risks">
                <ul>{risks.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            </div>
        }
    });
    view! {
        <header class="keys-head etcd-head">
            <h1>"etcd"</h1>
            <span class="muted small" data-testid="read-at" data-ms=status.read_at_ms>
                {format!("read at {read_at}")}
            </span>
        </header>
        {risks}
        <Facts status />
    }
}

/// Cluster-wide facts: ID, revisions, quorum, alarms.
#[component]
fn Facts(status: EtcdStatus) -> impl IntoView {
    let leader = status
        .members
        .iter()
        .find(|m| m.is_leader)
        .map_or_else(|| "none".to_owned(), |m| m.label().to_owned());
    let no_leader = leader == "none";
    let compacted = status
        .compact_revision
        .map_or_else(|| "none".to_owned(), |r| format!("revisions before {r}"));
    let lost = status.quorum.healthy_voting < status.quorum.voting / 2 + 1;
    let degraded = status.quorum.can_lose == 0;
    let alarms = if status.alarms.is_empty() {
        "none".to_owned()
    } else {
        status.alarm_words().join(", ")
    };
    let alarmed = !status.alarms.is_empty();
    view! {
        <dl class="etcd-facts">
            <div class="card">
                <dt>"Quorum"</dt>
                <dd data-testid="quorum" class:bad=lost class:warn=degraded && !lost>{status.quorum.words.clone()}</dd>
            </div>
            <div class="card">
                <dt>"Leader"</dt>
                <dd data-testid="etcd-leader" class:bad=no_leader>{leader}</dd>
            </div>
            <div class="card">
                <dt>"Alarms"</dt>
                <dd data-testid="alarms" class:bad=alarmed>{alarms}</dd>
            </div>
            <div class="card">
                <dt>"Revision"</dt>
                <dd data-testid="revision">{status.revision}</dd>
            </div>
            <div class="card">
                <dt>"Compacted"</dt>
                <dd data-testid="compact-revision">{compacted}</dd>
            </div>
            <div class="card">
                <dt>"Cluster ID"</dt>
                <dd><code data-testid="etcd-cluster-id">{status.cluster_id.clone()}</code></dd>
            </div>
        </dl>
    }
}
