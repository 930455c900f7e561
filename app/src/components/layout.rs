//! The page furniture every page uses the same way: titled cards and
//! scrolling tables.

use leptos::prelude::*;

/// A card with a heading.
#[component]
pub fn Card(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            {children()}
        </section>
    }
}

/// A table that scrolls sideways on narrow screens: a header row naming
/// `columns`, then `children` as its body rows.
#[component]
pub fn Table(
    columns: &'static [&'static str],
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class=class data-testid=testid>
                <thead>
                    <tr>{columns.iter().map(|c| view! { <th>{*c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
