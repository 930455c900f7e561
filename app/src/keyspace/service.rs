//! Reading keys from etcd, bounded: values, leases, history and search
//! (listings: [`super::listing`]).

use etcd_client::{GetOptions, KeyValue as EtcdKv, LeaseTimeToLiveOptions};

use super::model::{lease_hex, DirEntry, Found, History, KeyEntry, KeyValue, Version};
use super::path::{b64_decode, b64_encode, display_key, prefix_end};
use crate::error::AppError;
use crate::etcd::{Gateway, MAX_MESSAGE_BYTES};

/// Most entries one listing or search page may hold.
pub const MAX_LIMIT: usize = 5000;
/// Entries per page when the caller names no limit.
pub const DEFAULT_LIMIT: usize = 500;
/// Most versions one history request walks back.
pub const MAX_HISTORY: usize = 100;
/// Versions a history request walks back when the caller names no limit.
pub const DEFAULT_HISTORY: usize = 20;

/// Keys whose values one request fetches to learn their sizes; bounds the
/// memory a page of big values takes (etcd allows 1.5 MiB each).
const SIZE_BATCH: usize = 64;

/// The kv client, ready to receive big values.
pub(super) async fn kv(gw: &Gateway) -> Result<etcd_client::KvClient, AppError> {
    let client = gw.client().await.map_err(AppError::Unavailable)?;
    Ok(client
        .kv_client()
        .max_decoding_message_size(MAX_MESSAGE_BYTES))
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
    kv: &mut etcd_client::KvClient,
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
        let resp = call(gw, kv.get(first.clone(), Some(opts))).await?;
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
    let mut kv = kv(gw).await?;
    let limit = limit.clamp(1, MAX_LIMIT);
    let opts = GetOptions::new()
        .with_range(prefix_end(prefix))
        .with_keys_only()
        .with_limit(limit as i64);
    let from = after.unwrap_or_else(|| prefix.to_vec());
    let resp = call(gw, kv.get(from, Some(opts))).await?;
    let revision = resp.header().map_or(0, |h| h.revision());
    let found: Vec<Vec<u8>> = resp.kvs().iter().map(|k| k.key().to_vec()).collect();
    let next = match found.last() {
        Some(last) if resp.more() => Some(b64_encode(&[last.as_slice(), &[0]].concat())),
        _ => None,
    };
    Ok(Found {
        prefix: display_key(prefix),
        keys: entries(gw, &mut kv, &found, revision, 0).await?,
        next,
        revision,
    })
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
        size: value.len() as u64,
        truncated: shown.len() < value.len(),
        create_revision: item.create_revision(),
        mod_revision: item.mod_revision(),
        version: item.version(),
        lease: lease_hex(item.lease()),
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
    let mut kv = kv(gw).await?;
    let resp = call(gw, kv.get(key.to_vec(), None)).await?;
    let revision = resp.header().map_or(0, |h| h.revision());
    match resp.kvs().first() {
        Some(item) => Ok((item.clone(), revision)),
        None => Err(AppError::NotFound(format!("no key {}", display_key(key)))),
    }
}

/// Remaining and granted TTL of a lease; `None`s when it just expired.
async fn lease_ttl(gw: &Gateway, id: i64) -> Result<(Option<i64>, Option<i64>), AppError> {
    let client = gw.client().await.map_err(AppError::Unavailable)?;
    let mut lease = client.lease_client();
    let resp = call(
        gw,
        lease.time_to_live(id, Some(LeaseTimeToLiveOptions::new())),
    )
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
    let mut kv = kv(gw).await?;
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
        let resp = match gw.call(kv.get(key.to_vec(), Some(opts))).await {
            Ok(resp) => resp,
            Err(e) if e.contains("compacted") => {
                compacted = Some(format!(
                    "versions before revision {} were compacted away by etcd",
                    at + 1
                ));
                break;
            }
            Err(e) => return Err(AppError::Unavailable(e)),
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
        size: item.value().len() as u64,
        create_revision: item.create_revision(),
        mod_revision: item.mod_revision(),
        version: item.version(),
        lease: lease_hex(item.lease()),
    }
}

pub(super) async fn call<T, E, F>(gw: &Gateway, request: F) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, E>>,
    E: std::error::Error + 'static,
{
    gw.call(request).await.map_err(AppError::Unavailable)
}
