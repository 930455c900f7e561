//! A Patroni cluster as the overviews show it: a card with its leader,
//! members, streaming and lag, linking to its page.

use leptos::prelude::*;

use crate::cluster::page_path;
use crate::fleet::at;
use crate::model::{ClusterSummary, Health};
use crate::patroni::lag::human_bytes;
use crate::patroni::MemberBrief;

/// Where a cluster card links: its etcd cluster's prefix (none for the
/// home one's unprefixed pages), and `rel` when that is another etcd
/// cluster than the page's.
#[derive(Debug, Clone, Default)]
pub struct Link {
    pub etcd: Option<String>,
    pub rel: Option<&'static str>,
}

impl Link {
    /// Links within the page's own etcd cluster.
    pub fn within(etcd: Option<String>) -> Link {
        Link { etcd, rel: None }
    }
}

#[component]
pub fn ClusterCard(cluster: ClusterSummary, link: Link) -> impl IntoView {
    let ClusterSummary {
        namespace,
        scope,
        citus_group,
        leader,
        paused,
        standby_cluster,
        standby_source,
        members,
        running,
        streaming,
        replicas,
        max_lag_bytes,
        lagging,
        health,
        problems,
        scheduled_switchover,
        ..
    } = cluster;
    let (title, href) = target(&namespace, &scope, citus_group, &link);
    let no_leader = leader.is_none();
    let count = members.len();
    let ns_badge = namespace.clone();
    let health_class = format!("badge health health-{}", health.as_str().replace(' ', "-"));
    let lag = max_lag_bytes.map_or_else(|| "–".into(), human_bytes);
    view! {
        <section
            class="card cluster"
            class:broken=no_leader
            class:degraded=health == Health::Degraded
            data-testid="cluster"
            data-namespace=namespace
            data-scope=scope
            data-health=health.as_str()
        >
            <header class="card-head">
                <h2>
                    <a href=href rel=link.rel data-testid="cluster-link">{title}</a>
                </h2>
                <span class="badge ns">{ns_badge}</span>
                <span class=health_class data-testid="health">{health.as_str()}</span>
                {paused.then(|| view! { <span class="badge warn" data-testid="paused">"paused"</span> })}
                {standby_cluster.then(|| view! { <span class="badge" data-testid="standby-badge">"standby cluster"</span> })}
                {scheduled_switchover.then(|| view! { <span class="badge warn">"switchover pending"</span> })}
            </header>
            <dl class="facts">
                <dt>"Leader"</dt>
                <dd data-testid="leader" class:bad=no_leader>{leader.unwrap_or_else(|| "none".into())}</dd>
                {standby_source.map(|s| view! {
                    <dt>"Follows"</dt>
                    <dd data-testid="standby-source">{s}</dd>
                })}
                <dt>"Members"</dt>
                <dd data-testid="member-count">{format!("{count} ({running} running)")}</dd>
                <dt>"Streaming"</dt>
                <dd data-testid="streaming" class:bad=streaming < replicas>{format!("{streaming} of {replicas} replicas")}</dd>
                <dt>"Max lag"</dt>
                <dd data-testid="max-lag" class:bad=lagging != 0>{lag}</dd>
            </dl>
            <ul class="member-chips">
                {members.into_iter().map(|m| view! { <MemberChip member=m /> }).collect_view()}
            </ul>
            {(!problems.is_empty()).then(|| view! {
                <p class="problems" data-testid="problems">{problems.join(" · ")}</p>
            })}
        </section>
    }
}

/// A cluster's title and the address of its page.
fn target(namespace: &str, scope: &str, citus_group: Option<u32>, link: &Link) -> (String, String) {
    let title = match citus_group {
        Some(g) => format!("{scope} (Citus group {g})"),
        None => scope.to_owned(),
    };
    let href = at(
        link.etcd.as_deref(),
        &page_path(namespace, scope, citus_group),
    );
    (title, href)
}

/// A healthy cluster among many: one line with its name, namespace and
/// leader, linking to its page, so that a group of hundreds leaves room for
/// the ones that need a look.
#[component]
pub fn ClusterBrief(cluster: ClusterSummary, link: Link) -> impl IntoView {
    let (title, href) = target(
        &cluster.namespace,
        &cluster.scope,
        cluster.citus_group,
        &link,
    );
    let leader = cluster.leader.unwrap_or_else(|| "no leader".into());
    let facts = format!("{leader} · {} members", cluster.members.len());
    let (namespace, ns_badge) = (cluster.namespace.clone(), cluster.namespace);
    view! {
        <li class="brief" data-testid="cluster-brief" data-namespace=namespace
            data-scope=cluster.scope data-health=cluster.health.as_str()>
            <a href=href rel=link.rel data-testid="cluster-link">{title}</a>
            <span class="badge ns">{ns_badge}</span>
            <span class="muted small" data-testid="leader">{facts}</span>
        </li>
    }
}

#[component]
fn MemberChip(member: MemberBrief) -> impl IntoView {
    let role = member.role.as_str().to_owned();
    let shown = member.shown_state().to_owned();
    let title = match (&member.host, member.port) {
        (Some(h), Some(p)) => format!("{} · {h}:{p} · {shown}", member.name),
        _ => format!("{} · {shown}", member.name),
    };
    let down = !matches!(member.state.as_str(), "running" | "streaming");
    let lagging = member.lag_ok == Some(false);
    let attr = member.name.clone();
    view! {
        <li class="chip" class:down=down class:lagging=lagging data-testid="member" data-member=attr
            data-state=shown title=title>
            <span class="chip-name">{member.name}</span>
            <span class=format!("role role-{role}")>{role.replace('_', " ")}</span>
        </li>
    }
}
