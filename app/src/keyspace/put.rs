//! `PUT /api/v1/kv/value`: writes one key, pinned to the mod revision the
//! admin saw, between the audit log's two records.

use axum::extract::FromRef;
use etcd_client::{Compare, CompareOp, GetOptions, PutOptions, Txn, TxnOp, TxnOpResponse};
use serde_json::json;

use super::path::{b64_encode, display_key};
use super::write::{
    check_size, confirm_word, current, hash, key_of, outcome, pinned_revision, text_or_base64,
    Operation, PutRequest, Written,
};
use crate::action::actor::Actor;
use crate::action::run::{recorded, Entry};
use crate::action::services::Services;
use crate::action::target::confirm;
use crate::error::AppError;
use crate::etcd::Gateway;
use crate::state::AppState;

/// Puts the value, if the key's mod revision is still `request.revision`
/// (`0`: the key does not exist yet). Refuses Patroni's keys (403), a
/// wrong confirmation or a value too large (400) and a key that changed
/// (409) before anything is recorded; the write itself is recorded before
/// and after. An update keeps the key's lease.
pub async fn put(
    state: &AppState,
    actor: &Actor,
    request: PutRequest,
) -> Result<Written, AppError> {
    let key = key_of(request.key.as_deref(), request.key_base64.as_deref())?;
    let value = text_or_base64(
        "value",
        request.value.as_deref(),
        request.value_base64.as_deref(),
    )?;
    let revision = pinned_revision(request.revision, false)?;
    let protection = super::protect::guard(state, &key)?;
    confirm(&request.confirm, &confirm_word(&key))?;
    check_size(&key, &value)?;
    let (now, store_revision) = current(&state.etcd, &key).await?;
    let seen = now.as_ref().map_or(0, |kv| kv.mod_revision());
    if seen != revision {
        return Err(changed(&key, revision, seen));
    }
    let before = now.as_ref().map(|kv| kv.value()).unwrap_or_default();
    let entry = Entry {
        action: "kv-put".into(),
        target: display_key(&key),
        params: json!({
            "key_base64": b64_encode(&key),
            "revision": revision,
            "size": value.len(),
            "sha256": hash(&value),
        }),
        preflight: Some(json!({
            "exists": now.is_some(),
            "mod_revision": seen,
            "size": before.len(),
            "sha256": now.as_ref().map(|_| hash(before)),
            "patroni_key": protection.map(|p| format!("{} of {} (--allow-patroni-key-writes)", p.item, p.cluster)),
        })),
        revision_before: store_revision,
    };
    let call = write(&state.etcd, &key, &value, revision);
    let services = Services::from_ref(state);
    let (result, audit_seq) = recorded(&services, actor, entry, call, outcome).await?;
    result.map(|w| Written { audit_seq, ..w })
}

/// The 409 for a key whose mod revision is `now`, not `seen`.
pub fn changed(key: &[u8], seen: i64, now: i64) -> AppError {
    let key = display_key(key);
    let what = match (seen, now) {
        (0, n) => format!("{key} exists already (mod revision {n})"),
        (s, 0) => format!("{key} no longer exists (it was at mod revision {s} when you read it)"),
        (s, n) => format!("{key} changed: its mod revision is {n} now, not {s} as you read it"),
    };
    AppError::Conflict(format!(
        "{what}; nothing was written: read the key again and repeat the change"
    ))
}

async fn write(gw: &Gateway, key: &[u8], value: &[u8], revision: i64) -> Result<Written, AppError> {
    // An update keeps the key's lease; a new key has none to keep.
    let options = (revision > 0).then(|| PutOptions::new().with_ignore_lease());
    let txn = Txn::new()
        .when([Compare::mod_revision(key, CompareOp::Equal, revision)])
        .and_then([TxnOp::put(key, value, options)])
        .or_else([TxnOp::get(key, Some(GetOptions::new().with_keys_only()))]);
    let mut kv = gw.client().await?.kv_client();
    let resp = gw.call(kv.txn(txn)).await?;
    let at = resp.header().map_or(0, |h| h.revision());
    if !resp.succeeded() {
        return Err(changed(key, revision, now_of(&resp.op_responses())));
    }
    Ok(Written {
        operation: Operation::Put,
        key: display_key(key),
        key_base64: b64_encode(key),
        revision: at,
        previous_revision: revision,
        size: value.len() as u64,
        sha256: hash(value),
        audit_seq: None,
    })
}

/// The mod revision a failed transaction's `get` found (`0`: no key).
pub fn now_of(responses: &[TxnOpResponse]) -> i64 {
    responses
        .iter()
        .find_map(|r| match r {
            TxnOpResponse::Get(g) => Some(g.kvs().first().map_or(0, |kv| kv.mod_revision())),
            _ => None,
        })
        .unwrap_or(0)
}
