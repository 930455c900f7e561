//! A line diff, as `diff -u` shows it: `+` added, `-` removed.

use leptos::prelude::*;

use crate::keyspace::diff::{Change, DiffLine};

/// `lines` in a `<pre>`, each marked and coloured by its change;
/// `testid` names it for tests.
#[component]
pub fn DiffLines(
    lines: Vec<DiffLine>,
    #[prop(default = "diff")] testid: &'static str,
) -> impl IntoView {
    view! {
        <pre class="value diff" data-testid=testid>
            {lines.into_iter().map(|l| {
                let (class, mark) = match l.change {
                    Change::Same => ("d-same", "  "),
                    Change::Added => ("d-add", "+ "),
                    Change::Removed => ("d-del", "- "),
                };
                view! { <span class=class>{format!("{mark}{}\n", l.text)}</span> }
            }).collect_view()}
        </pre>
    }
}
