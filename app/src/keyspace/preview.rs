//! `POST /api/v1/kv/preview`: what a put or delete of one key would do
//! now: the current value's mod revision (to pin the write to), the diff,
//! whether the key is Patroni's, and why the write would be refused.

use super::path::{b64_encode, display_key};
use super::protect::protection;
use super::write::{
    check_size, confirm_word, current, key_of, text_or_base64, value_diff, Preview, PreviewRequest,
};
use crate::error::AppError;
use crate::state::AppState;

/// The preview of `request`; refuses only a request it cannot read
/// (400). What would refuse the write itself goes in `refusal`.
pub async fn preview(state: &AppState, request: PreviewRequest) -> Result<Preview, AppError> {
    let key = key_of(request.key.as_deref(), request.key_base64.as_deref())?;
    let new = if request.delete {
        if request.value.is_some() || request.value_base64.is_some() {
            return Err(AppError::Invalid(
                "a delete previews no value: send delete or a value, not both".into(),
            ));
        }
        None
    } else {
        Some(text_or_base64(
            "value",
            request.value.as_deref(),
            request.value_base64.as_deref(),
        )?)
    };
    let (now, revision) = current(&state.etcd, &key).await?;
    let old = now.as_ref().map(|kv| kv.value());
    let (diff, summary) = value_diff(old, new.as_deref());
    let namespaces = state.overview().namespaces.clone();
    let protection = protection(&namespaces, &key);
    let allowed = protection.is_none() || state.allow_patroni_key_writes;
    let refusal = match (&protection, &new) {
        (Some(p), _) if !allowed => Some(p.refusal(&display_key(&key))),
        (_, Some(value)) => check_size(&key, value).err().map(|e| match e {
            AppError::Invalid(words) => words,
            other => other.to_string(),
        }),
        (_, None) if now.is_none() => Some(format!("{} does not exist", display_key(&key))),
        _ => None,
    };
    Ok(Preview {
        key: display_key(&key),
        key_base64: b64_encode(&key),
        confirm: confirm_word(&key),
        exists: now.is_some(),
        mod_revision: now.as_ref().map_or(0, |kv| kv.mod_revision()),
        size: old.map_or(0, |v| v.len() as u64),
        new_size: new.as_ref().map(|v| v.len() as u64),
        diff,
        summary,
        protection,
        allowed,
        refusal,
        revision,
    })
}
