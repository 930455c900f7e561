//! Choosing the member a dialog acts on, from the page's latest status.

use leptos::prelude::*;

use crate::etcd::{EtcdMember, EtcdStatus};

/// A member as a choice: `why_not` says why it cannot be picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Hex ID.
    pub id: String,
    /// Name (ID while it has none): what the admin types to confirm.
    pub label: String,
    pub why_not: Option<&'static str>,
    role: &'static str,
}

impl Choice {
    /// `member` as a choice, refused with `why_not`.
    pub fn of(member: &EtcdMember, why_not: Option<&'static str>) -> Choice {
        Choice {
            id: member.id.clone(),
            label: member.label().to_owned(),
            why_not,
            role: role(member),
        }
    }

    /// "etcd2 (follower)", with the reason it cannot be picked.
    pub fn text(&self) -> String {
        match self.why_not {
            Some(why) => format!("{} ({}: {why})", self.label, self.role),
            None => format!("{} ({})", self.label, self.role),
        }
    }
}

/// Leader, follower, learner, or unknown for a member that did not answer.
pub fn role(m: &EtcdMember) -> &'static str {
    match (m.is_leader, m.is_learner, m.round_trip_us.is_some()) {
        (true, ..) => "leader",
        (false, true, _) => "learner",
        (false, false, true) => "follower",
        (false, false, false) => "not answering",
    }
}

/// The members of `status` as choices, `why_not` judging each.
pub fn choices(
    status: Signal<Option<EtcdStatus>>,
    why_not: fn(&EtcdMember) -> Option<&'static str>,
) -> Memo<Vec<Choice>> {
    Memo::new(move |_| {
        status.with(|s| {
            s.as_ref().map_or_else(Vec::new, |s| {
                s.members
                    .iter()
                    .map(|m| Choice::of(m, why_not(m)))
                    .collect()
            })
        })
    })
}

/// The picked member if it may still be picked, else the first that may.
pub fn chosen(
    choices: Memo<Vec<Choice>>,
    picked: RwSignal<Option<String>>,
) -> Memo<Option<Choice>> {
    Memo::new(move |_| {
        let picked = picked.get();
        choices.with(|cs| {
            let usable = || cs.iter().filter(|c| c.why_not.is_none());
            usable()
                .find(|c| Some(&c.id) == picked.as_ref())
                .or_else(|| usable().next())
                .cloned()
        })
    })
}

/// A `<select>` of `choices`, showing `current` (a hex ID). With `empty`,
/// a first option with that text stands for `None` (all members, or none
/// picked yet).
#[component]
pub fn MemberSelect(
    label: &'static str,
    choices: Memo<Vec<Choice>>,
    #[prop(into)] current: Signal<Option<String>>,
    picked: RwSignal<Option<String>>,
    #[prop(optional)] empty: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="field" for="etcd-member">
            <span>{label}</span>
            <select id="etcd-member" data-testid="member-select"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    picked.set((!v.is_empty()).then_some(v));
                }>
                {empty.map(|text| view! {
                    <option value="" selected=move || current.get().is_none()>{text}</option>
                })}
                {move || choices.get().into_iter().map(|c| {
                    let selected = current.get().as_ref() == Some(&c.id);
                    view! {
                        <option value=c.id.clone() data-label=c.label.clone()
                            disabled=c.why_not.is_some() selected=selected>{c.text()}</option>
                    }
                }).collect_view()}
            </select>
        </label>
    }
}
