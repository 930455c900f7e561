//! The snapshot dialog: a plain form post, so the browser saves the file
//! as etcd streams it (nothing is held in the page's memory). The answer
//! goes to a hidden frame: a download leaves it empty, while a refusal
//! loads there as JSON and the dialog shows it.

use leptos::prelude::*;

use super::action::EtcdAction;
use super::call::{Answer, Call};
use super::client::Reply;
use super::dialog::{EtcdDialog, NativePost};
use crate::etcd::EtcdStatus;

/// The hidden frame the form posts to.
const FRAME: &str = "etcd-snapshot-frame";

#[component]
pub fn SnapshotDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let native = NativePost {
        action: crate::fleet::api_at(
            crate::fleet::current_etcd().as_deref(),
            "/api/v1/etcd/snapshot",
        ),
        target: FRAME,
    };
    let file = move || {
        status.with(|s| {
            s.as_ref().map_or_else(
                || "patrol-<cluster>-<revision>-<time>.db".to_owned(),
                |s| format!("patrol-{}-{}-<time>.db", s.cluster_id, s.revision),
            )
        })
    };
    let on_load = move |ev: leptos::ev::Event| {
        let text = frame_text(&ev);
        if text.trim().is_empty() {
            return;
        }
        // Only a refusal loads there; its body names its status.
        let refused = Reply::<()>::from_text(0, &text);
        call.answer.set(Some(Answer {
            status: refused.status,
            answer: None,
            refusal: refused.refusal,
        }));
        call.pending.set(false);
    };
    view! {
        <EtcdDialog action=EtcdAction::Snapshot word="etcd".to_owned()
            call status native on_close>
            <p class="small snapshot-file">
                "Saved as " <code data-testid="snapshot-file">{file}</code>
                ". Keep it away from the etcd hosts; "
                <code>"etcdctl snapshot restore"</code> " reads it."
            </p>
            <iframe name=FRAME class="download-frame" title="Snapshot download" hidden on:load=on_load></iframe>
        </EtcdDialog>
    }
}

/// What loaded in the frame: Patrol's refusal, or nothing.
#[cfg(feature = "hydrate")]
fn frame_text(ev: &leptos::ev::Event) -> String {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlIFrameElement>().ok())
        .and_then(|f| f.content_document())
        .and_then(|d| d.body())
        .and_then(|b| b.text_content())
        .unwrap_or_default()
}

#[cfg(not(feature = "hydrate"))]
fn frame_text(_ev: &leptos::ev::Event) -> String {
    String::new()
}
