//! What a switchover or failover preflight found: blockers and warnings
//! first, then each candidate with its checklist; eligible candidates can
//! be picked, the others are shown disabled with their reasons.

use leptos::prelude::*;

use crate::action::{Candidate, Check, Preflight};

/// The preflight, with a candidate picker writing to `chosen`
/// (`None`: let Patroni choose, offered when `patroni_may_choose`).
#[component]
pub fn PreflightView(
    preflight: Preflight,
    chosen: RwSignal<Option<String>>,
    patroni_may_choose: bool,
) -> impl IntoView {
    let Preflight {
        revision,
        leader,
        paused,
        candidates,
        blockers,
        warnings,
    } = preflight;
    let list =
        |class: &'static str, testid: &'static str, title: &'static str, items: Vec<String>| {
            (!items.is_empty()).then(|| {
                view! {
                    <div class=format!("banner {class}") role="alert" data-testid=testid>
                        <strong>{title}</strong>
                        <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                    </div>
                }
            })
        };
    let leader = leader.unwrap_or_else(|| "none".into());
    // A demote or promote has no candidates to pick.
    let picks = patroni_may_choose || !candidates.is_empty();
    view! {
        {list("bad", "preflight-blockers", "Cannot run:", blockers)}
        {list("warn", "preflight-warnings", "Read before acting:", warnings)}
        <p class="muted small" data-testid="preflight-basis">
            "Leader " <strong>{leader}</strong>
            {paused.then_some(" · cluster paused")}
            " · checked at etcd revision " {revision}
        </p>
        {picks.then(|| view! {
        <fieldset class="candidates" data-testid="candidates">
            <legend>"Candidate"</legend>
            {patroni_may_choose.then(|| view! {
                <label class="candidate-pick any">
                    <input type="radio" name="candidate" data-testid="candidate-any"
                        prop:checked=move || chosen.get().is_none()
                        on:change=move |_| chosen.set(None) />
                    "Let Patroni choose the healthiest replica"
                </label>
            })}
            {candidates.into_iter().map(|c| view! { <CandidateRow candidate=c chosen /> }).collect_view()}
        </fieldset>
        })}
    }
}

/// One candidate: a radio button, its verdict and its checklist.
#[component]
fn CandidateRow(candidate: Candidate, chosen: RwSignal<Option<String>>) -> impl IntoView {
    let Candidate {
        name,
        eligible,
        reasons,
        checks,
    } = candidate;
    let mine = name.clone();
    let is_mine = move || chosen.get().as_deref() == Some(mine.as_str());
    let pick = name.clone();
    let verdict = if eligible { "eligible" } else { "not eligible" };
    let data_name = name.clone();
    view! {
        <div class="candidate" class:ineligible=!eligible data-testid="candidate"
            data-candidate=data_name data-eligible=eligible.to_string()>
            <label class="candidate-pick">
                <input type="radio" name="candidate" data-testid="candidate-radio"
                    disabled=!eligible prop:checked=is_mine
                    on:change=move |_| chosen.set(Some(pick.clone())) />
                <span class="candidate-name">{name}</span>
                <span class=if eligible { "badge ok" } else { "badge bad" }>{verdict}</span>
            </label>
            {(!reasons.is_empty()).then(|| view! {
                <p class="reasons" data-testid="candidate-reasons">{reasons.join("; ")}</p>
            })}
            <ul class="checklist">
                {checks.into_iter().map(|c| view! { <CheckRow check=c /> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn CheckRow(check: Check) -> impl IntoView {
    let Check { name, ok, detail } = check;
    let data_name = name.clone();
    view! {
        <li class:ok=ok class:bad=!ok data-testid="check-row" data-check=data_name data-ok=ok.to_string()>
            <span class="mark" aria-label=if ok { "passed" } else { "failed" }>{if ok { "✓" } else { "✗" }}</span>
            <span class="check-name">{name}</span>
            <span class="check-detail">{detail}</span>
        </li>
    }
}
