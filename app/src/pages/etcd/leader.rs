//! The dialog that hands the raft leadership to another voting member.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Call, Done};
use super::dialog::EtcdDialog;
use super::pick::{choices, chosen, MemberSelect};
use crate::etcd::leader::MoveLeaderRequest;
use crate::etcd::{EtcdMember, EtcdStatus};

/// Why `m` cannot take the raft leadership.
fn cannot_lead(m: &EtcdMember) -> Option<&'static str> {
    if m.is_leader {
        Some("leads already")
    } else if m.is_learner {
        Some("a learner cannot lead")
    } else if !m.healthy {
        Some("not healthy")
    } else {
        None
    }
}

/// Hand the leadership to a chosen voting member (confirmed by its name).
#[component]
pub fn MoveLeaderDialog(
    status: Signal<Option<EtcdStatus>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let call = Call::default();
    let picked = RwSignal::new(None::<String>);
    let members = choices(status, cannot_lead);
    let to = chosen(members, picked);
    let word = Signal::derive(move || to.get().map(|c| c.label).unwrap_or_default());
    let blocker = Signal::derive(move || {
        to.get()
            .is_none()
            .then(|| "No other healthy voting member can lead.".to_owned())
    });
    let on_send = Callback::new(move |confirm: String| {
        let Some(to) = to.get_untracked() else { return };
        let request = MoveLeaderRequest { to: to.id, confirm };
        call.send("POST", "/move-leader".into(), request, Done::LeaderMoved);
    });
    let current = Signal::derive(move || to.get().map(|c| c.id));
    view! {
        <EtcdDialog action=EtcdAction::MoveLeader word blocker call status on_send on_close>
            <MemberSelect label="New leader" choices=members current picked />
        </EtcdDialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::tests::member;

    #[test]
    fn only_a_healthy_voting_follower_may_lead() {
        let mut leader = member("etcd1", "a", true, false);
        leader.is_leader = true;
        assert_eq!(cannot_lead(&leader), Some("leads already"));
        let follower = member("etcd2", "b", true, false);
        assert_eq!(cannot_lead(&follower), None);
        let learner = member("etcd4", "d", true, true);
        assert_eq!(cannot_lead(&learner), Some("a learner cannot lead"));
        let down = member("etcd3", "c", false, false);
        assert_eq!(cannot_lead(&down), Some("not healthy"));
    }
}
