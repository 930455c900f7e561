//! Reading keys from etcd, bounded: values, leases, history and search
//! (listings: [`super::listing`]).

use etcd_client::{
    GetOptions, GetResponse, KeyValue as EtcdKv, LeaseTimeToLiveOptions, Txn, TxnOp, TxnResponse,
};

use super::model::{lease_hex, DirEntry, Found, History, KeyEntry, KeyMeta, KeyValue, Version};
use super::path::{b64_decode, b64_encode, display_key, prefix_end};
use crate::error::AppError;
use crate::etcd::{EtcdError, Gateway, MAX_MESSAGE_BYTES};

/// Most entries one listing or search page may hold.
pub const MAX_LIMIT: usize = 5000;
/// Most bytes of keys one listing or search page may hold; a page of big
/// keys ends early, with a cursor to the rest.
pub const MAX_PAGE_KEY_BYTES: usize = 256 << 10;
/// Entries per page when the caller names no limit.
pub const DEFAULT_LIMIT: usize = 500;
/// Most versions one history request walks back.
pub const MAX_HISTORY: usize = 100;
/// Versions a history request walks back when the caller names no limit.
pub const DEFAULT_HISTORY: usize = 20;

/// Keys whose values one request fetches to learn their sizes; bounds the
/// memory a page of big values takes (etcd allows 1.5 MiB each).
const SIZE_BATCH: usize = 64;

/// One range read, sent through [`Gateway::call_read`] so a stuck member
/// cannot hold it up; the client accepts big values.
pub(super) async fn range(
    gw: &Gateway,
    key: Vec<u8>,
    opts: Option<GetOptions>,
) -> Result<GetResponse, EtcdError> {
    gw.call_read(|c, consistency| {
        let key = key.clone();
        let opts = consistency.get_options(opts.clone().unwrap_or_default());
        async move { kv_of(c).get(key, Some(opts)).await }
    })
    .await
}

/// A transaction of range reads, each `(key, options)`, as [`range`].
pub(super) async fn read_txn(
    gw: &Gateway,
    gets: Vec<(Vec<u8>, GetOptions)>,
) -> Result<TxnResponse, AppError> {
    gw.call_read(|c, consistency| {
        let ops: Vec<TxnOp> = gets
            .iter()
            .map(|(key, opts)| TxnOp::get(key.clone(), Some(consistency.get_options(opts.clone()))))
            .collect();
        async move { kv_of(c).txn(Txn::new().and_then(ops)).await }
    })
    .await
    .map_err(AppError::from)
}

fn kv_of(client: etcd_client::Client) -> etcd_client::KvClient {
    client
        .kv_client()
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
}

/// Cursor of the next page: the first key it starts at, base64.
pub fn decode_cursor(after: Option<&str>) -> Result<Option<Vec<u8>>, AppError> {
    after
        .filter(|a| !a.is_empty())
        .map(|a| b64_decode(a).map_err(|e| AppError::Invalid(format!("after: {e}"))))
        .transpose()
}

pub(super) fn dir_entry(name: &[u8], path: Vec<u8>, count: Option<u64>) -> DirEntry {
    DirEntry {
        name: display_key(name),
        path: display_key(&path),
        path_base64: b64_encode(&path),
        count,
    }
}

/// Metadata and sizes of `keys` (sorted), read at `revision`. Runs of
/// adjacent keys are fetched in one range each, [`SIZE_BATCH`] at a time.
pub(super) async fn entries(
    gw: &Gateway,
    keys: &[Vec<u8>],
    revision: i64,
    name_from: usize,
) -> Result<Vec<KeyEntry>, AppError> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(SIZE_BATCH) {
        let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
            continue;
        };
        let opts = GetOptions::new()
            .with_range([last.as_slice(), &[0]].concat())
            .with_revision(revision);
        let resp = range(gw, first.clone(), Some(opts)).await?;
        // The range may also hold keys of child directories between
        // `first` and `last`; keep only the ones asked for.
        let mut wanted = chunk.iter().peekable();
        for item in resp.kvs() {
            while wanted.next_if(|w| w.as_slice() < item.key()).is_some() {}
            if wanted.next_if(|w| w.as_slice() == item.key()).is_some() {
                out.push(key_entry(item, name_from));
            }
        }
    }
    Ok(out)
}

fn key_entry(item: &EtcdKv, name_from: usize) -> KeyEntry {
    KeyEntry {
        name: display_key(item.key().get(name_from..).unwrap_or_default()),
        key: display_key(item.key()),
        key_base64: b64_encode(item.key()),
        meta: meta(item),
    }
}

fn meta(item: &EtcdKv) -> KeyMeta {
    KeyMeta {
        size: item.value().len() as u64,
        create_revision: item.create_revision(),
        mod_revision: item.mod_revision(),
        version: item.version(),
        lease: lease_hex(item.lease()),
    }
}

