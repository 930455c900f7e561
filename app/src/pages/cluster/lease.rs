//! The leader lease, counting down each second between readings.

use leptos::prelude::*;

use crate::cluster::LeaderLease;

/// "Leader lease: 17 s of 30 s left", live. Without a lease (no leader, or
/// etcd unreachable) it says so.
#[component]
pub fn LeaseCountdown(lease: Signal<Option<LeaderLease>>) -> impl IntoView {
    let left = countdown(lease);
    move || match lease.get() {
        None => view! { <span class="bad" data-testid="lease">"no leader lease"</span> }.into_any(),
        Some(l) => {
            let ttl = l.ttl_s.max(1);
            view! {
                <span class="lease" data-testid="lease">
                    <meter min="0" max=ttl low=ttl / 3 optimum=ttl value=move || left.get()></meter>
                    <span data-testid="lease-remaining" data-seconds=move || left.get()>{move || format!("{} s", left.get())}</span>
                    {format!(" of {ttl} s (lease {})", l.id)}
                </span>
            }
            .into_any()
        }
    }
}

/// Whole seconds left: the last reading, less the time since it arrived.
fn countdown(lease: Signal<Option<LeaderLease>>) -> Signal<i64> {
    #[cfg(feature = "hydrate")]
    {
        let now = RwSignal::new(js_sys::Date::now());
        // When the reading arrived, by this browser's clock.
        let base = Memo::new(move |_| lease.get().map(|l| (l.remaining_s, js_sys::Date::now())));
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(js_sys::Date::now()),
            std::time::Duration::from_millis(250),
        ) {
            on_cleanup(move || handle.clear());
        }
        Signal::derive(move || match base.get() {
            Some((remaining, at)) => {
                (remaining - ((now.get() - at) / 1000.0).floor() as i64).max(0)
            }
            None => 0,
        })
    }
    #[cfg(not(feature = "hydrate"))]
    Signal::derive(move || lease.get().map_or(0, |l| l.remaining_s))
}
