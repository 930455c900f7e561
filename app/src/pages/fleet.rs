//! `/` when Patrol serves several etcd clusters: each etcd cluster with its
//! health and its Patroni clusters, the worst first, with filters by etcd
//! cluster, namespace, state and name. Each etcd cluster is a group that
//! folds, so a thousand Patroni clusters stay readable.

use std::collections::BTreeMap;

use leptos::html::Details;
use leptos::prelude::*;

use super::cluster_card::{ClusterBrief, ClusterCard, Link};
use crate::components::time::utc;
use crate::fleet::{rel_between, FleetOverview, SiteOverview};
use crate::live::Live;
use crate::model::{ClusterSummary, Health};

/// Groups with more clusters than this start folded when all are healthy,
/// and show their healthy clusters one line each.
const FOLD_HEALTHY_OVER: usize = 50;

/// What the reader chose on the fleet page: the filters and the groups
/// opened or folded by hand. Kept across live updates, which redraw the
/// groups many times a minute in a big fleet.
#[derive(Clone, Copy)]
struct Choice {
    filter: Filter,
    /// Groups whose reader made them differ from their default.
    opened: RwSignal<BTreeMap<String, bool>>,
}

/// The fleet: filters, drawn once, then one group per etcd cluster,
/// redrawn as the stream brings news. `fleet` is what the page loaded with.
#[component]
pub fn FleetBody(fleet: FleetOverview, live: Live) -> impl IntoView {
    let etcd = RwSignal::new(String::new());
    let namespace = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let sites = fleet.sites;
    let mut namespaces: Vec<String> = sites
        .iter()
        .flat_map(|s| s.overview.namespaces.iter().cloned())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    let mut names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    names.sort();
    let choice = Choice {
        filter: Filter {
            etcd,
            namespace,
            state,
            name,
        },
        opened: RwSignal::new(BTreeMap::new()),
    };
    let groups = move || {
        let mut sites = match live.fleet() {
            Some(Ok(fleet)) => fleet.sites,
            _ => Vec::new(),
        };
        sites.sort_by_key(rank);
        sites
            .into_iter()
            .map(|site| {
                let shown = site.name.clone();
                view! {
                    <div hidden=move || { let e = etcd.get(); !e.is_empty() && e != shown }>
                        <SiteGroup site choice />
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <form class="filters" data-testid="fleet-filters" on:submit=|ev| ev.prevent_default()>
            <label>"etcd cluster "
                <select data-testid="filter-etcd" on:change=move |ev| etcd.set(event_target_value(&ev))>
                    <option value="">"all"</option>
                    {names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"namespace "
                <select data-testid="filter-namespace" on:change=move |ev| namespace.set(event_target_value(&ev))>
                    <option value="">"all"</option>
                    {namespaces.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"state "
                <select data-testid="filter-state" on:change=move |ev| state.set(event_target_value(&ev))>
                    <option value="">"all"</option>
                    <option value="unhealthy">"not healthy"</option>
                    {[Health::NoLeader, Health::Degraded, Health::Paused, Health::Healthy]
                        .map(|h| view! { <option value=h.as_str()>{h.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"name "
                <input type="search" data-testid="filter-name" placeholder="scope contains…"
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
        </form>
        {groups}
    }
}

/// The filters on clusters.
#[derive(Clone, Copy)]
struct Filter {
    etcd: RwSignal<String>,
    namespace: RwSignal<String>,
    state: RwSignal<String>,
    name: RwSignal<String>,
}

impl Filter {
    fn keeps(&self, c: &ClusterSummary) -> bool {
        let (ns, state, name) = (self.namespace.get(), self.state.get(), self.name.get());
        (ns.is_empty() || c.namespace == ns)
            && match state.as_str() {
                "" => true,
                "unhealthy" => c.health != Health::Healthy,
                s => c.health.as_str() == s,
            }
            && (name.is_empty() || c.scope.to_lowercase().contains(&name.to_lowercase()))
    }

    /// Whether any filter is set: a folded group then opens, so what
    /// matches is never hidden inside it.
    fn active(&self) -> bool {
        [self.etcd, self.namespace, self.state, self.name]
            .iter()
            .any(|f| f.with(|v| !v.is_empty()))
    }
}

/// Order of etcd clusters: unreachable, then without quorum or with
/// alarms, then by their worst Patroni cluster.
fn rank(site: &SiteOverview) -> (u8, u8, String) {
    let etcd = if !site.overview.etcd.reachable {
        0
    } else if !site.health.quorum || !site.health.alarms.is_empty() {
        1
    } else {
        2
    };
    let worst = site
        .overview
        .clusters
        .iter()
        .map(|c| match c.health {
            Health::NoLeader => 0,
            Health::Degraded => 1,
            Health::Paused => 2,
            Health::Healthy => 3,
        })
        .min()
        .unwrap_or(3);
    (etcd, worst, site.name.clone())
}

/// One etcd cluster: its health line, then its Patroni clusters.
#[component]
fn SiteGroup(site: SiteOverview, choice: Choice) -> impl IntoView {
    let filter = choice.filter;
    let SiteOverview {
        name,
        home,
        health,
        overview,
    } = site;
    let total = overview.clusters.len();
    let unhealthy = overview
        .clusters
        .iter()
        .filter(|c| c.health != Health::Healthy)
        .count();
    let folded = unhealthy == 0 && total > FOLD_HEALTHY_OVER;
    let etcd = &overview.etcd;
    let (state, words) = if !etcd.reachable {
        let since = etcd.last_contact_ms.map_or_else(
            || "never reached".to_owned(),
            |ms| format!("stale since {}", utc(ms)),
        );
        ("bad", format!("unreachable, {since}"))
    } else if !health.quorum && health.read_at_ms.is_some() {
        ("bad", health.words.clone())
    } else if !health.alarms.is_empty() {
        ("bad", format!("alarm: {}", health.alarms.join(", ")))
    } else if health.read_at_ms.is_none() {
        ("idle", "reading its health…".to_owned())
    } else {
        ("ok", health.words.clone())
    };
    let link = Link {
        etcd: (!home).then(|| name.clone()),
        rel: rel_between(None, (!home).then_some(name.as_str())),
    };
    let etcd_link = crate::fleet::at(link.etcd.as_deref(), "/etcd");
    let clusters = overview.clusters;
    let counts = format!(
        "{total} Patroni cluster{}, {unhealthy} not healthy",
        if total == 1 { "" } else { "s" }
    );
    let stale = !etcd.reachable;
    // Open unless folded by default; any filter opens it, so no match hides
    // inside; the reader's own click wins until it agrees with the default.
    let default = move || !folded || filter.active();
    let (key, opened) = (name.clone(), choice.opened);
    let open = move || {
        opened
            .with(|o| o.get(&key).copied())
            .unwrap_or_else(default)
    };
    let details = NodeRef::<Details>::new();
    let key = name.clone();
    let toggled = move |_| {
        let Some(now) = details.get_untracked().map(|d| d.open()) else {
            return;
        };
        // Only a change notifies: every group's `open` reads the map.
        let agrees = now == untrack(default);
        let known = opened.with_untracked(|o| o.get(&key).copied());
        if agrees && known.is_some() {
            opened.update(|o| {
                o.remove(&key);
            });
        } else if !agrees && known != Some(now) {
            opened.update(|o| {
                o.insert(key.clone(), now);
            });
        }
    };
    view! {
        <details class="site" node_ref=details open=open on:toggle=toggled data-testid="site" data-etcd=name.clone() data-state=state>
            <summary>
                <strong class="site-name">{name.clone()}</strong>
                <a class=format!("badge health-{state}") href=etcd_link rel=link.rel data-testid="site-health">{words}</a>
                <span class="muted" data-testid="site-counts">{counts}</span>
            </summary>
            {health.error.map(|e| view! { <p class="muted small" data-testid="site-error">{format!("Last health reading failed: {e}")}</p> })}
            <div class="clusters" class:stale=stale>
                {move || {
                    let kept: Vec<_> = clusters.iter().filter(|c| filter.keeps(c)).cloned().collect();
                    if kept.is_empty() {
                        return view! { <p class="muted" data-testid="site-none">"No Patroni cluster here matches."</p> }.into_any();
                    }
                    let brief = total > FOLD_HEALTHY_OVER;
                    let (cards, briefs): (Vec<_>, Vec<_>) =
                        kept.into_iter().partition(|c| !brief || c.health != Health::Healthy);
                    let link = link.clone();
                    let briefs = (!briefs.is_empty()).then(|| {
                        let link = link.clone();
                        view! {
                            <ul class="briefs" data-testid="briefs">
                                {briefs.into_iter().map(|c| view! { <ClusterBrief cluster=c link=link.clone() /> }).collect_view()}
                            </ul>
                        }
                    });
                    view! {
                        {cards.into_iter().map(|c| view! { <ClusterCard cluster=c link=link.clone() /> }).collect_view()}
                        {briefs}
                    }
                    .into_any()
                }}
            </div>
        </details>
    }
}
