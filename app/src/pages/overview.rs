//! `/`: every Patroni cluster under the configured namespaces, live.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::time::utc;
use crate::live::use_live;
use crate::model::{Cluster, EtcdStatus, Member, Overview};

/// The cluster overview.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let live = use_live();
    view! {
        <Title text="Clusters · Patrol" />
        <h1>"Clusters"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                live.overview()
                    .map(|r| match r {
                        Ok(o) => view! { <OverviewBody overview=o /> }.into_any(),
                        Err(e) => view! { <p class="banner bad">{e.to_string()}</p> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn OverviewBody(overview: Overview) -> impl IntoView {
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
            {clusters.into_iter().map(|c| view! { <ClusterCard cluster=c /> }).collect_view()}
        </div>
    }
}

/// Says plainly when etcd is out of reach and how old the shown data is.
#[component]
fn EtcdBanner(etcd: EtcdStatus) -> impl IntoView {
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

#[component]
fn ClusterCard(cluster: Cluster) -> impl IntoView {
    let Cluster {
        namespace,
        scope,
        citus_group,
        leader,
        paused,
        members,
        warnings,
    } = cluster;
    let title = match citus_group {
        Some(g) => format!("{scope} (Citus group {g})"),
        None => scope.clone(),
    };
    let no_leader = leader.is_none();
    let running = members
        .iter()
        .filter(|m| m.state == "running" || m.state == "streaming")
        .count();
    let count = members.len();
    let ns_badge = namespace.clone();
    view! {
        <section class="card cluster" class:broken=no_leader data-testid="cluster" data-namespace=namespace data-scope=scope>
            <header class="card-head">
                <h2>{title}</h2>
                <span class="badge ns">{ns_badge}</span>
                {paused.then(|| view! { <span class="badge warn" data-testid="paused">"paused"</span> })}
            </header>
            <dl class="facts">
                <dt>"Leader"</dt>
                <dd data-testid="leader" class:bad=no_leader>{leader.unwrap_or_else(|| "none".into())}</dd>
                <dt>"Members"</dt>
                <dd data-testid="member-count">{format!("{count} ({running} running)")}</dd>
            </dl>
            <div class="table-wrap">
                <table class="members">
                    <thead>
                        <tr>
                            <th>"Member"</th>
                            <th>"Role"</th>
                            <th>"State"</th>
                            <th>"TL"</th>
                            <th>"Host"</th>
                            <th>"REST API"</th>
                        </tr>
                    </thead>
                    <tbody>{members.into_iter().map(|m| view! { <MemberRow member=m /> }).collect_view()}</tbody>
                </table>
            </div>
            {(!warnings.is_empty()).then(|| view! {
                <ul class="warnings" data-testid="warnings">
                    {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
fn MemberRow(member: Member) -> impl IntoView {
    let host = match (&member.host, member.port) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.clone(),
        _ => "?".into(),
    };
    let role = member.role.as_str().to_owned();
    let timeline = member
        .timeline
        .map_or_else(|| "?".into(), |t| t.to_string());
    let name = member.name.clone();
    view! {
        <tr data-testid="member" data-member=name>
            <td>{member.name}</td>
            <td>
                <span class=format!("role role-{role}")>{role.replace('_', " ")}</span>
            </td>
            <td>{member.state}</td>
            <td>{timeline}</td>
            <td>
                <code>{host}</code>
            </td>
            <td>
                <code>{member.api_url.unwrap_or_default()}</code>
            </td>
        </tr>
    }
}
