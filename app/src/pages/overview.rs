//! `/`: every Patroni cluster under the configured namespaces, live; with
//! several etcd clusters, the fleet (see [`super::fleet`]), and under
//! `/e/<name>/clusters` one etcd cluster's.

use leptos::prelude::*;
use leptos_meta::Title;

use super::cluster_card::{ClusterCard, Link};
use crate::components::loaded::loaded;
use crate::components::time::utc;
use crate::fleet::{use_etcd, FleetOverview};
use crate::live::use_live;
use crate::model::{EtcdConnection, Overview};

/// The cluster overview.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let live = use_live();
    let etcd = use_etcd();
    // Drawn once from the page's first overview: the fleet keeps its
    // filters and the reader's open groups while the stream redraws the
    // rest underneath.
    let body = move |fleet: FleetOverview| match etcd.get() {
        None if fleet.is_fleet() => view! { <super::fleet::FleetBody fleet live /> }.into_any(),
        here => (move || match live.fleet() {
            Some(Ok(fleet)) => match fleet.site(here.as_deref()) {
                Some(site) => {
                    let overview = site.overview.clone();
                    view! { <OverviewBody overview link=Link::within(here.clone()) /> }.into_any()
                }
                None => view! { <p class="banner bad">"No such etcd cluster."</p> }.into_any(),
            },
            _ => ().into_any(),
        })
        .into_any(),
    };
    view! {
        <Title text="Clusters · Patrol" />
        <h1>"Clusters"</h1>
        {loaded(move || live.first(), body)}
    }
}

#[component]
pub fn OverviewBody(overview: Overview, link: Link) -> impl IntoView {
    let Overview {
        etcd,
        namespaces,
        clusters,
    } = overview;
    let empty = clusters.is_empty().then(|| {
        let where_ = namespaces.join(", ");
        view! { <p class="muted" data-testid="no-clusters">{format!("No Patroni clusters under {where_}.")}</p> }
    });
    let stale = !etcd.reachable;
    view! {
        <EtcdBanner etcd />
        {empty}
        <div class="clusters" class:stale=stale>
            {clusters.into_iter().map(|c| view! { <ClusterCard cluster=c link=link.clone() /> }).collect_view()}
        </div>
    }
}

/// Says plainly when etcd is out of reach and how old the shown data is.
#[component]
pub fn EtcdBanner(etcd: EtcdConnection) -> impl IntoView {
    (!etcd.reachable).then(|| {
        let reason = etcd.error.unwrap_or_else(|| "no answer yet".into());
        let age = match etcd.last_contact_ms {
            Some(ms) => format!(
                "Showing the last state seen at {} (revision {}).",
                utc(ms),
                etcd.revision
            ),
            None => "Patrol has not reached etcd since it started; nothing to show yet.".into(),
        };
        view! {
            <div class="banner bad" role="alert" data-testid="etcd-unreachable">
                <strong>"etcd is unreachable. "</strong>
                {reason}
                <br />
                {age}
                " Patrol keeps retrying."
            </div>
        }
    })
}
