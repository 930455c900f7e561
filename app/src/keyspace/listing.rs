//! Listing one level of the keyspace without loading what lies below it.
//!
//! etcd answers a range request in time proportional to the keys in the
//! range, whatever its limit. So the walk never asks for "everything after
//! this child" once that is known to be big: it asks for small windows just
//! past the child ([`windows_after`]), many windows in one transaction, then
//! asks (one more transaction) whether each window holds anything after the
//! child it met. A level costs about two round trips per [`WINDOWS`]
//! children, and etcd work about the keys of those children.

use std::collections::VecDeque;

use etcd_client::{GetOptions, GetResponse, TxnOpResponse};

use super::model::Listing;
use super::path::{b64_encode, display_key, prefix_end};
use super::service::{dir_entry, entries, read_txn, MAX_LIMIT, MAX_PAGE_KEY_BYTES};
use crate::error::AppError;
use crate::etcd::Gateway;

/// Windows asked for in one transaction (etcd allows 128 operations).
const WINDOWS: usize = 100;
/// Keys asked for per window: enough to see a few small children whole.
const BATCH: i64 = 2;
const MAX_BATCH: i64 = 1024;
/// Keys a range may hold and still be cheap to ask for in one go (etcd
/// walks its index at roughly 0.1 µs a key).
const CHEAP_RANGE: i64 = 10_000;
/// Byte values after a name's own that get a window each before the
/// windows start doubling: numbered siblings (`d042`, `d043`) one apiece.
const SINGLE: u16 = 16;

type Window = (Vec<u8>, Vec<u8>);

/// One entry in key order, before sizes are read.
enum Entry {
    Key(Vec<u8>),
    /// Name, full prefix (ending in `/`), keys under it when all were seen.
    Dir(Vec<u8>, Vec<u8>, Option<u64>),
}

/// Lists the directory `dir` (a prefix ending in `/`), from the cursor on,
/// at most `limit` entries.
pub async fn list(
    gw: &Gateway,
    dir: &[u8],
    after: Option<Vec<u8>>,
    limit: usize,
) -> Result<Listing, AppError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let end = prefix_end(dir);
    let first = after.unwrap_or_else(|| dir.to_vec());
    let mut queue: VecDeque<Slot> = VecDeque::from([Slot::new((first, end.clone()))]);
    let mut revision = 0;
    let mut out: Vec<Entry> = Vec::new();
    let mut next = None;
    while next.is_none() {
        // Ask for the first windows not asked for yet; a lone one is the
        // rest of a run of plain keys, so take many keys then.
        let todo: Vec<usize> = (0..queue.len().min(WINDOWS))
            .filter(|&i| queue[i].resp.is_none())
            .collect();
        let batch = if queue.len() == 1 { MAX_BATCH } else { BATCH };
        let ops = todo.iter().map(|&i| {
            let (from, to) = &queue[i].window;
            let opts = GetOptions::new()
                .with_range(to.clone())
                .with_keys_only()
                .with_limit(batch);
            (from.clone(), at(opts, revision))
        });
        let (found, rev) = txn(gw, ops.collect()).await?;
        revision = rev;
        for (i, resp) in todo.into_iter().zip(found) {
            queue[i].open = open_child(dir, &resp);
            queue[i].resp = Some(resp);
        }
        // Whether anything follows the child a window ended inside of.
        let todo: Vec<usize> = (0..queue.len().min(WINDOWS))
            .filter(|&i| queue[i].needs_probe(&end))
            .collect();
        let ops = todo.iter().filter_map(|&i| {
            let slot = &queue[i];
            let (child, _) = slot.open.as_ref()?;
            let opts = GetOptions::new()
                .with_range(slot.window.1.clone())
                .with_keys_only()
                .with_limit(1);
            Some((prefix_end(child), at(opts, revision)))
        });
        let ops: Vec<(Vec<u8>, GetOptions)> = ops.collect();
        if !ops.is_empty() {
            let (probed, _) = txn(gw, ops).await?;
            for (i, p) in todo.into_iter().zip(probed) {
                queue[i].tail_empty = Some(p.kvs().is_empty());
            }
        }
        // Read the windows answered, in order, until one leaves a rest.
        let Some(rest) = read_slots(dir, &end, &mut queue, &mut out) else {
            break;
        };
        let limit = page_len(&out, limit);
        if out.len() >= limit {
            next = out.get(limit).map(start_of).or_else(|| {
                rest.front()
                    .or(queue.front().map(|s| &s.window))
                    .map(|w| w.0.clone())
            });
            out.truncate(limit);
            break;
        }
        for w in rest.into_iter().rev() {
            queue.push_front(Slot::new(w));
        }
        if queue.is_empty() {
            break;
        }
    }
    let keys: Vec<Vec<u8>> = out
        .iter()
        .filter_map(|e| match e {
            Entry::Key(k) => Some(k.clone()),
            Entry::Dir(..) => None,
        })
        .collect();
    let dirs = out
        .into_iter()
        .filter_map(|e| match e {
            Entry::Dir(name, path, n) => Some(dir_entry(&name, path, n)),
            Entry::Key(_) => None,
        })
        .collect();
    Ok(Listing {
        path: display_key(dir),
        path_base64: b64_encode(dir),
        dirs,
        keys: entries(gw, &keys, revision, dir.len()).await?,
        next: next.map(|n| b64_encode(&n)),
        revision,
    })
}

