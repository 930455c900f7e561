//! One replica's receive and replay lag over the last hour (or day, or
//! week), as an inline SVG sparkline. Paths are built in plain Rust, so
//! server and browser agree.

use std::fmt::Write;

use leptos::prelude::*;

use crate::cluster::history::tiers::Range;
use crate::cluster::history::{LagSample, MemberLag};
use crate::patroni::lag::human_bytes;

const WIDTH: f64 = 320.0;
/// y of the top of the plot (the scale's maximum) and of zero lag.
const TOP: f64 = 14.0;
const BOTTOM: f64 = 64.0;

/// What the chart draws, computed from the samples alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Step-line path of receive lag; empty when nothing to draw.
    pub receive: String,
    /// Step-line path of replay lag.
    pub replay: String,
    /// The lag at the top of the plot.
    pub top: u64,
    /// y of the `maximum_lag_on_failover` line, when it is on the scale.
    pub limit_y: Option<f64>,
    /// The latest receive and replay lag.
    pub current: (Option<u64>, Option<u64>),
}

/// Builds the chart of `lag` for the `window_ms` ending at `now_ms`. A
/// sample holds until the next (they only arrive on change), so the last one
/// before the window starts the line at its left edge and the latest runs
/// on to `now`. The `max_lag` line joins the scale when within 3× of the data.
pub fn chart(lag: &MemberLag, now_ms: u64, window_ms: u64, max_lag: u64) -> Chart {
    let start = now_ms.saturating_sub(window_ms);
    let mut samples: Vec<LagSample> = lag.samples.iter().copied().collect();
    samples.sort_by_key(|s| s.t);
    // A slot keeps its peak; the caption wants the latest exact values.
    let current = lag
        .latest
        .or_else(|| samples.last().copied())
        .map_or((None, None), |s| (s.receive, s.replay));
    let mut shown: Vec<LagSample> = Vec::new();
    for s in samples {
        if s.t <= start {
            shown.clear();
        }
        let t = s.t.clamp(start, now_ms);
        shown.push(LagSample { t, ..s });
    }
    let data_max = shown
        .iter()
        .flat_map(|s| [s.receive, s.replay])
        .flatten()
        .max()
        .unwrap_or(0);
    let with_limit = !shown.is_empty() && max_lag <= data_max.saturating_mul(3);
    let top = if with_limit {
        data_max.max(max_lag)
    } else {
        data_max
    };
    let series = |f: fn(&LagSample) -> Option<u64>| {
        let points: Vec<(u64, Option<u64>)> = shown.iter().map(|s| (s.t, f(s))).collect();
        step_path(&points, now_ms, window_ms, top)
    };
    Chart {
        receive: series(|s| s.receive),
        replay: series(|s| s.replay),
        top,
        limit_y: with_limit.then(|| y_of(max_lag, top)),
        current,
    }
}

/// A step line through `points` (time ascending): flat until the next point,
/// then straight up or down; a `None` lifts the pen until the next value.
pub fn step_path(points: &[(u64, Option<u64>)], now_ms: u64, window_ms: u64, top: u64) -> String {
    let mut d = String::new();
    let mut drawing = false;
    for &(t, v) in points {
        let x = x_of(t, now_ms, window_ms);
        // Writing to a String cannot fail.
        let _ = match (drawing, v) {
            (true, Some(v)) => write!(d, " H{x:.1} V{:.1}", y_of(v, top)),
            (false, Some(v)) => write!(d, " M{x:.1} {:.1}", y_of(v, top)),
            (true, None) => write!(d, " H{x:.1}"),
            (false, None) => Ok(()),
        };
        drawing = v.is_some();
    }
    if drawing {
        let _ = write!(d, " H{WIDTH:.1}");
    }
    d.trim_start().to_owned()
}

fn x_of(t: u64, now_ms: u64, window_ms: u64) -> f64 {
    let window = window_ms.max(1);
    let ago = now_ms.saturating_sub(t).min(window);
    WIDTH - ago as f64 / window as f64 * WIDTH
}

fn y_of(v: u64, top: u64) -> f64 {
    if top == 0 {
        return BOTTOM;
    }
    BOTTOM - (v as f64 / top as f64).min(1.0) * (BOTTOM - TOP)
}

