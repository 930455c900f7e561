//! Guarded key writes: what `PUT`/`DELETE /api/v1/kv/value` and
//! `POST /api/v1/kv/preview` take and answer (the key page sends and reads
//! the same types), and the checks every write passes before etcd is
//! asked. The verbs: [`super::put`], [`super::delete`], [`super::preview`].
//!
//! A write is pinned to the key's mod revision as the admin saw it (`0`:
//! the key must not exist yet) by an etcd transaction, so a key changed
//! in between is refused (409) and nothing is written. The typed
//! confirmation is the key as the key page shows it ([`confirm_word`]).

use serde::{Deserialize, Serialize};

use super::diff::DiffLine;
use super::path::{b64_decode, display_key};
use super::protect::Protection;
use crate::error::AppError;

/// The largest request etcd takes by default (`--max-request-bytes`).
pub const ETCD_MAX_REQUEST: usize = 1536 * 1024;
/// What a write's transaction needs besides its value and its key (which
/// it carries twice: in the compare and in the put); generous.
const TXN_OVERHEAD: usize = 1024;
/// Values whose hex dumps a preview diffs; bigger binary values are
/// summarised by their sizes.
pub const HEX_DIFF_MAX: usize = 4096;

/// `PUT /api/v1/kv/value`: the key as text (`key`) or bytes
/// (`key_base64`), the value likewise, the mod revision the admin saw
/// (`0` to create) and the typed confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
    // Optional in the type only so that a missing one is a clear 400.
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(default)]
    pub confirm: String,
}

/// `DELETE /api/v1/kv/value`: the key, its mod revision as the admin saw
/// it, and the typed confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_base64: Option<String>,
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(default)]
    pub confirm: String,
}

/// `POST /api/v1/kv/preview`: a put of `value`/`value_base64`, or with
/// `delete` the key's deletion, as it would be done now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
    #[serde(default)]
    pub delete: bool,
}

/// What a write would do, read from etcd now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub key: String,
    pub key_base64: String,
    /// The word the confirmation must repeat: `key` itself.
    pub confirm: String,
    pub exists: bool,
    /// The key's mod revision now (`0` when it does not exist): the
    /// `revision` to send with the write, which pins it to this value.
    pub mod_revision: i64,
    /// Size of the current value.
    pub size: u64,
    /// Size of the value proposed (`null` for a delete).
    pub new_size: Option<u64>,
    /// Line diff of the current value against the proposed one (text, or
    /// hex dumps of small binary values); empty when [`Preview::summary`]
    /// stands for it.
    pub diff: Vec<DiffLine>,
    /// For big binary values: "binary, N bytes → M bytes".
    pub summary: Option<String>,
    /// Set when the key is one of Patroni's own.
    pub protection: Option<Protection>,
    /// False when the key is write-protected: one of Patroni's, and
    /// Patrol runs without `--allow-patroni-key-writes`.
    pub allowed: bool,
    /// Why the write would be refused, if it would (protection, size, a
    /// delete of a key that does not exist).
    pub refusal: Option<String>,
    /// The etcd revision this was read at.
    pub revision: i64,
}

/// A write done: `revision` is the etcd revision it made (the key's new
/// mod revision after a put), `previous_revision` the mod revision it
/// replaced (`0`: the put created the key). Sizes and SHA-256 of the value
/// written (a put) or removed (a delete); never the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub operation: Operation,
    pub key: String,
    pub key_base64: String,
    pub revision: i64,
    pub previous_revision: i64,
    pub size: u64,
    pub sha256: String,
    pub audit_seq: Option<u64>,
}

/// The two writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Put,
    Delete,
}

/// The typed confirmation for `key`: the key as the key page shows it
/// (UTF-8 as it is; other bytes, control characters and `\` escaped as
/// `\xNN` and `\\`).
pub fn confirm_word(key: &[u8]) -> String {
    display_key(key)
}

