//! Where each member goes in the replication tree: the leader on top,
//! replicas under the member they stream from (`replicatefrom`), sync
//! standbys and vanished members marked. Plain deterministic arithmetic, so
//! the server and the browser draw the same picture.

use std::collections::BTreeMap;

use super::{Cluster, Member, Role};

pub const NODE_W: u32 = 160;
pub const NODE_H: u32 = 54;
pub const GAP: u32 = 16;
pub const SLOT: u32 = NODE_W + GAP;
/// Room between levels, for the edge and its lag label.
pub const LEVEL: u32 = NODE_H + 46;
pub const MARGIN: u32 = 8;
pub const NOTE_H: u32 = 22;
/// Wide enough for the standby-cluster note.
pub const NOTE_W: u32 = 300;
/// The placeholder root's name when no member holds the leader key.
pub const NO_LEADER: &str = "(no leader)";
pub const STANDBY_NOTE: &str = "standby cluster — follows a remote primary";

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// The member holding the leader key.
    Leader,
    /// Any other member with a key.
    Replica,
    /// A member whose key vanished (lease expired or removed).
    Gone,
    /// No leader, or a leader key naming a member without a member key.
    NoLeader,
}

/// One box of the picture; `x`, `y` are its top-left corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub kind: NodeKind,
    pub role: Role,
    pub state: String,
    /// `host:port`, when the member published it.
    pub host: Option<String>,
    pub running: bool,
    /// Named in the `sync` key.
    pub sync: bool,
    pub depth: u32,
    pub x: u32,
    pub y: u32,
}

/// A replication link from `from` (upstream) to `to`, with its drawn ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub sync: bool,
    pub gone: bool,
    /// The larger of receive and replay lag of `to`.
    pub lag: Option<u64>,
    /// Beyond `maximum_lag_on_failover`.
    pub lag_bad: bool,
    /// Bottom centre of `from`, top centre of `to`.
    pub ends: (u32, u32, u32, u32),
}

/// The whole picture, nodes by name, edges by their lower end's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub width: u32,
    pub height: u32,
    /// Standby cluster: the root follows a remote primary.
    pub standby: bool,
}

/// Lays the cluster out as a tree rooted at the leader (or a "no leader"
/// placeholder); empty when the cluster has no members at all.
pub fn layout(cluster: &Cluster) -> Layout {
    // Live members win over a gone namesake that came back.
    let mut all: BTreeMap<&str, (&Member, bool)> = BTreeMap::new();
    for g in &cluster.gone {
        all.insert(&g.member.name, (&g.member, true));
    }
    for m in &cluster.members {
        all.insert(&m.name, (m, false));
    }
    let standby = cluster.standby_cluster
        || cluster
            .members
            .iter()
            .any(|m| m.role == Role::StandbyLeader);
    if all.is_empty() {
        return Layout {
            standby,
            ..Layout::default()
        };
    }
    let root = cluster.leader.as_deref().unwrap_or(NO_LEADER);
    let mut parent: BTreeMap<&str, &str> = all
        .iter()
        .filter(|(name, _)| **name != root)
        .map(|(name, (m, _))| {
            let up = m
                .replicatefrom()
                .filter(|p| p != name && all.contains_key(p));
            (*name, up.unwrap_or(root))
        })
        .collect();
    break_cycles(&mut parent, root);
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (child, up) in &parent {
        children.entry(*up).or_default().push(*child);
    }
    let mut placed = Vec::new();
    let mut slots = 0;
    place(root, 0, &children, &mut slots, &mut placed);
    let depth = placed.iter().map(|p| p.2).max().unwrap_or(0);
    let top = MARGIN + if standby { NOTE_H } else { 0 };
    let tree_w = 2 * MARGIN + slots * SLOT - GAP;
    let width = if standby { tree_w.max(NOTE_W) } else { tree_w };
    let shift = (width - tree_w) / 2;
    let at = |cx: u32, d: u32| (cx + shift - NODE_W / 2, top + d * LEVEL);
    let placeholder = Member {
        name: root.to_owned(),
        role: Role::Other("none".into()),
        ..Member::default()
    };
    let mut nodes: Vec<Node> = placed
        .iter()
        .map(|&(name, cx, d)| match all.get(name) {
            Some(&(m, true)) => node(cluster, m, NodeKind::Gone, d, at(cx, d)),
            Some(&(m, false)) if name == root => node(cluster, m, NodeKind::Leader, d, at(cx, d)),
            Some(&(m, false)) => node(cluster, m, NodeKind::Replica, d, at(cx, d)),
            None => node(cluster, &placeholder, NodeKind::NoLeader, d, at(cx, d)),
        })
        .collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    let find = |name: &str| nodes.iter().find(|n| n.name == name);
    let edges = parent
        .iter()
        .filter_map(|(child, up)| {
            let (c, p) = (find(child)?, find(up)?);
            let (m, gone) = all.get(child).copied()?;
            let lag = m
                .receive_lag_bytes
                .max(m.replay_lag_bytes)
                .filter(|_| !gone);
            Some(Edge {
                from: p.name.clone(),
                to: c.name.clone(),
                sync: c.sync,
                gone,
                lag,
                lag_bad: !gone && m.lag_ok == Some(false),
                ends: (p.x + NODE_W / 2, p.y + NODE_H, c.x + NODE_W / 2, c.y),
            })
        })
        .collect();
    let height = top + depth * LEVEL + NODE_H + MARGIN;
    Layout {
        nodes,
        edges,
        width,
        height,
        standby,
    }
}

