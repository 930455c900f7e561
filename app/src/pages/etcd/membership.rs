//! Dialogs that change the membership: add a learner, promote it, remove
//! a member (with an override when the server says the cluster could not
//! lose another member afterwards).

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Call, Done};
use super::dialog::EtcdDialog;
use super::pick::{choices, MemberSelect};
use crate::etcd::membership::{AddLearnerRequest, PromoteRequest, RemoveRequest};
use crate::etcd::{EtcdMember, EtcdStatus};

/// How far `learner` trails the leader's raft log, in words.
pub fn behind(status: &EtcdStatus, learner: &EtcdMember) -> String {
    let leader = status
        .members
        .iter()
        .find(|m| m.is_leader)
        .and_then(|m| m.raft_index);
    match (leader, learner.raft_index) {
        (_, None) => "not answering".to_owned(),
        (None, Some(_)) => "no leader to compare with".to_owned(),
        (Some(l), Some(i)) if i >= l => "caught up with the leader's raft index".to_owned(),
        (Some(l), Some(i)) => format!("{} behind the leader's raft index ({l})", l - i),
    }
}

/// Promote a learner (confirmed by its name); each listed with its lag.
#[component]
pub fn PromoteDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let picked = RwSignal::new(None::<String>);
    let learners = Memo::new(move |_| {
        status.with(|s| {
            s.iter()
                .flat_map(|s| s.members.iter().filter(|m| m.is_learner))
                .map(|m| (m.id.clone(), m.label().to_owned()))
                .collect::<Vec<_>>()
        })
    });
    let chosen = Memo::new(move |_| {
        let p = picked.get();
        learners.with(|ls| {
            ls.iter()
                .find(|(id, _)| Some(id) == p.as_ref())
                .or(ls.first())
                .cloned()
        })
    });
    let word = Signal::derive(move || chosen.get().map(|(_, l)| l).unwrap_or_default());
    let blocker = Signal::derive(move || {
        chosen
            .get()
            .is_none()
            .then(|| "There is no learner to promote.".to_owned())
    });
    let on_send = Callback::new(move |confirm: String| {
        let Some((id, _)) = chosen.get_untracked() else {
            return;
        };
        let path = format!("/members/{id}/promote");
        call.send("POST", path, PromoteRequest { confirm }, Done::Members);
    });
    let lag = move |id: &str| {
        status.with(|s| {
            s.as_ref()
                .and_then(|s| Some(behind(s, s.members.iter().find(|m| m.id == id)?)))
                .unwrap_or_else(|| "gone".to_owned())
        })
    };
    view! {
        <EtcdDialog action=EtcdAction::Promote word blocker call status on_send on_close>
            <fieldset class="candidates learners" data-testid="learners">
                <legend>"Learners"</legend>
                <For each=move || learners.get() key=|l| l.clone() let:l>
                    {
                        let (id, label) = l;
                        let (is, row_id, member) = (id.clone(), id.clone(), label.clone());
                        view! {
                            <label class="candidate candidate-pick" data-testid="learner" data-member=member>
                                <input type="radio" name="learner" value=id.clone()
                                    prop:checked=move || chosen.get().is_some_and(|(c, _)| c == is)
                                    on:change=move |_| picked.set(Some(id.clone())) />
                                <span class="candidate-name">{label}</span>
                                <span class="muted small" data-testid="learner-behind">{move || lag(&row_id)}</span>
                            </label>
                        }
                    }
                </For>
            </fieldset>
        </EtcdDialog>
    }
}

/// Peer URLs as typed: separated by commas, spaces or lines; each
/// `http://` or `https://` with a host.
pub fn peer_urls(text: &str) -> Result<Vec<String>, String> {
    let urls: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    if urls.is_empty() {
        return Err("Give its peer URL(s), e.g. http://10.0.0.4:2380.".into());
    }
    for u in &urls {
        let rest = u
            .strip_prefix("http://")
            .or_else(|| u.strip_prefix("https://"));
        if rest.is_none_or(str::is_empty) {
            return Err(format!("{u} is not an http:// or https:// URL."));
        }
    }
    Ok(urls)
}

