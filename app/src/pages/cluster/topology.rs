//! The replication tree as an inline SVG, laid out by
//! [`crate::patroni::topology`].

use leptos::prelude::*;

use crate::patroni::lag::human_bytes;
use crate::patroni::topology::*;
use crate::patroni::Cluster;

#[component]
pub fn Topology(cluster: Cluster) -> impl IntoView {
    let l = layout(&cluster);
    if l.nodes.is_empty() {
        return view! { <p class="muted" data-testid="topology-empty">"No member keys: nothing to draw."</p> }
            .into_any();
    }
    let note = l.standby.then(|| {
        view! { <text class="topo-note" x=l.width / 2 y=MARGIN + 12 text-anchor="middle">{STANDBY_NOTE}</text> }
    });
    let standby = l.standby;
    let label = format!("Replication topology of {}", cluster.scope);
    view! {
        <svg
            class="topology"
            data-testid="topology"
            viewBox=format!("0 0 {} {}", l.width, l.height)
            // Its natural width, shrunk to fit by the stylesheet: an inline
            // `style` would need 'unsafe-inline' in the Content-Security-Policy.
            width=l.width
            role="img"
            aria-label=label
        >
            {note}
            {l.edges.into_iter().map(edge_view).collect_view()}
            {l.nodes.into_iter().map(|n| node_view(n, standby)).collect_view()}
        </svg>
    }
    .into_any()
}

fn edge_view(e: Edge) -> impl IntoView {
    let (x1, y1, x2, y2) = e.ends;
    let mid = (y1 + y2) / 2;
    let d = format!("M{x1} {y1} C{x1} {mid} {x2} {mid} {x2} {y2}");
    let text = match (e.sync, e.lag.map(human_bytes)) {
        (true, Some(lag)) => Some(format!("sync · {lag}")),
        (true, None) => Some("sync".to_owned()),
        (false, lag) => lag,
    };
    view! {
        <g class="topo-edge" class:sync=e.sync class:gone=e.gone data-edge=format!("{}->{}", e.from, e.to)>
            <path d=d fill="none" stroke="currentColor" />
            {text.map(|t| view! { <text class="topo-lag" class:bad=e.lag_bad x=x2 + 6 y=y2 - 8>{t}</text> })}
        </g>
    }
}

fn node_view(n: Node, standby: bool) -> impl IntoView {
    let role = match n.depth == 0 && standby {
        true => "standby leader".to_owned(),
        false => n.role.as_str().replace('_', " "),
    };
    let sub = match n.kind {
        NodeKind::NoLeader if n.name == NO_LEADER => "no leader".to_owned(),
        NodeKind::NoLeader => "leader without member key".to_owned(),
        NodeKind::Gone => format!("gone · {role}"),
        _ if !n.running => format!("{role} · {}", n.state),
        _ => role,
    };
    let host = n.host.clone().unwrap_or_default();
    let title = format!("{} · {sub} {host}", n.name);
    let (kind, real) = (n.kind, n.kind != NodeKind::NoLeader);
    // A gone member's state is as last seen; the placeholder has none.
    let down = !n.running && matches!(kind, NodeKind::Leader | NodeKind::Replica);
    let cx = NODE_W / 2;
    view! {
        <g
            class="topo-node"
            class:leader=kind == NodeKind::Leader
            class:gone=kind == NodeKind::Gone
            class:placeholder=!real
            class:sync=n.sync
            class:down=down
            data-node=real.then(|| n.name.clone())
            data-role=real.then(|| n.role.as_str().to_owned())
            data-gone=(kind == NodeKind::Gone).then_some("true")
            data-testid=(!real).then_some("no-leader")
            transform=format!("translate({} {})", n.x, n.y)
        >
            <title>{title}</title>
            <rect width=NODE_W height=NODE_H rx="8" />
            <text class="topo-name" x=cx y="18" text-anchor="middle">{clip(&n.name, 18)}</text>
            <text class="topo-sub" x=cx y="33" text-anchor="middle">{clip(&sub, 26)}</text>
            <text class="topo-host" x=cx y="47" text-anchor="middle">{clip(&host, 26)}</text>
        </g>
    }
}