/// A window and, once asked for, what etcd said about it.
struct Slot {
    window: Window,
    resp: Option<GetResponse>,
    /// The child the answer ended inside of, and keys before it.
    open: Option<(Vec<u8>, usize)>,
    /// Whether nothing follows that child in the window, once asked.
    tail_empty: Option<bool>,
}

impl Slot {
    fn new(window: Window) -> Slot {
        Slot {
            window,
            resp: None,
            open: None,
            tail_empty: None,
        }
    }

    /// Asking what follows the open child is worth it unless the window is
    /// the whole big rest of the directory (then windows replace it).
    fn cheap(&self, end: &[u8]) -> bool {
        self.window.1 != end || self.resp.as_ref().is_some_and(|r| r.count() <= CHEAP_RANGE)
    }

    fn needs_probe(&self, end: &[u8]) -> bool {
        self.open.is_some() && self.tail_empty.is_none() && self.cheap(end)
    }
}

/// Reads answered windows off the front of `queue` into `out`. Stops at
/// the first window with something left to walk and returns that rest as
/// windows (empty when all answered windows were read, `None` when the
/// queue ran dry). Stops early, with an empty rest, once `out` is full
/// enough for the caller to cut a page.
fn read_slots(
    dir: &[u8],
    end: &[u8],
    queue: &mut VecDeque<Slot>,
    out: &mut Vec<Entry>,
) -> Option<VecDeque<Window>> {
    if queue.is_empty() {
        return None;
    }
    while let Some(slot) = queue.front() {
        let (Some(resp), false) = (&slot.resp, slot.needs_probe(end)) else {
            break;
        };
        let known = read_window(dir, resp, slot.open.as_ref().map(|(_, n)| *n), out);
        let rest = match &slot.open {
            Some((child, _)) => {
                let name = &child[dir.len()..child.len() - 1];
                out.push(Entry::Dir(name.to_vec(), child.clone(), None));
                match (slot.tail_empty, slot.cheap(end) && slot.window.1 == end) {
                    (Some(true), _) => None,
                    (_, true) => Some(VecDeque::from([(prefix_end(child), end.to_vec())])),
                    _ => Some(clip(windows_after(dir, name), &slot.window.1)),
                }
            }
            None => known.map(|last| {
                VecDeque::from([([last.as_slice(), &[0]].concat(), slot.window.1.clone())])
            }),
        };
        queue.pop_front();
        if let Some(rest) = rest {
            return Some(rest);
        }
        if out.len() > MAX_LIMIT {
            break;
        }
    }
    Some(VecDeque::new())
}

fn at(opts: GetOptions, revision: i64) -> GetOptions {
    if revision > 0 {
        opts.with_revision(revision)
    } else {
        opts
    }
}

async fn txn(
    gw: &Gateway,
    ops: Vec<(Vec<u8>, GetOptions)>,
) -> Result<(Vec<GetResponse>, i64), AppError> {
    let resp = read_txn(gw, ops).await?;
    let revision = resp.header().map_or(0, |h| h.revision());
    let gets = resp
        .op_responses()
        .into_iter()
        .filter_map(|r| match r {
            TxnOpResponse::Get(g) => Some(g),
            _ => None,
        })
        .collect();
    Ok((gets, revision))
}

/// The child directory a window's batch ended inside of (so more of it may
/// follow), with the number of the batch's keys before it.
fn open_child(dir: &[u8], resp: &GetResponse) -> Option<(Vec<u8>, usize)> {
    let last = resp.kvs().last()?.key();
    if !resp.more() {
        return None;
    }
    let rest = last.get(dir.len()..)?;
    let slash = rest.iter().position(|&b| b == b'/')?;
    let child = [dir, &rest[..=slash]].concat();
    let before = resp
        .kvs()
        .iter()
        .take_while(|k| !k.key().starts_with(&child))
        .count();
    Some((child, before))
}

