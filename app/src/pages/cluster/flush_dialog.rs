//! The flush dialog: pick what to flush, see what the preflight would
//! cancel, type the scope, then each cancellation's answer and the
//! follow-through (the operations gone from etcd).

use leptos::prelude::*;

use super::scheduled::ScheduledList;
use crate::action::api::{flush, preflight_flush};
use crate::action::{FlushItem, FlushOutcome, FlushRequest, FlushWhat};
use crate::components::dialog::{ConfirmForm, Modal};
use crate::error::AppError;
use crate::patroni::Cluster;

/// The dialog for flushing `cluster`'s scheduled operations.
#[component]
pub fn FlushDialog(cluster: Signal<Cluster>, on_close: Callback<()>) -> impl IntoView {
    let (namespace, scope, group) = cluster.with_untracked(|c| c.id());
    let what = RwSignal::new(FlushWhat::All);
    let preflight = {
        let (ns, sc) = (namespace.clone(), scope.clone());
        Action::new(move |w: &FlushWhat| preflight_flush(ns.clone(), sc.clone(), group, *w))
    };
    preflight.dispatch(FlushWhat::All);
    let confirm = RwSignal::new(String::new());
    let submit = {
        let (ns, sc) = (namespace.clone(), scope.clone());
        Action::new(move |r: &FlushRequest| flush(ns.clone(), sc.clone(), group, r.clone()))
    };
    let loaded = move || preflight.value().get().and_then(Result::ok);
    let done = move || matches!(submit.value().get(), Some(Ok(_)));
    let missing = {
        let word = scope.clone();
        move || match loaded() {
            None => Some("Waiting for the preflight.".to_owned()),
            Some(p) if !p.blockers.is_empty() => Some("Nothing to flush.".to_owned()),
            _ => (confirm.get() != word)
                .then(|| "Type the name above exactly to enable the button.".to_owned()),
        }
    };
    let ready = {
        let missing = missing.clone();
        move || {
            missing().is_none() && !submit.pending().get() && !preflight.pending().get() && !done()
        }
    };
    let on_confirm = Callback::new(move |()| {
        if let Some(p) = loaded() {
            submit.dispatch(FlushRequest {
                confirm: confirm.get_untracked(),
                revision: p.revision,
                what: p.what,
            });
        }
    });
    let on_what = move |ev| {
        let w = match event_target_value(&ev).as_str() {
            "restart" => FlushWhat::Restart,
            "switchover" => FlushWhat::Switchover,
            _ => FlushWhat::All,
        };
        what.set(w);
        submit.value().set(None);
        preflight.value().set(None);
        preflight.dispatch(w);
    };
    let preflight_part = move || {
        match preflight.value().get() {
        None => view! { <p class="muted" data-testid="preflight-loading">"Reading what is scheduled…"</p> }.into_any(),
        Some(Err(e)) => view! { <div class="banner bad" role="alert" data-testid="preflight-error">{e.to_string()}</div> }.into_any(),
        Some(Ok(p)) if !p.blockers.is_empty() => view! {
            <div class="banner bad" role="alert" data-testid="preflight-blockers">
                <strong>"Cannot run: "</strong>{p.blockers.join("; ")}
            </div>
        }.into_any(),
        Some(Ok(p)) => view! {
            <p>"Patroni will be asked to cancel:"</p>
            <ScheduledList scheduled=p.scheduled />
            <p class="muted small" data-testid="preflight-basis">"As etcd held it at revision " {p.revision} "."</p>
        }.into_any(),
    }
    };
    let result = move || match submit.value().get() {
        None => submit.pending().get().then(|| {
            view! { <p class="muted" data-testid="action-pending">"Asking Patroni…"</p> }.into_any()
        }),
        Some(Ok(outcome)) => Some(view! { <FlushResult outcome cluster /> }.into_any()),
        Some(Err(e)) => {
            let rerun = matches!(e, AppError::Conflict(_));
            Some(view! {
                <div class="banner bad" role="alert" data-testid="action-error">{e.to_string()}</div>
                {rerun.then(|| view! {
                    <button type="button" data-testid="rerun-preflight" on:click=move |_| {
                        submit.value().set(None);
                        preflight.dispatch(what.get_untracked());
                    }>"Run the preflight again"</button>
                })}
            }.into_any())
        }
    };
    let missing = Signal::derive(missing);
    view! {
        <Modal title=format!("Flush scheduled operations · {scope}") slug="flush" on_close>
            <p class="summary">
                "Cancels scheduled operations, as " <code>"patronictl flush"</code>
                " does: each scheduled restart on its member, and the scheduled switchover."
            </p>
            <ConfirmForm done=Signal::derive(done) word=scope.clone() confirm missing
                ready=Signal::derive(ready) button="Flush" on_confirm result on_close>
                <label class="field" for="flush-what">
                    <span>"What to flush"</span>
                    <select id="flush-what" data-testid="flush-what" on:change=on_what>
                        <option value="all" selected=true>"Everything scheduled"</option>
                        <option value="restart">"Scheduled restarts"</option>
                        <option value="switchover">"The scheduled switchover"</option>
                    </select>
                </label>
                {preflight_part}
            </ConfirmForm>
        </Modal>
    }
}

/// Each cancellation's answer, then whether etcd shows them gone.
#[component]
fn FlushResult(outcome: FlushOutcome, cluster: Signal<Cluster>) -> impl IntoView {
    let (cancelled, failed) = outcome.counts();
    let gone: Vec<_> = outcome
        .items
        .iter()
        .filter(|i| i.cancelled)
        .map(|i| i.scheduled.clone())
        .collect();
    let follow = Memo::new(move |_| {
        let left = cluster.with(|c| {
            c.scheduled()
                .into_iter()
                .filter(|op| gone.contains(op))
                .count()
        });
        if left == 0 {
            (
                "met",
                "etcd shows the cancelled operations gone.".to_owned(),
            )
        } else {
            ("waiting", format!("Watching etcd: {left} still listed…"))
        }
    });
    let audit = outcome.audit_seq.map(|seq| {
        view! {
            <p class="muted small" data-testid="audit-seq">
                "Written to the " <a href="/audit">"audit log"</a> " as record " {seq} "."
            </p>
        }
    });
    view! {
        <div class="outcome" class:refused=failed != 0 data-testid="action-result"
            data-accepted=(failed == 0).to_string()>
            <p data-testid="result-line" class=if failed == 0 { "ok" } else { "bad" }>
                {format!("{cancelled} cancelled, {failed} not cancelled.")}
            </p>
            <ul class="flush-items">
                {outcome.items.into_iter().map(|i| view! { <Item item=i /> }).collect_view()}
            </ul>
            {audit}
            <p class="follow-through" data-testid="follow-through" data-state=move || follow.get().0>
                {move || follow.get().1}
            </p>
        </div>
    }
}

#[component]
fn Item(item: FlushItem) -> impl IntoView {
    let FlushItem {
        scheduled,
        cancelled,
        via,
        explanation,
        ..
    } = item;
    let what = match &scheduled.member {
        Some(m) => format!("restart of {m}"),
        None => "switchover".to_owned(),
    };
    let via = via.map(|v| format!(" (asked {v})")).unwrap_or_default();
    view! {
        <li data-testid="flush-item" data-cancelled=cancelled.to_string() class=if cancelled { "ok" } else { "bad" }>
            {if cancelled { "✓ " } else { "✗ " }} <strong>{what}</strong> {format!(" at {}{via}: ", scheduled.at)} {explanation}
        </li>
    }
}