/// A small chart of one replica's lag over `range`; `max_lag` is
/// `maximum_lag_on_failover`.
#[component]
pub fn LagChart(
    lag: MemberLag,
    now_ms: u64,
    max_lag: u64,
    #[prop(optional)] range: Range,
) -> impl IntoView {
    let c = chart(&lag, now_ms, range.window_ms(), max_lag);
    let (span, start) = match range {
        Range::Hour => ("last hour", "-60 min"),
        Range::Day => ("last 24 hours", "-24 h"),
        Range::Week => ("last 7 days", "-7 d"),
    };
    let empty = c.receive.is_empty() && c.replay.is_empty();
    let bytes = |v: Option<u64>| v.map_or_else(|| "–".to_owned(), human_bytes);
    let limit = c.limit_y.map(|y| {
        let (line_y, text_y) = (format!("{y:.1}"), format!("{:.1}", y - 2.0));
        view! {
            <line class="lag-limit" x1="0" x2=WIDTH y1=line_y.clone() y2=line_y />
            <text class="lag-text" x=WIDTH - 2.0 y=text_y text-anchor="end">"failover limit"</text>
        }
    });
    let off_scale = (c.limit_y.is_none() && !empty).then(|| {
        format!(
            " · failover limit {} is off the scale",
            human_bytes(max_lag)
        )
    });
    let label = format!("Receive and replay lag of {}, {span}", lag.name);
    view! {
        <svg
            class="lag-chart"
            data-testid="lag-chart"
            data-member=lag.name
            viewBox="0 0 320 80"
            width="100%"
            role="img"
            aria-label=label
        >
            <line class="lag-axis" x1="0" x2=WIDTH y1=BOTTOM y2=BOTTOM />
            {limit}
            <path class="lag-receive" d=c.receive fill="none" stroke="currentColor" />
            <path class="lag-replay" d=c.replay fill="none" stroke="currentColor" />
            <text class="lag-text" x="0" y="10">{human_bytes(c.top)}</text>
            <text class="lag-text" x="0" y="78">{start}</text>
            <text class="lag-text" x=WIDTH y="78" text-anchor="end">"now"</text>
            {empty.then(|| view! {
                <text class="lag-text" x=WIDTH / 2.0 y="42" text-anchor="middle">{format!("no samples in the {span}")}</text>
            })}
        </svg>
        <p class="lag-now" data-testid="lag-now">
            <span class="lag-key receive">"receive " {bytes(c.current.0)}</span>
            " · "
            <span class="lag-key replay">"replay " {bytes(c.current.1)}</span>
            {off_scale}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lag(samples: &[(u64, u64, u64)]) -> MemberLag {
        MemberLag {
            name: "r".into(),
            samples: samples
                .iter()
                .map(|&(t, receive, replay)| LagSample {
                    t,
                    receive: Some(receive),
                    replay: Some(replay),
                })
                .collect(),
            latest: None,
        }
    }

    use crate::cluster::history::WINDOW_MS;
    const NOW: u64 = 10 * WINDOW_MS;

    #[test]
    fn empty_draws_nothing() {
        let c = chart(&lag(&[]), NOW, WINDOW_MS, 1 << 20);
        assert_eq!((c.receive.as_str(), c.top, c.limit_y), ("", 0, None));
        assert_eq!(c.current, (None, None));
    }

    #[test]
    fn one_sample_holds_until_now() {
        let c = chart(
            &lag(&[(NOW - WINDOW_MS / 2, 100, 200)]),
            NOW,
            WINDOW_MS,
            1 << 20,
        );
        assert_eq!(c.receive, "M160.0 39.0 H320.0");
        assert_eq!(c.replay, "M160.0 14.0 H320.0");
        assert_eq!(
            (c.top, c.limit_y, c.current),
            (200, None, (Some(100), Some(200)))
        );
    }

    #[test]
    fn zero_lag_is_flat_at_the_bottom() {
        let c = chart(&lag(&[(NOW - 1000, 0, 0), (NOW, 0, 0)]), NOW, WINDOW_MS, 0);
        assert_eq!(c.receive, "M319.9 64.0 H320.0 V64.0 H320.0");
        assert_eq!((c.top, c.limit_y), (0, Some(BOTTOM)));
    }

    #[test]
    fn huge_values_and_the_limit_on_scale() {
        let big = 5 * (1u64 << 40);
        let c = chart(
            &lag(&[(NOW, big, big / 2)]),
            NOW,
            WINDOW_MS,
            6 * (1u64 << 40),
        );
        assert_eq!(c.top, 6 * (1u64 << 40));
        assert_eq!(c.limit_y, Some(TOP));
        assert!(c.receive.starts_with("M320.0 22.3"), "{}", c.receive);
        assert_eq!(human_bytes(c.top), "6.0 TiB");
    }

    #[test]
    fn old_samples_are_clipped_to_the_window() {
        let old = [
            (0, 50, 50),
            (NOW - 2 * WINDOW_MS, 100, 100),
            (NOW - WINDOW_MS / 4, 0, 0),
        ];
        let c = chart(&lag(&old), NOW, WINDOW_MS, 400);
        assert_eq!(c.receive, "M0.0 14.0 H240.0 V64.0 H320.0");
        assert_eq!((c.top, c.limit_y), (100, None));
        // A gap in one series lifts the pen.
        let d = step_path(
            &[(NOW - WINDOW_MS, Some(1)), (NOW - 10, None), (NOW, Some(1))],
            NOW,
            WINDOW_MS,
            1,
        );
        assert_eq!(d, "M0.0 14.0 H320.0 M320.0 14.0 H320.0");
    }
}