/// Every key below `prefix` (keys only, then sizes), paged.
pub async fn search(
    gw: &Gateway,
    prefix: &[u8],
    after: Option<Vec<u8>>,
    limit: usize,
) -> Result<Found, AppError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let opts = GetOptions::new()
        .with_range(prefix_end(prefix))
        .with_keys_only()
        .with_limit(limit as i64);
    let from = after.unwrap_or_else(|| prefix.to_vec());
    let resp = range(gw, from, Some(opts)).await?;
    let revision = resp.header().map_or(0, |h| h.revision());
    let mut found: Vec<Vec<u8>> = resp.kvs().iter().map(|k| k.key().to_vec()).collect();
    let fit = fitting(&found);
    let next = if fit < found.len() {
        // Big keys: the page ends early and the next starts at the first left out.
        found.get(fit).map(|first| b64_encode(first))
    } else {
        match found.last() {
            Some(last) if resp.more() => Some(b64_encode(&[last.as_slice(), &[0]].concat())),
            _ => None,
        }
    };
    found.truncate(fit);
    Ok(Found {
        prefix: display_key(prefix),
        keys: entries(gw, &found, revision, 0).await?,
        next,
        revision,
    })
}

/// How many of `keys` fit in [`MAX_PAGE_KEY_BYTES`] (at least one).
fn fitting(keys: &[Vec<u8>]) -> usize {
    let mut bytes = 0;
    keys.iter()
        .position(|k| {
            bytes += k.len();
            bytes > MAX_PAGE_KEY_BYTES
        })
        .map_or(keys.len(), |i| i.max(1))
}

/// One key with its lease's remaining TTL. `cut` keeps only the first
/// bytes of a big value (for pages).
pub async fn get(gw: &Gateway, key: &[u8], cut: Option<usize>) -> Result<KeyValue, AppError> {
    let (item, revision) = read(gw, key).await?;
    let (ttl, granted_ttl) = match item.lease() {
        0 => (None, None),
        id => lease_ttl(gw, id).await?,
    };
    let value = item.value();
    let shown = cut.map_or(value, |n| value.get(..n).unwrap_or(value));
    Ok(KeyValue {
        key: display_key(item.key()),
        key_base64: b64_encode(item.key()),
        value: std::str::from_utf8(shown).ok().map(str::to_owned),
        value_base64: b64_encode(shown),
        meta: meta(&item),
        truncated: shown.len() < value.len(),
        ttl,
        granted_ttl,
        revision,
    })
}

/// The whole value of `key`, as bytes.
pub async fn raw(gw: &Gateway, key: &[u8]) -> Result<Vec<u8>, AppError> {
    Ok(read(gw, key).await?.0.value().to_vec())
}

async fn read(gw: &Gateway, key: &[u8]) -> Result<(EtcdKv, i64), AppError> {
    let resp = range(gw, key.to_vec(), None).await?;
    let revision = resp.header().map_or(0, |h| h.revision());
    match resp.kvs().first() {
        Some(item) => Ok((item.clone(), revision)),
        None => Err(AppError::NotFound(format!("no key {}", display_key(key)))),
    }
}

/// Remaining and granted TTL of a lease; `None`s when it just expired.
async fn lease_ttl(gw: &Gateway, id: i64) -> Result<(Option<i64>, Option<i64>), AppError> {
    // The leader answers this whatever the consistency asked for.
    let resp = gw
        .call_read(|c, _| async move {
            let opts = LeaseTimeToLiveOptions::new();
            c.lease_client().time_to_live(id, Some(opts)).await
        })
        .await?;
    // etcd answers -1 for a lease that no longer exists.
    Ok(match resp.ttl() {
        ttl if ttl < 0 => (None, None),
        ttl => (Some(ttl), Some(resp.granted_ttl())),
    })
}

/// Earlier versions of `key` since it was created, newest first: reads the
/// key as of the revision before each version's, until its create revision,
/// the compaction point, or `limit`.
pub async fn history(gw: &Gateway, key: &[u8], limit: usize) -> Result<History, AppError> {
    let limit = limit.clamp(1, MAX_HISTORY);
    let (current, revision) = read(gw, key).await?;
    let mut versions = Vec::new();
    let mut compacted = None;
    let mut at = current.mod_revision() - 1;
    let mut more = false;
    // Before its create revision the key did not exist (or belonged to an
    // earlier life of the key that a delete ended): nothing to show there.
    while at >= current.create_revision() {
        if versions.len() == limit {
            more = true;
            break;
        }
        let opts = GetOptions::new().with_revision(at);
        let resp = match range(gw, key.to_vec(), Some(opts)).await {
            Ok(resp) => resp,
            Err(EtcdError::Compacted(_)) => {
                compacted = Some(format!(
                    "versions before revision {} were compacted away by etcd",
                    at + 1
                ));
                break;
            }
            Err(e) => return Err(e.into()),
        };
        let Some(old) = resp.kvs().first() else { break };
        at = old.mod_revision() - 1;
        versions.push(version(old));
    }
    Ok(History {
        key: display_key(key),
        key_base64: b64_encode(key),
        versions,
        more,
        compacted,
        revision,
    })
}

fn version(item: &EtcdKv) -> Version {
    Version {
        value: std::str::from_utf8(item.value()).ok().map(str::to_owned),
        value_base64: b64_encode(item.value()),
        meta: meta(item),
    }
}
