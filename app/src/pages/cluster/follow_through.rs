//! After Patroni accepts an action, the dialog watches the live cluster (as
//! etcd shows it) until the change the action promised appears, or a time
//! limit passes, and says which in words.

use leptos::prelude::*;

use super::verdict::{verdict, Snap, Verdict};
use crate::action::Expect;
use crate::patroni::Cluster;

/// Milliseconds since the Unix epoch, by the browser's clock.
fn now_ms() -> f64 {
    crate::clock::now_ms() as f64
}

/// Records what the cluster looks like from the moment an action is
/// submitted, for [`verdict`]; made with the dialog, armed by [`Recorder::start`].
#[derive(Clone, Copy)]
pub struct Recorder {
    /// When the action was submitted (ms), once it was.
    pub started_ms: RwSignal<Option<f64>>,
    seen: StoredValue<Vec<Snap>>,
    stop: RwSignal<bool>,
}

impl Recorder {
    /// A recorder of `cluster`, idle until started.
    pub fn new(cluster: Signal<Cluster>) -> Recorder {
        let r = Recorder {
            started_ms: RwSignal::new(None),
            seen: StoredValue::new(Vec::new()),
            stop: RwSignal::new(false),
        };
        Effect::new(move |_| {
            let (Some(started), false) = (r.started_ms.get(), r.stop.get()) else {
                return;
            };
            let at_s = (now_ms() - started) / 1000.0;
            cluster.with(|c| r.seen.update_value(|s| s.push(Snap::of(c, at_s))));
        });
        r
    }

    /// Starts recording afresh, now.
    pub fn start(&self) {
        self.seen.set_value(Vec::new());
        self.stop.set(false);
        self.started_ms.set(Some(now_ms()));
    }
}

/// The follow-through line: waits for `expect` in what `recorder` saw.
#[component]
pub fn FollowThrough(expect: Expect, recorder: Recorder) -> impl IntoView {
    let started_ms = recorder.started_ms.get_untracked().unwrap_or_else(now_ms);
    let tick = RwSignal::new(now_ms());
    let judged = Memo::new(move |_| {
        let now_s = (tick.get() - started_ms) / 1000.0;
        recorder.seen.with_value(|s| verdict(&expect, s, now_s))
    });
    Effect::new(move |_| {
        if judged.get() != Verdict::Waiting {
            recorder.stop.set(true);
        }
    });
    // Ticks until the verdict is in; cleared with the dialog.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !recorder.stop.get_untracked() {
                    tick.set(now_ms());
                }
            },
            std::time::Duration::from_millis(200),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <p class="follow-through" data-testid="follow-through" data-state=move || judged.get().state()>
            {move || match judged.get() {
                Verdict::Waiting => format!(
                    "Watching etcd for the change… {:.0} s",
                    (tick.get() - started_ms) / 1000.0
                ),
                done => done.text(),
            }}
        </p>
    }
}
