//! `DELETE /api/v1/kv/value`: deletes one key, pinned to the mod revision
//! the admin saw, between the audit log's two records.

use axum::extract::FromRef;
use etcd_client::{Compare, CompareOp, GetOptions, Txn, TxnOp};
use serde_json::json;

use super::path::{b64_encode, display_key};
use super::put::{changed, now_of};
use super::write::{
    confirm_word, current, hash, key_of, outcome, pinned_revision, DeleteRequest, Operation,
    Written,
};
use crate::action::actor::Actor;
use crate::action::run::{recorded, Entry};
use crate::action::services::Services;
use crate::action::target::confirm;
use crate::error::AppError;
use crate::etcd::Gateway;
use crate::state::AppState;

/// Deletes the key if its mod revision is still `request.revision`.
/// Refuses Patroni's keys (403), a wrong confirmation (400), a key that
/// changed or is gone (409) before anything is recorded; the delete itself
/// is recorded before and after.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    request: DeleteRequest,
) -> Result<Written, AppError> {
    let key = key_of(request.key.as_deref(), request.key_base64.as_deref())?;
    let revision = pinned_revision(request.revision, true)?;
    let protection = super::protect::guard(state, &key)?;
    confirm(&request.confirm, &confirm_word(&key))?;
    let (now, store_revision) = current(&state.etcd, &key).await?;
    let seen = now.as_ref().map_or(0, |kv| kv.mod_revision());
    let Some(now) = now.filter(|_| seen == revision) else {
        return Err(changed(&key, revision, seen));
    };
    let entry = Entry {
        action: "kv-delete".into(),
        target: display_key(&key),
        params: json!({ "key_base64": b64_encode(&key), "revision": revision }),
        preflight: Some(json!({
            "mod_revision": now.mod_revision(),
            "size": now.value().len(),
            "sha256": hash(now.value()),
            "patroni_key": protection.map(|p| format!("{} of {} (--allow-patroni-key-writes)", p.item, p.cluster)),
        })),
        revision_before: store_revision,
    };
    let gone = Written {
        operation: Operation::Delete,
        key: display_key(&key),
        key_base64: b64_encode(&key),
        revision: 0,
        previous_revision: revision,
        size: now.value().len() as u64,
        sha256: hash(now.value()),
        audit_seq: None,
    };
    let call = remove(&state.etcd, &key, revision, gone);
    let services = Services::from_ref(state);
    let (result, audit_seq) = recorded(&services, actor, entry, call, outcome).await?;
    result.map(|w| Written { audit_seq, ..w })
}

async fn remove(
    gw: &Gateway,
    key: &[u8],
    revision: i64,
    gone: Written,
) -> Result<Written, AppError> {
    let txn = Txn::new()
        .when([Compare::mod_revision(key, CompareOp::Equal, revision)])
        .and_then([TxnOp::delete(key, None)])
        .or_else([TxnOp::get(key, Some(GetOptions::new().with_keys_only()))]);
    let mut kv = gw.client().await?.kv_client();
    let resp = gw.call(kv.txn(txn)).await?;
    if !resp.succeeded() {
        return Err(changed(key, revision, now_of(&resp.op_responses())));
    }
    Ok(Written {
        revision: resp.header().map_or(0, |h| h.revision()),
        ..gone
    })
}