/// Add a learner by name and peer URLs (confirmed by the name); the answer
/// shows the `ETCD_*` lines to start it with.
#[component]
pub fn AddLearnerDialog(
    status: Signal<Option<EtcdStatus>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let call = Call::default();
    let name = RwSignal::new(String::new());
    let urls = RwSignal::new(String::new());
    let word = Signal::derive(move || name.get().trim().to_owned());
    let taken =
        move |n: &str| status.with(|s| s.iter().flat_map(|s| &s.members).any(|m| m.name == n));
    let blocker = Signal::derive(move || {
        let n = word.get();
        if n.is_empty() {
            return Some("Give the new member's name.".to_owned());
        }
        if taken(&n) {
            return Some(format!("A member named {n} exists already."));
        }
        peer_urls(&urls.get()).err()
    });
    let on_send = Callback::new(move |confirm: String| {
        let Ok(peer_urls) = peer_urls(&urls.get_untracked()) else {
            return;
        };
        let request = AddLearnerRequest {
            name: word.get_untracked(),
            peer_urls,
            confirm,
        };
        call.send("POST", "/members".into(), request, Done::LearnerAdded);
    });
    view! {
        <EtcdDialog action=EtcdAction::AddLearner word blocker call status on_send on_close>
            <label class="field" for="learner-name">
                <span>"Name (its --name)"</span>
                <input id="learner-name" type="text" autocomplete="off" spellcheck="false"
                    data-testid="learner-name" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label class="field" for="learner-peer-urls">
                <span>"Peer URLs (its --initial-advertise-peer-urls; comma-separated)"</span>
                <input id="learner-peer-urls" type="text" autocomplete="off" spellcheck="false"
                    placeholder="http://10.0.0.4:2380" data-testid="learner-peer-urls"
                    prop:value=move || urls.get() on:input=move |ev| urls.set(event_target_value(&ev)) />
            </label>
        </EtcdDialog>
    }
}

/// Remove a member (confirmed by its name); the override appears once the
/// server refused because the cluster could not lose another member.
#[component]
pub fn RemoveDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let picked = RwSignal::new(None::<String>);
    let members = choices(status, |_| None);
    let one = Memo::new(move |_| {
        let p = picked.get();
        members.with(|cs| cs.iter().find(|c| Some(&c.id) == p.as_ref()).cloned())
    });
    let force = RwSignal::new(false);
    let asked = RwSignal::new(false);
    // The server says when the override would do it; another member
    // starts afresh.
    Effect::new(move |_| {
        let answer = call.answer.get();
        if answer.is_some_and(|a| a.refusal.is_some_and(|r| r.needs_override)) {
            asked.set(true);
        }
    });
    Effect::new(move |_| {
        one.track();
        asked.set(false);
        force.set(false);
    });
    let word = Signal::derive(move || one.get().map(|c| c.label).unwrap_or_default());
    let blocker = Signal::derive(move || {
        one.get()
            .is_none()
            .then(|| "Pick the member to remove.".to_owned())
    });
    let on_send = Callback::new(move |confirm: String| {
        let Some(m) = one.get_untracked() else { return };
        let request = RemoveRequest {
            confirm: Some(confirm),
            force: force.get_untracked(),
        };
        call.send(
            "DELETE",
            format!("/members/{}", m.id),
            request,
            Done::Members,
        );
    });
    let current = Signal::derive(move || one.get().map(|c| c.id));
    view! {
        <EtcdDialog action=EtcdAction::Remove word blocker call status on_send on_close>
            <MemberSelect label="Member" choices=members current picked empty="Pick a member…" />
            <Show when=move || asked.get()>
                <label class="check-field override">
                    <input type="checkbox" data-testid="option-override" prop:checked=move || force.get()
                        on:change=move |ev| force.set(event_target_checked(&ev)) />
                    "Remove it anyway, though etcd could not lose another member afterwards"
                </label>
            </Show>
        </EtcdDialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::tests::{member, status};

    #[test]
    fn a_learner_is_measured_against_the_leaders_raft_index() {
        let mut leader = member("etcd1", "a", true, false);
        leader.is_leader = true;
        leader.raft_index = Some(120);
        let mut learner = member("etcd4", "d", true, true);
        learner.raft_index = Some(100);
        let s = status(vec![leader, learner.clone()], vec![]);
        assert_eq!(
            behind(&s, &learner),
            "20 behind the leader's raft index (120)"
        );
        learner.raft_index = Some(125);
        assert_eq!(
            behind(&s, &learner),
            "caught up with the leader's raft index"
        );
        learner.raft_index = None;
        assert_eq!(behind(&s, &learner), "not answering");
    }

    #[test]
    fn peer_urls_are_read_leniently_and_checked() {
        assert_eq!(
            peer_urls(" http://10.0.0.4:2380, https://h:2380\n").as_deref(),
            Ok(&[
                "http://10.0.0.4:2380".to_owned(),
                "https://h:2380".to_owned()
            ][..])
        );
        assert!(peer_urls("").is_err());
        assert_eq!(
            peer_urls("10.0.0.4:2380"),
            Err("10.0.0.4:2380 is not an http:// or https:// URL.".to_owned())
        );
        assert!(peer_urls("http://").is_err());
    }
}
