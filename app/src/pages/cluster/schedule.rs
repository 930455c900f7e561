//! An optional "when" for a switchover or restart: the browser's
//! `datetime-local` input, sent to the server as RFC 3339 with the
//! browser's own UTC offset, so "14:00" means 14:00 where the admin sits.

use leptos::prelude::*;

/// `value` (`YYYY-MM-DDTHH:MM`, seconds optional) at `offset_min` minutes
/// east of UTC, as RFC 3339; `None` when `value` is not of that form.
pub fn rfc3339_local(value: &str, offset_min: i32) -> Option<String> {
    let (date, time) = value.split_once('T')?;
    let time = match time.len() {
        5 => format!("{time}:00"),
        8 => time.to_owned(),
        _ => return None,
    };
    // `2030-01-31` and `14:05:00`: digits where the pattern has `9`.
    let fits = |s: &str, pattern: &str| {
        s.len() == pattern.len()
            && s.bytes().zip(pattern.bytes()).all(|(c, p)| {
                if p == b'9' {
                    c.is_ascii_digit()
                } else {
                    c == p
                }
            })
    };
    if !(fits(date, "9999-99-99") && fits(&time, "99:99:99")) {
        return None;
    }
    let sign = if offset_min < 0 { '-' } else { '+' };
    let off = offset_min.unsigned_abs();
    Some(format!(
        "{date}T{time}{sign}{:02}:{:02}",
        off / 60,
        off % 60
    ))
}

/// The input's value as RFC 3339 with the browser's offset for that date
/// (daylight saving included); `Ok(None)` when left empty.
pub fn scheduled_at(value: &str) -> Result<Option<String>, String> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    rfc3339_local(value, offset_at(value))
        .map(Some)
        .ok_or_else(|| format!("not a date and time: {value:?}"))
}

/// Minutes east of UTC at local time `value`, by the browser's time zone.
fn offset_at(value: &str) -> i32 {
    #[cfg(feature = "hydrate")]
    {
        // A date-time without an offset is read as local time.
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
        let west = date.get_timezone_offset();
        if west.is_finite() {
            return -(west as i32);
        }
        0
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = value;
        0
    }
}

/// "Run at" with a local date and time; empty means now.
#[component]
pub fn ScheduleInput(value: RwSignal<String>, id: &'static str) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>"Scheduled time (optional, your local time)"</span>
            <input id=id type="datetime-local" data-testid="scheduled-at"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
        {move || {
            let v = value.get();
            match scheduled_at(&v) {
                Ok(Some(at)) => view! { <p class="muted small">"Sent as " <code>{at}</code></p> }.into_any(),
                Ok(None) => view! { <p class="muted small">"Empty: at once."</p> }.into_any(),
                Err(e) => view! { <p class="bad small">{e}</p> }.into_any(),
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_get_the_offset() {
        assert_eq!(
            rfc3339_local("2030-01-31T14:05", 60).as_deref(),
            Some("2030-01-31T14:05:00+01:00")
        );
        assert_eq!(
            rfc3339_local("2030-07-01T09:00:30", -330).as_deref(),
            Some("2030-07-01T09:00:30-05:30")
        );
        assert_eq!(
            rfc3339_local("2030-07-01T09:00", 0).as_deref(),
            Some("2030-07-01T09:00:00+00:00")
        );
        assert_eq!(rfc3339_local("tomorrow", 0), None);
        assert_eq!(rfc3339_local("2030-07-01T9", 0), None);
        assert_eq!(scheduled_at("  "), Ok(None));
    }
}
