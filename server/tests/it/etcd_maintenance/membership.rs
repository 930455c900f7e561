//! Membership changes on a throwaway cluster: a learner added, started,
//! promoted and removed; removals that would cost the quorum refused.

use std::time::{Duration, Instant};

use app::error::AppError;
use app::etcd::membership::{add_learner, promote, remove_member};

use crate::common::free_port;
use crate::scratch::{wait_for, when_settled, Cluster};

#[tokio::test]
async fn a_learner_joins_is_promoted_and_leaves() {
    let (mut cluster, gw, _) = Cluster::start_ready("learner", 3, &[]).await;
    let peer = format!("http://127.0.0.1:{}", free_port());
    let peers = std::slice::from_ref(&peer);
    let added = when_settled(|| add_learner(&gw, "m4", peers))
        .await
        .expect("add learner");
    assert!(added.is_learner);
    assert!(
        added.initial_cluster.contains(&format!("m4={peer}")),
        "{added:?}"
    );
    assert_eq!(added.initial_cluster.split(',').count(), 4);

    // etcd 3.4 answers a member list from the member asked, which may
    // apply the addition a moment after the leader does.
    let status = wait_for(&gw, "the learner listed", |s| s.members.len() == 4).await;
    assert_eq!(status.members.len(), 4);
    assert_eq!((status.quorum.voting, status.quorum.can_lose), (3, 1));
    assert!(
        status.quorum.words.ends_with("(and 1 learner)"),
        "{}",
        status.quorum.words
    );
    assert!(status.risks().is_empty(), "{:?}", status.risks());
    // Not started yet: nothing to promote.
    let early = promote(&gw, &added.id).await;
    assert!(matches!(early, Err(AppError::Conflict(_))), "{early:?}");

    cluster.join("m4", &peer, &added.initial_cluster);
    wait_for(&gw, "learner up", |s| {
        s.members
            .iter()
            .any(|m| m.id == added.id && m.healthy && m.is_learner)
    })
    .await;
    // etcd promotes a learner only once it has caught up with the leader.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match promote(&gw, &added.id).await {
            Ok(_) => break,
            Err(AppError::Conflict(e)) if Instant::now() < deadline => {
                eprintln!("not yet: {e}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => panic!("promote: {e}"),
        }
    }
    // Members apply the promotion one after another.
    let four = wait_for(&gw, "m4 votes", |s| s.quorum.healthy_voting == 4).await;
    assert_eq!((four.quorum.voting, four.quorum.can_lose), (4, 1));
    assert!(four.members.iter().all(|m| !m.is_learner));

    when_settled(|| remove_member(&gw, &added.id))
        .await
        .expect("remove m4");
    let three = wait_for(&gw, "m4 gone", |s| s.members.len() == 3).await;
    assert!(three.members.iter().all(|m| m.id != added.id));
    assert_eq!(three.quorum.words, "3 voting members, can lose 1");
}

#[tokio::test]
async fn a_removal_that_would_cost_the_quorum_is_refused() {
    let (mut cluster, gw, _) = Cluster::start_ready("remove", 3, &[]).await;
    cluster.kill(2);
    let status = wait_for(&gw, "m3 down", |s| s.quorum.healthy_voting == 2).await;
    assert_eq!(
        status.risks(),
        ["etcd: 1 of 3 voting members is down; one more loss stops Patroni"]
    );
    let id = |name: &str| {
        status
            .members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id.clone())
            .expect("member")
    };
    // m1 leaving would leave m2 alone of two voting members: no quorum.
    let refused = remove_member(&gw, &id("m1")).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
    // The dead member may go: m1 and m2 are a quorum of two.
    let m3 = id("m3");
    when_settled(|| remove_member(&gw, &m3))
        .await
        .expect("remove m3");
    let two = wait_for(&gw, "m3 gone", |s| s.members.len() == 2).await;
    assert_eq!(two.quorum.healthy_voting, 2);
    assert_eq!(two.quorum.words, "2 voting members, can lose 0");
}
