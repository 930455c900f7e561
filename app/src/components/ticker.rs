//! A clock for resources that read again on an interval.

use std::time::Duration;

use leptos::prelude::*;

/// A count that goes up every `every` in the browser, for a `Resource` to
/// read again on; it stays 0 on the server. The interval stops with the
/// component that asked for it.
pub fn ticker(every: Duration) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0u64);
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(move || set_tick.update(|t| *t += 1), every) {
        on_cleanup(move || handle.clear());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_tick, every);
    tick
}
