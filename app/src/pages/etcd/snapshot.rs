//! The snapshot dialog: a plain form post, so the browser saves the file
//! as etcd streams it (nothing is held in the page's memory). The answer
//! goes to a hidden frame: a download leaves it empty, while a refusal
//! loads there as JSON and the dialog shows it.

use leptos::prelude::*;

use super::admin::EtcdAction;
use super::dialog::{EtcdDialog, NativePost};
use super::fetch::{Answer, Call};
use crate::etcd_cluster::EtcdStatus;

/// The hidden frame the form posts to.
const FRAME: &str = "etcd-snapshot-frame";

/// The status behind one of Patrol's error texts, read from the prefix
/// `AppError` writes (a frame does not tell the status itself).
pub fn status_of(error: &str) -> u16 {
    const PREFIXES: [(&str, u16); 8] = [
        ("invalid request:", 400),
        ("unauthorized:", 401),
        ("forbidden:", 403),
        ("not found:", 404),
        ("conflict:", 409),
        ("refused:", 412),
        ("unavailable:", 503),
        ("internal error:", 500),
    ];
    PREFIXES
        .iter()
        .find(|(p, _)| error.starts_with(p))
        .map_or(0, |(_, s)| *s)
}

#[component]
pub fn SnapshotDialog(status: Signal<Option<EtcdStatus>>, on_close: Callback<()>) -> impl IntoView {
    let call = Call::default();
    let native = NativePost {
        action: "/api/v1/etcd/snapshot",
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
        let mut answer = Answer::from_text(0, &text);
        if let Some(e) = answer.error() {
            answer.status = status_of(&e);
        }
        call.answer.set(Some(answer));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_in_the_frame_keeps_its_status() {
        assert_eq!(status_of("invalid request: type \"etcd\" to confirm"), 400);
        assert_eq!(status_of("unavailable: no --audit-log"), 503);
        assert_eq!(status_of("unauthorized: sign in"), 401);
        assert_eq!(status_of("something else"), 0);
    }
}