/// Bytes given as text or as base64, exactly one of the two.
pub fn text_or_base64(
    name: &str,
    text: Option<&str>,
    base64: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    match (text, base64) {
        (Some(t), None) => Ok(t.as_bytes().to_vec()),
        (None, Some(b)) => {
            b64_decode(b).map_err(|e| AppError::Invalid(format!("{name}_base64: {e}")))
        }
        (Some(_), Some(_)) => Err(AppError::Invalid(format!(
            "give {name} or {name}_base64, not both"
        ))),
        (None, None) => Err(AppError::Invalid(format!(
            "{name} (text) or {name}_base64 (bytes) is required"
        ))),
    }
}

/// The key of a write: not empty.
pub fn key_of(text: Option<&str>, base64: Option<&str>) -> Result<Vec<u8>, AppError> {
    let key = text_or_base64("key", text, base64)?;
    if key.is_empty() {
        return Err(AppError::Invalid("the key is empty".into()));
    }
    Ok(key)
}

/// The revision a write is pinned to: required, never negative.
pub fn pinned_revision(revision: Option<i64>, delete: bool) -> Result<i64, AppError> {
    match revision {
        None if delete => Err(AppError::Invalid(
            "revision is required: the key's mod_revision as you read it".into(),
        )),
        None => Err(AppError::Invalid(
            "revision is required: the key's mod_revision as you read it, or 0 to create it".into(),
        )),
        Some(0) if delete => Err(AppError::Invalid(
            "revision 0 means \"the key does not exist\": a delete needs the key's mod_revision"
                .into(),
        )),
        Some(r) if r < 0 => Err(AppError::Invalid(format!("revision {r} is negative"))),
        Some(r) => Ok(r),
    }
}

/// Refuses a value that, with its key, would not fit in one etcd request
/// of [`ETCD_MAX_REQUEST`] bytes, before etcd is asked.
pub fn check_size(key: &[u8], value: &[u8]) -> Result<(), AppError> {
    let room = ETCD_MAX_REQUEST.saturating_sub(2 * key.len() + TXN_OVERHEAD);
    if value.len() <= room {
        return Ok(());
    }
    Err(AppError::Invalid(format!(
        "the value is {} bytes: too large. etcd takes requests of at most 1.5 MiB \
         ({ETCD_MAX_REQUEST} bytes, its --max-request-bytes default), which leaves room for \
         {room} bytes of value with this key. Nothing was sent to etcd",
        value.len()
    )))
}

/// The diff a preview shows between the current value (`None`: no key)
/// and the proposed one (`None`: a delete): a line diff when both are text,
/// of hex dumps when they are small, else a summary of the sizes.
pub fn value_diff(old: Option<&[u8]>, new: Option<&[u8]>) -> (Vec<DiffLine>, Option<String>) {
    let (old_b, new_b) = (old.unwrap_or_default(), new.unwrap_or_default());
    match (std::str::from_utf8(old_b), std::str::from_utf8(new_b)) {
        (Ok(o), Ok(n)) => (super::diff::line_diff(o, n), None),
        _ if old_b.len().max(new_b.len()) <= HEX_DIFF_MAX => {
            let dump = |b: &[u8]| -> String {
                let rows = super::value::hex_dump(b).into_iter();
                let rows: Vec<String> = rows
                    .map(|r| format!("{:08x}  {}", r.offset, r.hex))
                    .collect();
                rows.join("\n")
            };
            (super::diff::line_diff(&dump(old_b), &dump(new_b)), None)
        }
        _ => {
            let side = |v: Option<&[u8]>| v.map_or_else(|| "nothing".to_owned(), sized);
            (
                Vec::new(),
                Some(format!("binary, {} → {}", side(old), side(new))),
            )
        }
    }
}

fn sized(bytes: &[u8]) -> String {
    format!("{} bytes", bytes.len())
}

#[cfg(feature = "ssr")]
pub use ssr::{current, hash, outcome};

#[cfg(feature = "ssr")]
mod ssr {
    use etcd_client::KeyValue as EtcdKv;
    use sha2::{Digest, Sha256};

    use super::Written;
    use crate::audit::Outcome;
    use crate::error::AppError;
    use crate::etcd::Gateway;

