//! The "Scheduled operations" card: the switchover and the restarts
//! Patroni will run later by itself, as etcd holds them.

use leptos::prelude::*;

use crate::components::layout::Table;
use crate::patroni::Scheduled;

/// Every scheduled operation of a cluster, or a line saying there is none.
#[component]
pub fn ScheduledList(scheduled: Vec<Scheduled>) -> impl IntoView {
    if scheduled.is_empty() {
        return view! {
            <p class="muted" data-testid="scheduled-empty">"Nothing is scheduled: no switchover, no restart."</p>
        }
        .into_any();
    }
    let rows = scheduled
        .into_iter()
        .map(|op| {
            let kind = op.kind.as_str();
            let attr = op.member.clone().unwrap_or_default();
            view! {
                <tr data-testid="scheduled-op" data-kind=kind data-member=attr>
                    <td>{kind}</td>
                    <td>{op.member.unwrap_or_else(|| "the cluster".into())}</td>
                    <td><code>{op.at}</code></td>
                    <td class="wrap">{op.details.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table class="scheduled" testid="scheduled" columns=&["Operation", "Member", "When", "Conditions"]>
            {rows}
        </Table>
    }
    .into_any()
}
