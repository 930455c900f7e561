//! The write dialog: the preview (the diff, the mod revision the write is
//! pinned to, why it would be refused), the key typed as confirmation,
//! then etcd's answer and the page following the live value.

use leptos::prelude::*;

use super::size;
use super::write_api::{delete_key, preview_write, put_key};
use crate::components::dialog::{ConfirmForm, Modal};
use crate::components::diff::DiffLines;
use crate::error::AppError;
use crate::keyspace::model::KeyValue;
use crate::keyspace::path::b64_encode;
use crate::keyspace::write::{
    DeleteRequest, Operation, Preview, PreviewRequest, PutRequest, Written,
};

/// The key as the page last read it: `None` while loading (or when the
/// read failed), `Some(None)` when the key does not exist.
pub type Current = Signal<Option<Option<KeyValue>>>;

/// What the dialog is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Put these bytes.
    Put(Vec<u8>),
    Delete,
}

/// The dialog for `op` on the key `key_base64`; `seen` is the mod
/// revision the admin began from (0: none).
#[component]
pub fn WriteDialog(
    key_base64: String,
    op: WriteOp,
    seen: i64,
    current: Current,
    on_close: Callback<()>,
) -> impl IntoView {
    let (value_base64, deleting) = match &op {
        WriteOp::Put(bytes) => (Some(b64_encode(bytes)), false),
        WriteOp::Delete => (None, true),
    };
    let asked = PreviewRequest {
        key_base64: Some(key_base64.clone()),
        value_base64: value_base64.clone(),
        delete: deleting,
        ..PreviewRequest::default()
    };
    let preview = Action::new(move |r: &PreviewRequest| preview_write(r.clone()));
    preview.dispatch(asked.clone());
    let submit = Action::new(move |(p, confirm): &(Preview, String)| {
        let (p, confirm) = (p.clone(), confirm.clone());
        let value_base64 = value_base64.clone();
        async move {
            if deleting {
                delete_key(DeleteRequest {
                    key_base64: Some(p.key_base64),
                    revision: Some(p.mod_revision),
                    confirm,
                    ..DeleteRequest::default()
                })
                .await
            } else {
                put_key(PutRequest {
                    key_base64: Some(p.key_base64),
                    value_base64,
                    revision: Some(p.mod_revision),
                    confirm,
                    ..PutRequest::default()
                })
                .await
            }
        }
    });
    let confirm = RwSignal::new(String::new());
    let loaded = move || preview.value().get().and_then(Result::ok);
    let done = move || matches!(submit.value().get(), Some(Ok(_)));
    let word = Signal::derive(move || loaded().map(|p| p.confirm).unwrap_or_default());
    let missing = move || match loaded() {
        None => Some("Waiting for the preview.".to_owned()),
        Some(p) if p.refusal.is_some() => Some("The write would be refused.".to_owned()),
        Some(p) => (confirm.get() != p.confirm)
            .then(|| "Type the key above exactly to enable the button.".to_owned()),
    };
    let ready = move || missing().is_none() && !submit.pending().get() && !done();
    let on_confirm = Callback::new(move |()| {
        if let Some(p) = loaded() {
            submit.dispatch((p, confirm.get_untracked()));
        }
    });
    let preview_part = move || {
        match preview.value().get() {
        None => view! { <p class="muted" data-testid="preflight-loading">"Reading the key…"</p> }.into_any(),
        Some(Err(e)) => view! { <div class="banner bad" role="alert" data-testid="preflight-error">{e.to_string()}</div> }.into_any(),
        Some(Ok(p)) => view! { <PreviewView preview=p seen /> }.into_any(),
    }
    };
    let again = asked.clone();
    let result = move || match submit.value().get() {
        None => submit.pending().get().then(|| {
            view! { <p class="muted" data-testid="action-pending">"Asking etcd…"</p> }.into_any()
        }),
        Some(Ok(written)) => Some(view! { <WrittenView written current /> }.into_any()),
        Some(Err(e)) => {
            let rerun = matches!(e, AppError::Conflict(_));
            let again = again.clone();
            Some(view! {
                <div class="banner bad" role="alert" data-testid="action-error">{e.to_string()}</div>
                {rerun.then(|| view! {
                    <button type="button" data-testid="rerun-preflight" on:click=move |_| {
                        submit.value().set(None);
                        preview.dispatch(again.clone());
                    }>"Preview again"</button>
                })}
            }.into_any())
        }
    };
    let (title, button, summary) = if deleting {
        (
            "Delete key",
            "Delete",
            "Deletes the key, if it still has the mod revision below.",
        )
    } else {
        ("Write key", "Write", "Writes the value, if the key still has the mod revision below (none: if it still does not exist).")
    };
    view! {
        <Modal title=title.to_owned() slug=if deleting { "kv-delete" } else { "kv-put" } on_close>
            <p class="summary">{summary}</p>
            <ConfirmForm done=Signal::derive(done) word confirm missing=Signal::derive(missing)
                ready=Signal::derive(ready) button on_confirm result on_close>
                {preview_part}
            </ConfirmForm>
        </Modal>
    }
}