/// Adds the window's keys and whole children (those the batch went past)
/// to `out`, up to `stop` keys of the batch. Returns the last key read when
/// the batch ended on a plain key with more to come.
fn read_window(
    dir: &[u8],
    resp: &GetResponse,
    stop: Option<usize>,
    out: &mut Vec<Entry>,
) -> Option<Vec<u8>> {
    let found = resp.kvs();
    let found = &found[..stop.unwrap_or(found.len()).min(found.len())];
    let mut i = 0;
    while let Some(item) = found.get(i) {
        let rest = item.key().get(dir.len()..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'/') {
            None => {
                out.push(Entry::Key(item.key().to_vec()));
                i += 1;
            }
            Some(slash) => {
                let child = [dir, &rest[..=slash]].concat();
                let inside = found[i..]
                    .iter()
                    .take_while(|k| k.key().starts_with(&child))
                    .count();
                i += inside;
                out.push(Entry::Dir(
                    rest[..slash].to_vec(),
                    child,
                    Some(inside as u64),
                ));
            }
        }
    }
    match (stop, found.last()) {
        (None, Some(last)) if resp.more() => Some(last.key().to_vec()),
        _ => None,
    }
}

/// How many of `out` fit on one page: at most `limit` entries, and no more
/// than [`MAX_PAGE_KEY_BYTES`] of their keys (etcd allows keys of 1.5 MiB,
/// and a page shows each one in a link), but always at least one.
fn page_len(out: &[Entry], limit: usize) -> usize {
    let mut bytes = 0;
    for (i, entry) in out.iter().enumerate().take(limit) {
        bytes += match entry {
            Entry::Key(k) => k.len(),
            Entry::Dir(_, path, _) => path.len(),
        };
        if bytes > MAX_PAGE_KEY_BYTES && i > 0 {
            return i;
        }
    }
    limit
}

fn start_of(entry: &Entry) -> Vec<u8> {
    match entry {
        Entry::Key(k) => k.clone(),
        Entry::Dir(_, path, _) => path.clone(),
    }
}

/// `windows` cut off at `to` (all bounds are prefix bounds, so cutting
/// keeps every child whole).
fn clip(windows: Vec<Window>, to: &[u8]) -> VecDeque<Window> {
    windows
        .into_iter()
        .filter(|(from, _)| from.as_slice() < to)
        .map(|(from, stop)| {
            if stop.as_slice() > to {
                (from, to.to_vec())
            } else {
                (from, stop)
            }
        })
        .collect()
}

/// Ranges that together cover everything in `dir` after the child
/// directory `name`, in key order: names that extend `name`, then for each
/// byte of `name` from the last, names that agree up to it and are bigger
/// there — one byte value a window for [`SINGLE`] values, then windows of
/// doubling width. Every bound is a prefix bound, so no window cuts through
/// a child directory.
pub fn windows_after(dir: &[u8], name: &[u8]) -> Vec<Window> {
    let base = [dir, name].concat();
    let mut out = vec![([base.as_slice(), b"0"].concat(), prefix_end(&base))];
    for p in (0..name.len()).rev() {
        let stem = [dir, &name[..p]].concat();
        let first = u16::from(name[p]) + 1;
        let (mut lo, mut step) = (first, 1);
        while lo <= 0xff {
            let hi = (lo + step).min(0x100);
            let start = [stem.as_slice(), &[lo as u8]].concat();
            let stop = match hi {
                0x100 => prefix_end(&stem),
                hi => [stem.as_slice(), &[hi as u8]].concat(),
            };
            out.push((start, stop));
            lo = hi;
            if lo - first >= SINGLE {
                step *= 2;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{clip, windows_after};
    use crate::keyspace::path::prefix_end;

    #[test]
    fn windows_cover_the_rest_of_the_directory_in_order() {
        for (dir, name) in [
            (&b"/bench/g3/"[..], &b"d042"[..]),
            (b"/pg/pg-meta/", b"members"),
            (b"/", b"a"),
            (b"/x/", &[0xff, 0x00, 0xff][..]),
        ] {
            let w = windows_after(dir, name);
            assert_eq!(
                w.first().map(|(s, _)| s.clone()),
                Some([dir, name, b"0"].concat())
            );
            assert_eq!(w.last().map(|(_, e)| e.clone()), Some(prefix_end(dir)));
            for pair in w.windows(2) {
                assert_eq!(pair[0].1, pair[1].0, "windows touch: {pair:?}");
                assert!(pair[0].0 < pair[0].1, "window not empty: {pair:?}");
            }
        }
    }

    #[test]
    fn numbered_siblings_get_a_window_each() {
        let w = windows_after(b"/d/", b"k042");
        assert_eq!(w[0], (b"/d/k0420".to_vec(), b"/d/k043".to_vec()));
        assert_eq!(w[1], (b"/d/k043".to_vec(), b"/d/k044".to_vec()));
        assert_eq!(w[2], (b"/d/k044".to_vec(), b"/d/k045".to_vec()));
    }

    #[test]
    fn clipping_keeps_windows_before_the_bound() {
        let w = clip(windows_after(b"/d/", b"k042"), b"/d/k045");
        assert_eq!(w.len(), 3);
        assert_eq!(w.back().map(|(_, e)| e.clone()), Some(b"/d/k045".to_vec()));
    }
}
