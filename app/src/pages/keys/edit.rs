//! The key page's admin panel: "Edit" and "Delete" for a key, "Create"
//! for one that does not exist, or, for Patroni's own keys, why they are
//! write-protected and what to do instead. Viewers see nothing of it; the
//! server checks again on every call.

use leptos::prelude::*;

use super::write_api::preview_write;
use super::write_dialog::{Current, WriteDialog, WriteOp};
use crate::auth::access::use_access;
use crate::components::loaded::ErrorBanner;
use crate::keyspace::path::{b64_decode, b64_encode};
use crate::keyspace::write::PreviewRequest;

/// The editor's text in the other mode: text as base64, or base64 decoded
/// as text (refused when it is not UTF-8).
pub fn convert(text: &str, to_base64: bool) -> Result<String, String> {
    if to_base64 {
        return Ok(b64_encode(text.as_bytes()));
    }
    let bytes = b64_decode(text.trim()).map_err(|e| format!("Not base64: {e}"))?;
    String::from_utf8(bytes)
        .map_err(|_| "The value is binary (not UTF-8): keep editing it as base64.".to_owned())
}

/// The bytes the editor holds.
pub fn editor_bytes(text: &str, base64: bool) -> Result<Vec<u8>, String> {
    if base64 {
        b64_decode(text.trim()).map_err(|e| format!("Not base64: {e}"))
    } else {
        Ok(text.as_bytes().to_vec())
    }
}

/// The panel, for admins only (nothing at all for a viewer).
#[component]
pub fn KeyAdmin(key: Vec<u8>, current: Current) -> impl IntoView {
    let access = use_access();
    view! {
        <Transition fallback=|| ()>
            {move || access.can_act().then(|| view! { <Panel key=key.clone() current /> })}
        </Transition>
    }
}

#[component]
fn Panel(key: Vec<u8>, current: Current) -> impl IntoView {
    let key_base64 = b64_encode(&key);
    // Whether the key is protected: a delete's preview tells, and changes nothing.
    let guard = {
        let k = key_base64.clone();
        LocalResource::new(move || {
            preview_write(PreviewRequest {
                key_base64: Some(k.clone()),
                delete: true,
                ..PreviewRequest::default()
            })
        })
    };
    let editing = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let base64 = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    // The mod revision the editor was filled from (0: a new key).
    let seen = RwSignal::new(0i64);
    let open = RwSignal::new(None::<WriteOp>);
    let begin = move |_| {
        problem.set(None);
        match current.get_untracked() {
            Some(Some(v)) if v.truncated => problem.set(Some(
                "The page loads only the first 256 KiB of this value: change it through \
                 the API (PUT /api/v1/kv/value) instead."
                    .into(),
            )),
            Some(Some(v)) => {
                let bytes = b64_decode(&v.value_base64).unwrap_or_default();
                match String::from_utf8(bytes) {
                    Ok(t) => {
                        text.set(t);
                        base64.set(false);
                    }
                    Err(_) => {
                        text.set(v.value_base64.clone());
                        base64.set(true);
                    }
                }
                seen.set(v.meta.mod_revision);
                editing.set(true);
            }
            _ => {
                text.set(String::new());
                base64.set(false);
                seen.set(0);
                editing.set(true);
            }
        }
    };
    let toggle = move |ev| {
        let want = event_target_checked(&ev);
        match convert(&text.get_untracked(), want) {
            Ok(t) => {
                text.set(t);
                base64.set(want);
                problem.set(None);
            }
            Err(e) => {
                // Put the box back as it was: the click already ticked it,
                // so the signal is told both ways to redraw it.
                base64.set(want);
                base64.set(!want);
                problem.set(Some(e));
            }
        }
    };
    let preview = move |_| match editor_bytes(&text.get_untracked(), base64.get_untracked()) {
        Ok(bytes) => {
            problem.set(None);
            open.set(Some(WriteOp::Put(bytes)));
        }
        Err(e) => problem.set(Some(e)),
    };
    let exists = move || matches!(current.get(), Some(Some(_)));
    let buttons = move || {
        let delete = move |_| {
            seen.set(
                current
                    .get_untracked()
                    .flatten()
                    .map_or(0, |v| v.meta.mod_revision),
            );
            open.set(Some(WriteOp::Delete));
        };
        if exists() {
            view! {
                <button type="button" data-testid="key-edit" on:click=begin>"Edit"</button>
                <button type="button" class="danger" data-testid="key-delete" on:click=delete>"Delete…"</button>
            }
            .into_any()
        } else {
            view! { <button type="button" data-testid="key-create" on:click=begin>"Create this key"</button> }
                .into_any()
        }
    };
    let body = move || {
        match guard.get() {
        None => view! { <p class="muted">"Checking whether this key may be written…"</p> }.into_any(),
        Some(Err(error)) => view! { <ErrorBanner error testid="key-admin-error" /> }.into_any(),
        Some(Ok(p)) if !p.allowed => {
            let (why, instead) = p
                .protection
                .map(|p| (format!("Patroni's {} key of {}: {}", p.item, p.cluster, p.why), p.instead))
                .unwrap_or_default();
            view! {
                <div class="banner warn" data-testid="key-protected">
                    <p><strong>"Write-protected. "</strong>{why}</p>
                    <p data-testid="key-protected-instead">{instead}</p>
                    <p class="muted small">"Patrol started with --allow-patroni-key-writes would let admins write it."</p>
                </div>
            }
            .into_any()
        }
        Some(Ok(_)) => view! {
            <div class="key-buttons" hidden=move || editing.get()>{buttons}</div>
            <div class="key-editor" hidden=move || !editing.get()>
                <textarea data-testid="key-editor" rows="12" spellcheck="false" aria-label="New value"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <label class="check-field">
                    <input type="checkbox" data-testid="key-base64" prop:checked=move || base64.get()
                        on:change=toggle />
                    "Base64 (a binary value)"
                </label>
                <div class="dialog-buttons">
                    <button type="button" data-testid="key-editor-cancel" on:click=move |_| editing.set(false)>"Cancel"</button>
                    <button type="button" data-testid="key-preview" on:click=preview>"Preview…"</button>
                </div>
            </div>
        }
        .into_any(),
    }
    };
    let dialog = move || {
        open.get().map(|op| {
            let on_close = Callback::new(move |()| {
                if matches!(open.get_untracked(), Some(WriteOp::Put(_))) {
                    editing.set(false);
                }
                open.set(None);
            });
            view! { <WriteDialog key_base64=key_base64.clone() op seen=seen.get_untracked() current on_close /> }
        })
    };
    view! {
        <section class="key-admin" data-testid="key-admin">
            <h2>"Change this key"</h2>
            {body}
            {move || problem.get().map(|p| view! { <p class="banner bad" role="alert" data-testid="key-editor-problem">{p}</p> })}
            {dialog}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_switches_between_text_and_base64() {
        assert_eq!(convert("hi", true), Ok("aGk=".to_owned()));
        assert_eq!(convert("aGk=", false), Ok("hi".to_owned()));
        assert!(convert("/w==", false).is_err(), "0xff is not text");
        assert!(convert("not base64!", false).is_err());
        assert_eq!(editor_bytes("/w==", true), Ok(vec![0xff]));
        assert_eq!(editor_bytes("/w==", false), Ok(b"/w==".to_vec()));
    }
}