    /// The key as etcd holds it now (a linearizable read) and the store's
    /// revision.
    pub async fn current(gw: &Gateway, key: &[u8]) -> Result<(Option<EtcdKv>, i64), AppError> {
        let mut kv = gw
            .client()
            .await?
            .kv_client()
            .max_decoding_message_size(crate::etcd::MAX_MESSAGE_BYTES);
        let resp = gw.call(kv.get(key, None)).await?;
        let revision = resp.header().map_or(0, |h| h.revision());
        Ok((resp.kvs().first().cloned(), revision))
    }

    /// SHA-256 of `bytes`, hex: what the audit log keeps of a value.
    pub fn hash(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// A write's result as the audit log records it: the answer (which
    /// holds no value) or the refusal in words.
    pub fn outcome(result: &Result<Written, AppError>) -> Outcome {
        match result {
            Ok(w) => Outcome {
                status: None,
                body: serde_json::to_string(w).unwrap_or_default(),
                error: None,
            },
            Err(e) => Outcome {
                status: None,
                body: String::new(),
                error: Some(e.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::diff::Change;

    #[test]
    fn values_up_to_the_request_limit_pass() {
        let key = b"/patrol-test/writes/k";
        assert!(check_size(key, &vec![0; 1400 * 1024]).is_ok());
        let room = ETCD_MAX_REQUEST - 2 * key.len() - TXN_OVERHEAD;
        assert!(check_size(key, &vec![0; room]).is_ok());
        let Err(AppError::Invalid(e)) = check_size(key, &vec![0; room + 1]) else {
            panic!("one byte more must be refused");
        };
        assert!(
            e.contains("1.5 MiB") && e.contains("Nothing was sent"),
            "{e}"
        );
        assert!(check_size(key, &vec![0; 1600 * 1024]).is_err());
        // A long key leaves less room for the value.
        let long = vec![b'k'; 100 * 1024];
        assert!(check_size(&long, &vec![0; 1400 * 1024]).is_err());
    }

    #[test]
    fn keys_and_values_come_as_text_or_base64() {
        assert_eq!(key_of(Some("/a"), None), Ok(b"/a".to_vec()));
        assert_eq!(key_of(None, Some("L2H/")), Ok(b"/a\xff".to_vec()));
        assert!(key_of(Some("/a"), Some("L2E=")).is_err());
        assert!(key_of(None, None).is_err());
        assert!(key_of(Some(""), None).is_err());
        assert!(key_of(None, Some("not base64!")).is_err());
        let value = text_or_base64("value", None, Some("AAEC"));
        assert_eq!(value, Ok(vec![0, 1, 2]));
        // An empty value is a value.
        assert_eq!(text_or_base64("value", Some(""), None), Ok(Vec::new()));
    }

    #[test]
    fn a_write_names_the_revision_it_saw() {
        assert_eq!(pinned_revision(Some(0), false), Ok(0));
        assert_eq!(pinned_revision(Some(42), true), Ok(42));
        assert!(pinned_revision(None, false).is_err());
        assert!(pinned_revision(Some(0), true).is_err());
        assert!(pinned_revision(Some(-1), false).is_err());
    }

    #[test]
    fn the_confirmation_is_the_key_as_shown() {
        assert_eq!(confirm_word(b"/a/b"), "/a/b");
        assert_eq!(confirm_word(b"/a/\xff\x01"), "/a/\\xff\\x01");
    }

    #[test]
    fn previews_diff_text_and_small_binary_and_summarise_big_binary() {
        let (diff, summary) = value_diff(Some(b"a\nb"), Some(b"a\nc"));
        assert_eq!(summary, None);
        let changes: Vec<_> = diff.iter().map(|l| l.change).collect();
        assert_eq!(changes, [Change::Same, Change::Removed, Change::Added]);
        let (diff, _) = value_diff(None, Some(b"new"));
        assert!(diff
            .iter()
            .any(|l| l.change == Change::Added && l.text == "new"));
        let (diff, summary) = value_diff(Some(b"\xff\x00"), Some(b"\xfe\x00"));
        assert_eq!(summary, None);
        assert!(diff.iter().any(|l| l.text.contains("fe 00")), "{diff:?}");
        let big = vec![0xff; HEX_DIFF_MAX + 1];
        let (diff, summary) = value_diff(Some(&big), None);
        assert!(diff.is_empty());
        assert_eq!(summary.as_deref(), Some("binary, 4097 bytes → nothing"));
    }
}