/// Reattaches the alphabetically first member of each `replicatefrom` loop
/// to the root, until every chain ends there.
fn break_cycles<'a>(parent: &mut BTreeMap<&'a str, &'a str>, root: &'a str) {
    let names: Vec<&str> = parent.keys().copied().collect();
    for start in names {
        let mut path = vec![start];
        while let Some(&up) = path.last().and_then(|at| parent.get(*at)) {
            if let Some(i) = path.iter().position(|&q| q == up) {
                if let Some(&min) = path[i..].iter().min() {
                    parent.insert(min, root);
                }
                path = vec![start];
                continue;
            }
            path.push(up);
        }
    }
}

/// Places `name`'s subtree: leaves take the next slot left to right, a parent
/// sits over its children. Returns `name`'s centre x.
fn place<'a>(
    name: &'a str,
    depth: u32,
    children: &BTreeMap<&'a str, Vec<&'a str>>,
    slots: &mut u32,
    out: &mut Vec<(&'a str, u32, u32)>,
) -> u32 {
    let kids = children.get(name).map_or(&[][..], Vec::as_slice);
    let cx = match kids.split_first() {
        None => {
            *slots += 1;
            MARGIN + (*slots - 1) * SLOT + NODE_W / 2
        }
        Some((first, rest)) => {
            let left = place(first, depth + 1, children, slots, out);
            let right = rest
                .iter()
                .fold(left, |_, k| place(k, depth + 1, children, slots, out));
            (left + right) / 2
        }
    };
    out.push((name, cx, depth));
    cx
}

fn node(cluster: &Cluster, m: &Member, kind: NodeKind, depth: u32, (x, y): (u32, u32)) -> Node {
    let host = m.host.as_ref().map(|h| match (m.port, h.contains(':')) {
        (Some(p), true) => format!("[{h}]:{p}"),
        (Some(p), false) => format!("{h}:{p}"),
        (None, _) => h.clone(),
    });
    let named = cluster.sync_standbys.contains(&m.name);
    Node {
        name: m.name.clone(),
        kind,
        role: m.role.clone(),
        state: m.state.clone(),
        host,
        running: m.is_running(),
        sync: kind == NodeKind::Replica
            && (named || matches!(m.role, Role::SyncStandby | Role::QuorumStandby)),
        depth,
        x,
        y,
    }
}

