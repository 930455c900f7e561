//! What must hold before a maintenance step may touch a member: pure
//! functions of an [`EtcdStatus`], so they are tested without etcd.

use super::{parse_hex_id, EtcdMember, EtcdStatus, Quorum};
use crate::error::AppError;

/// The member with this hex ID.
pub fn find<'a>(status: &'a EtcdStatus, id: &str) -> Result<&'a EtcdMember, AppError> {
    let want = parse_hex_id(id)?;
    status
        .members
        .iter()
        .find(|m| parse_hex_id(&m.id).is_ok_and(|have| have == want))
        .ok_or_else(|| AppError::NotFound(format!("no etcd member with ID {id}")))
}

/// The current leader.
pub fn leader(status: &EtcdStatus) -> Result<&EtcdMember, AppError> {
    status
        .members
        .iter()
        .find(|m| m.is_leader)
        .ok_or_else(|| AppError::Unavailable("etcd has no leader right now".into()))
}

/// Defragmenting blocks a member while it runs. It must answer, and
/// blocking it must not cost the quorum: every other voting member must
/// be healthy (a one-member cluster has no choice and may go ahead).
pub fn defrag_check(status: &EtcdStatus, member: &EtcdMember) -> Result<(), AppError> {
    if !member.healthy {
        return Err(AppError::Conflict(format!(
            "{} is not healthy ({}); defragment it once it is",
            member.label(),
            member.error.as_deref().unwrap_or("unknown")
        )));
    }
    let q = &status.quorum;
    if !member.is_learner && q.voting > 1 && q.healthy_voting < q.voting {
        return Err(AppError::Conflict(format!(
            "not while a voting member is down ({}): blocking {} would stop etcd",
            q.words,
            member.label()
        )));
    }
    Ok(())
}

/// Members in the order to defragment: learners and followers by name,
/// the leader last, so leadership is disturbed once at most.
pub fn defrag_order(status: &EtcdStatus) -> Vec<&EtcdMember> {
    let mut order: Vec<&EtcdMember> = status.members.iter().collect();
    order.sort_by(|a, b| (a.is_leader, &a.name, &a.id).cmp(&(b.is_leader, &b.name, &b.id)));
    order
}

/// Removing `member` must leave a voting member and a quorum of healthy
/// voting members among the rest.
pub fn removal_check(status: &EtcdStatus, member: &EtcdMember) -> Result<(), AppError> {
    if member.is_learner {
        return Ok(());
    }
    let q = &status.quorum;
    let voting = q.voting.saturating_sub(1);
    let healthy = q.healthy_voting.saturating_sub(usize::from(member.healthy));
    if voting == 0 {
        return Err(AppError::Conflict(format!(
            "{} is the last voting member",
            member.label()
        )));
    }
    if !Quorum::holds(voting, healthy) {
        return Err(AppError::Conflict(format!(
            "removing {} leaves {healthy} healthy of {voting} voting members, no quorum ({} needed)",
            member.label(),
            Quorum::needed(voting)
        )));
    }
    Ok(())
}

/// Only a learner that answers can be promoted (etcd itself also refuses
/// a learner that has not caught up with the leader).
pub fn promote_check(member: &EtcdMember) -> Result<(), AppError> {
    if !member.is_learner {
        return Err(AppError::Conflict(format!(
            "{} is a voting member already",
            member.label()
        )));
    }
    if !member.healthy {
        return Err(AppError::Conflict(format!(
            "{} is not healthy ({}); it must catch up before promotion",
            member.label(),
            member.error.as_deref().unwrap_or("unknown")
        )));
    }
    Ok(())
}

/// The new leader must be a healthy voting member other than the leader.
pub fn move_leader_check(status: &EtcdStatus, target: &EtcdMember) -> Result<(), AppError> {
    leader(status)?;
    match target.cannot_lead() {
        Some(why) => Err(AppError::Conflict(format!(
            "{} cannot lead: {why}",
            target.label()
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::tests::{member, status};

    fn cluster(healthy: [bool; 3]) -> EtcdStatus {
        let mut members: Vec<_> = (0..3)
            .map(|i| {
                member(
                    &format!("etcd{}", i + 1),
                    &format!("a{i}"),
                    healthy[i],
                    false,
                )
            })
            .collect();
        members[1].is_leader = true;
        status(members, vec![])
    }

    #[test]
    fn members_are_found_by_hex_id() {
        let s = cluster([true; 3]);
        assert_eq!(find(&s, "A1").map(|m| m.name.as_str()), Ok("etcd2"));
        assert!(matches!(find(&s, "ff"), Err(AppError::NotFound(_))));
        assert!(matches!(find(&s, "xyz"), Err(AppError::Invalid(_))));
        assert_eq!(leader(&s).map(|m| m.name.as_str()), Ok("etcd2"));
    }

    #[test]
    fn defrag_goes_leader_last_and_never_costs_the_quorum() {
        let s = cluster([true; 3]);
        let order: Vec<_> = defrag_order(&s).iter().map(|m| m.name.as_str()).collect();
        assert_eq!(order, ["etcd1", "etcd3", "etcd2"]);
        assert!(defrag_check(&s, &s.members[0]).is_ok());
        let one_down = cluster([true, true, false]);
        assert!(matches!(
            defrag_check(&one_down, &one_down.members[0]),
            Err(AppError::Conflict(_))
        ));
        assert!(defrag_check(&one_down, &one_down.members[2]).is_err());
        let solo = status(vec![member("solo", "1", true, false)], vec![]);
        assert!(defrag_check(&solo, &solo.members[0]).is_ok());
    }

    #[test]
    fn removal_keeps_a_quorum() {
        let s = cluster([true; 3]);
        assert!(removal_check(&s, &s.members[0]).is_ok());
        let one_down = cluster([true, true, false]);
        // The dead member may go; a live one may not: 1 of 2 is no quorum.
        assert!(removal_check(&one_down, &one_down.members[2]).is_ok());
        assert!(matches!(
            removal_check(&one_down, &one_down.members[0]),
            Err(AppError::Conflict(_))
        ));
        let solo = status(vec![member("solo", "1", true, false)], vec![]);
        assert!(removal_check(&solo, &solo.members[0]).is_err());
        let learner = member("new", "b", false, true);
        assert!(removal_check(&solo, &learner).is_ok());
    }

    #[test]
    fn promotion_and_leader_moves_need_healthy_targets() {
        assert!(promote_check(&member("new", "b", true, true)).is_ok());
        assert!(promote_check(&member("new", "b", false, true)).is_err());
        assert!(promote_check(&member("old", "b", true, false)).is_err());
        let s = cluster([true, true, false]);
        assert!(move_leader_check(&s, &s.members[0]).is_ok());
        assert!(move_leader_check(&s, &s.members[1]).is_err());
        assert!(move_leader_check(&s, &s.members[2]).is_err());
    }
}
