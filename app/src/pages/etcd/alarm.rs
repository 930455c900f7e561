//! The dialog that disarms every active alarm.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Call, Done};
use super::dialog::EtcdDialog;
use crate::etcd::alarm::DisarmRequest;
use crate::etcd::EtcdStatus;

/// Disarm every active alarm.
#[component]
pub fn DisarmDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let alarms = move || status.with(|s| s.as_ref().map_or_else(Vec::new, EtcdStatus::alarm_words));
    let on_send = Callback::new(move |confirm: String| {
        let request = DisarmRequest {
            confirm,
            member: None,
            alarm: None,
        };
        call.send("POST", "/alarms/disarm".into(), request, Done::Disarmed);
    });
    view! {
        <EtcdDialog action=EtcdAction::Disarm word="etcd".to_owned()
            call status on_send on_close>
            <div class="field">
                <span>"Active alarms"</span>
                <ul class="etcd-alarm-list" data-testid="alarm-list">
                    {move || {
                        let list = alarms();
                        if list.is_empty() {
                            view! { <li class="muted">"none right now"</li> }.into_any()
                        } else {
                            list.into_iter().map(|a| view! { <li>{a}</li> }).collect_view().into_any()
                        }
                    }}
                </ul>
            </div>
        </EtcdDialog>
    }
}