/// The replication tree of `cluster`, drawn.
/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((i, _)) if text.chars().count() > max => format!("{}…", &text[..i]),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patroni::GoneMember;

    /// Members as `(name, replicatefrom)`; the leader's role follows `leader`.
    fn cluster(leader: Option<&str>, spec: &[(&str, &str)]) -> Cluster {
        let kvs: Vec<(&[u8], &[u8])> = vec![(b"/pg/a/config", b"{}")];
        let mut c = crate::patroni::clusters_in_namespace("/pg", kvs).remove(0);
        c.leader = leader.map(Into::into);
        c.members = spec
            .iter()
            .map(|&(n, from)| member(n, from, leader == Some(n)))
            .collect();
        c
    }

    fn member(name: &str, from: &str, leads: bool) -> Member {
        let mut m = Member {
            name: name.into(),
            state: "running".into(),
            ..Member::default()
        };
        m.role = if leads { Role::Leader } else { Role::Replica };
        if !from.is_empty() {
            m.tags.insert("replicatefrom".into(), from.into());
        }
        m
    }

    fn edges(l: &Layout) -> Vec<String> {
        l.edges
            .iter()
            .map(|e| format!("{}->{}", e.from, e.to))
            .collect()
    }

    #[test]
    fn cascades_under_replicatefrom_and_marks_sync() {
        let mut c = cluster(Some("a"), &[("c", "b"), ("a", ""), ("b", "")]);
        c.sync_standbys = vec!["b".into()];
        let l = layout(&c);
        assert_eq!(edges(&l), ["a->b", "b->c"]);
        let at: Vec<_> = l
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.depth, n.x))
            .collect();
        assert_eq!(at, [("a", 0, MARGIN), ("b", 1, MARGIN), ("c", 2, MARGIN)]);
        assert!(l.edges[0].sync && !l.edges[1].sync && l.nodes[1].sync);
        assert_eq!(
            (l.width, l.height),
            (2 * MARGIN + NODE_W, 2 * MARGIN + 2 * LEVEL + NODE_H)
        );
    }

    #[test]
    fn cycles_and_missing_targets_hang_under_the_leader() {
        let spec = [
            ("a", "b"),
            ("b", "c"),
            ("c", "b"),
            ("d", "nobody"),
            ("e", "e"),
        ];
        let l = layout(&cluster(Some("a"), &spec));
        assert_eq!(edges(&l), ["a->b", "b->c", "a->d", "a->e"]);
        assert!(l
            .nodes
            .iter()
            .all(|n| n.x + NODE_W <= l.width && n.y + NODE_H <= l.height));
        // The leader sits over its children: b (with c below), d, e.
        assert_eq!(l.nodes[0].x, MARGIN + SLOT);
    }

    #[test]
    fn gone_members_stay_in_the_picture() {
        let mut c = cluster(Some("a"), &[("a", ""), ("b", "")]);
        c.gone = vec![
            GoneMember {
                member: member("z", "b", false),
                since_ms: 1,
            },
            GoneMember {
                member: member("b", "", false),
                since_ms: 1,
            },
        ];
        let l = layout(&c);
        assert_eq!(edges(&l), ["a->b", "b->z"]);
        let kinds: Vec<_> = l.nodes.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [NodeKind::Leader, NodeKind::Replica, NodeKind::Gone]);
        assert!(l.edges[1].gone && l.edges[1].lag.is_none());
    }

    #[test]
    fn no_leader_puts_everyone_under_a_placeholder() {
        let mut c = cluster(None, &[("b", ""), ("c", "")]);
        c.standby_cluster = true;
        let l = layout(&c);
        assert_eq!(edges(&l), ["(no leader)->b", "(no leader)->c"]);
        assert_eq!(l.nodes[0].kind, NodeKind::NoLeader);
        assert!(l.standby && l.width >= NOTE_W);
        let l = layout(&cluster(Some("ghost"), &[("b", "")]));
        assert_eq!(
            (edges(&l), l.nodes[1].kind),
            (vec!["ghost->b".to_owned()], NodeKind::NoLeader)
        );
    }

    #[test]
    fn no_members_no_nodes() {
        let l = layout(&cluster(Some("ghost"), &[]));
        assert!(l.nodes.is_empty() && l.edges.is_empty());
        assert_eq!(
            (clip("abcdef", 4), clip("abcd", 4)),
            ("abc…".into(), "abcd".into())
        );
    }
}
