//! The compaction dialog: keep the last N revisions or compact up to one,
//! with its preflight (where the compaction point would move and how much
//! history the keyspace browser would lose) read again on every change.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Call, Done};
use super::client::{get, Reply};
use super::dialog::EtcdDialog;
use crate::etcd::compact::{CompactPreflight, CompactQuery, CompactRequest};
use crate::etcd::wire::API;
use crate::etcd::EtcdStatus;

/// What the admin asks to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The newest N revisions.
    Keep,
    /// Everything from revision R on.
    Revision,
}

/// The request's `keep` or `revision` field from what was typed.
pub fn target(mode: Mode, text: &str) -> Result<(&'static str, i64), String> {
    let field = match mode {
        Mode::Keep => "keep",
        Mode::Revision => "revision",
    };
    match text.trim().parse::<i64>() {
        Ok(n) if n >= 1 => Ok((field, n)),
        _ => Err("Give a whole number of at least 1.".to_owned()),
    }
}

/// The query asking for `n` in `field` (as [`target`] gives them).
pub fn query(field: &str, n: i64) -> CompactQuery {
    match field {
        "revision" => CompactQuery {
            revision: Some(n),
            keep: None,
        },
        _ => CompactQuery {
            revision: None,
            keep: Some(n),
        },
    }
}

/// Refuses locally what the preflight would refuse with a 400: more
/// revisions kept, or a later revision, than there are.
pub fn within(field: &str, n: i64, current: i64) -> Result<(), String> {
    match field {
        "keep" if n > current => Err(format!(
            "There are only {current} revisions: keep at most that many."
        )),
        "revision" if n > current => Err(format!(
            "The current revision is {current}: give one at or below it."
        )),
        _ => Ok(()),
    }
}

#[component]
pub fn CompactDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let mode = RwSignal::new(Mode::Keep);
    let keep = RwSignal::new("1000".to_owned());
    let revision = RwSignal::new(String::new());
    let physical = RwSignal::new(false);
    let current = move || status.with(|s| s.as_ref().map(|s| s.revision));
    let asked = Memo::new(move |_| {
        let (field, n) = match mode.get() {
            Mode::Keep => target(Mode::Keep, &keep.get()),
            Mode::Revision => target(Mode::Revision, &revision.get()),
        }?;
        current().map_or(Ok(()), |c| within(field, n, c))?;
        Ok((field, n))
    });
    let preflight = RwSignal::new(None::<Reply<CompactPreflight>>);
    // Only the answer to the newest question counts.
    let asking = StoredValue::new(0u32);
    Effect::new(move |_| {
        let Ok((field, n)) = asked.get() else {
            preflight.set(None);
            return;
        };
        asking.update_value(|a| *a += 1);
        let mine = asking.get_value();
        leptos::task::spawn_local(async move {
            let q = query(field, n).query_string();
            let answer = get(&crate::fleet::api_here(&format!(
                "{API}/compact/preflight?{q}"
            )))
            .await;
            if asking.get_value() == mine {
                preflight.set(Some(answer));
            }
        });
    });
    let blocker = Signal::derive(move || {
        if let Err(e) = asked.get() {
            return Some(e);
        }
        match preflight.get() {
            None => Some("Waiting for the preflight.".to_owned()),
            Some(a) => match a.answer {
                Some(p) if a.status == 200 => p.refusal.map(|r| format!("etcd would refuse: {r}.")),
                _ => Some("The preflight refused these numbers.".to_owned()),
            },
        }
    });
    let on_send = Callback::new(move |confirm: String| {
        let Ok((field, n)) = asked.get_untracked() else {
            return;
        };
        let request = CompactRequest {
            to: query(field, n),
            physical: physical.get_untracked(),
            confirm,
        };
        call.send("POST", "/compact".into(), request, Done::Compacted);
    });
    let radio =
        move |m: Mode, before: &'static str, value: RwSignal<String>, after: &'static str| {
            let testid = match m {
                Mode::Keep => "compact-keep",
                Mode::Revision => "compact-revision",
            };
            view! {
                <label class="check-field compact-mode">
                    <input type="radio" name="compact-mode" prop:checked=move || mode.get() == m
                        on:change=move |_| mode.set(m) />
                    <span>{before}</span>
                    <input type="number" min="1" step="1" inputmode="numeric" data-testid=testid
                        prop:value=move || value.get()
                        on:focus=move |_| mode.set(m)
                        on:input=move |ev| value.set(event_target_value(&ev)) />
                    <span>{after}</span>
                </label>
            }
        };
    let preflight_part = move || match asked.get() {
        Err(e) => {
            Some(view! { <p class="banner warn" data-testid="compact-invalid">{e}</p> }.into_any())
        }
        Ok(_) => preflight
            .get()
            .map(|a| view! { <PreflightView answer=a /> }.into_any()),
    };
    view! {
        <EtcdDialog action=EtcdAction::Compact word="etcd".to_owned() blocker call status on_send on_close>
            <fieldset class="candidates compact-to">
                <legend>"Keep"</legend>
                {radio(Mode::Keep, "the last", keep, "revisions")}
                {radio(Mode::Revision, "from revision", revision, "on")}
                <p class="muted small">{move || current().map(|r| format!("The current revision is {r}."))}</p>
            </fieldset>
            <label class="check-field">
                <input type="checkbox" data-testid="option-physical" prop:checked=move || physical.get()
                    on:change=move |ev| physical.set(event_target_checked(&ev)) />
                "Physical: wait until the space is freed in the database, too"
            </label>
            {preflight_part}
        </EtcdDialog>
    }
}

/// The preflight's numbers, or its refusal.
#[component]
fn PreflightView(answer: Reply<CompactPreflight>) -> impl IntoView {
    let error = answer.error();
    let Some(p) = answer.answer.filter(|_| error.is_none()) else {
        return view! {
            <div class="banner bad" role="alert" data-testid="compact-preflight-error">{error}</div>
        }
        .into_any();
    };
    let before = p
        .compact_revision
        .map_or_else(|| "none".to_owned(), |r| format!("revisions before {r}"));
    let refusal = p.refusal.map(|r| {
        view! { <div class="banner bad" role="alert" data-testid="compact-refusal">{r}</div> }
    });
    view! {
        <dl class="compact-preflight" data-testid="compact-preflight">
            <div><dt>"Current revision"</dt><dd data-testid="preflight-current">{p.current_revision}</dd></div>
            <div><dt>"Compacted now"</dt><dd>{before}</dd></div>
            <div><dt>"Afterwards gone"</dt><dd data-testid="preflight-target">{format!("revisions before {}", p.target)}</dd></div>
            <div><dt>"History the keyspace browser loses"</dt>
                <dd data-testid="preflight-lost">{format!("{} revisions", p.revisions_lost)}</dd></div>
        </dl>
        {refusal}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_typed_becomes_one_field() {
        assert_eq!(target(Mode::Keep, " 1000 "), Ok(("keep", 1000)));
        assert_eq!(target(Mode::Revision, "42"), Ok(("revision", 42)));
        assert!(target(Mode::Keep, "0").is_err());
        assert!(target(Mode::Revision, "4.5").is_err());
        assert!(target(Mode::Keep, "").is_err());
        assert_eq!(within("keep", 118, 118), Ok(()));
        assert_eq!(
            within("keep", 1000, 118),
            Err("There are only 118 revisions: keep at most that many.".to_owned())
        );
        assert!(within("revision", 119, 118).is_err());
    }
}