#[component]
fn PreviewView(preview: Preview, seen: i64) -> impl IntoView {
    let pin = if preview.exists {
        format!(
            "Pinned to mod revision {} (etcd read at revision {}).",
            preview.mod_revision, preview.revision
        )
    } else {
        format!(
            "The key does not exist (etcd read at revision {}): the write creates it, if it still does not exist then.",
            preview.revision
        )
    };
    let moved = (preview.mod_revision != seen).then(|| {
        view! {
            <p class="banner warn" data-testid="write-moved">
                {format!("The key changed since you began (mod revision {seen} → {}): the diff is against the value now.", preview.mod_revision)}
            </p>
        }
    });
    let sizes = format!(
        "{} → {}",
        if preview.exists {
            size(preview.size)
        } else {
            "no key".into()
        },
        preview.new_size.map_or_else(|| "deleted".into(), size)
    );
    view! {
        <p class="muted small" data-testid="write-pin" data-revision=preview.mod_revision>{pin}</p>
        {moved}
        <p class="small" data-testid="write-sizes">{sizes}</p>
        {preview.summary.map(|s| view! { <p data-testid="write-summary">{s}</p> })}
        {(!preview.diff.is_empty()).then(|| view! {
            <DiffLines lines=preview.diff testid="write-diff" />
        })}
        {preview.refusal.map(|r| view! { <div class="banner bad" role="alert" data-testid="write-refusal">{r}</div> })}
    }
}

/// etcd's answer, then whether the page shows it yet.
#[component]
fn WrittenView(written: Written, current: Current) -> impl IntoView {
    let Written {
        operation,
        revision,
        audit_seq,
        ..
    } = written;
    let line = match operation {
        Operation::Put => format!("Written at revision {revision}."),
        Operation::Delete => format!("Deleted at revision {revision}."),
    };
    let follow = Memo::new(move |_| match (operation, current.get()) {
        (Operation::Put, Some(Some(v))) if v.meta.mod_revision >= revision => (
            "met",
            format!(
                "The page shows the new value (mod revision {}).",
                v.meta.mod_revision
            ),
        ),
        (Operation::Delete, Some(None)) => ("met", "The page shows the key gone.".to_owned()),
        _ => ("waiting", "Watching etcd…".to_owned()),
    });
    let audit = audit_seq.map(|seq| {
        view! {
            <p class="muted small" data-testid="audit-seq">
                "Written to the " <a href="/audit">"audit log"</a> " as record " {seq} "."
            </p>
        }
    });
    view! {
        <div class="outcome" data-testid="action-result" data-accepted="true">
            <p class="ok" data-testid="result-line">{line}</p>
            {audit}
            <p class="follow-through" data-testid="follow-through" data-state=move || follow.get().0>
                {move || follow.get().1}
            </p>
        </div>
    }
}
