//! The keyspace API against the real test bed's etcd: listings, values of
//! every kind, leases, history to the compaction point, and live events.
//! Each test writes under its own prefix and removes it afterwards.

use crate::common;

use std::time::Duration;

use common::says;
use common::{percent_encode, testbed_endpoints, Patrol};
use etcd_client::PutOptions;

use crate::prefix::Scratch;
use futures::StreamExt;
use serde_json::Value;

fn start() -> Patrol {
    Patrol::start(&["--endpoints", &testbed_endpoints()])
}

/// A key path for a URL, its slashes kept.
fn enc(s: &str) -> String {
    percent_encode(s, "/")
}

/// The names a listing of `path` gives, `limit` entries a page, following
/// `next` for at most `pages` pages; each page must answer 200 and hold at
/// most `limit` entries.
async fn every_page(patrol: &Patrol, path: &str, limit: usize, pages: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = String::new();
    for _ in 0..pages {
        let url = format!(
            "/api/v1/kv/ls?path={}&limit={limit}&after={}",
            enc(path),
            enc(&after)
        );
        let (status, page) = patrol.get(&url).await;
        assert_eq!(status, 200, "{page}");
        let n = names(&page, "keys").len() + names(&page, "dirs").len();
        assert!(n <= limit, "{page}");
        seen.extend(names(&page, "keys"));
        seen.extend(names(&page, "dirs"));
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    seen
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_level_lists_its_children_with_counts_and_pages() {
    let mut s = Scratch::new("ls").await;
    for k in ["a", "b", "dir1/x", "dir1/y", "dir2/deep/w", "c"] {
        s.put(s.key(k), format!("value of {k}")).await;
    }
    let patrol = start();
    let (status, list) = patrol
        .get(&format!("/api/v1/kv/ls?path={}", enc(&s.prefix)))
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(names(&list, "dirs"), ["dir1", "dir2"]);
    assert_eq!(names(&list, "keys"), ["a", "b", "c"]);
    assert_eq!(list["dirs"][0]["count"], 2, "{list}");
    assert_eq!(list["dirs"][0]["path"], s.key("dir1/"));
    assert_eq!(list["keys"][0]["size"], "value of a".len());
    assert_eq!(list["keys"][0]["key"], s.key("a"));
    assert!(list["keys"][0]["mod_revision"].as_i64() > Some(0));
    assert!(list["next"].is_null());

    // Two entries a page: a, b | c, dir1 | dir2 — in key order, no repeats.
    let mut seen = every_page(&patrol, &s.prefix, 2, 5).await;
    seen.sort();
    assert_eq!(seen, ["a", "b", "c", "dir1", "dir2"]);

    // Patroni's own layout, read through the same route.
    let (_, pg) = patrol.get("/api/v1/kv/ls?path=/pg/pg-meta/").await;
    assert_eq!(names(&pg, "dirs"), ["members"], "{pg}");
    for key in ["config", "leader", "status"] {
        assert!(
            names(&pg, "keys").contains(&key.to_owned()),
            "{key} missing: {pg}"
        );
    }
    assert_eq!(pg["dirs"][0]["count"], 3, "three pg-meta members: {pg}");
}

#[tokio::test]
async fn values_of_every_kind_come_back_exactly() {
    let mut s = Scratch::new("get").await;
    s.put(s.key("text"), "pg-meta-1").await;
    let binary: Vec<u8> = vec![0, 159, 146, 150, 0xff, b'\n'];
    s.put(s.key("binary"), binary.clone()).await;
    let mut odd_key = s.key("odd-").into_bytes();
    odd_key.extend([0xff, 0xfe, b' ', b'%']);
    s.put(odd_key.clone(), "under a non-UTF-8 key").await;
    let big: Vec<u8> = (0..1 << 20).map(|i: u32| b'a' + (i % 26) as u8).collect();
    s.put(s.key("big"), big.clone()).await;
    let patrol = start();

    let (status, text) = patrol
        .get(&format!("/api/v1/kv/get?key={}", enc(&s.key("text"))))
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text["value"], "pg-meta-1");
    assert_eq!(text["value_base64"], "cGctbWV0YS0x");
    assert_eq!(text["version"], 1);
    assert!(text["lease"].is_null() && text["ttl"].is_null());

    let (_, bin) = patrol
        .get(&format!("/api/v1/kv/get?key={}", enc(&s.key("binary"))))
        .await;
    assert!(bin["value"].is_null(), "not UTF-8, so no text: {bin}");
    assert_eq!(bin["value_base64"], "AJ+Slv8K");
    assert_eq!(bin["size"], 6);

    let (_, list) = patrol
        .get(&format!("/api/v1/kv/ls?path={}", enc(&s.prefix)))
        .await;
    let odd = list["keys"]
        .as_array()
        .and_then(|k| {
            k.iter()
                .find(|e| e["name"].as_str().is_some_and(|n| n.starts_with("odd-")))
        })
        .cloned()
        .expect("the non-UTF-8 key is listed");
    assert_eq!(odd["name"], "odd-\\xff\\xfe %");
    let b64 = odd["key_base64"].as_str().expect("key_base64");
    let (status, by_b64) = patrol
        .get(&format!("/api/v1/kv/get?key_base64={}", enc(b64)))
        .await;
    assert_eq!(status, 200, "{by_b64}");
    assert_eq!(by_b64["value"], "under a non-UTF-8 key");

    let (_, whole) = patrol
        .get(&format!("/api/v1/kv/get?key={}", enc(&s.key("big"))))
        .await;
    assert_eq!(whole["size"], 1 << 20);
    assert_eq!(whole["value"].as_str().map(str::len), Some(1 << 20));
    assert_eq!(whole["truncated"], false);
    let raw = reqwest::get(format!(
        "{}/api/v1/kv/raw?key={}",
        patrol.url,
        enc(&s.key("big"))
    ))
    .await
    .expect("raw");
    assert_eq!(raw.headers()["content-type"], "application/octet-stream");
    assert_eq!(raw.bytes().await.expect("body").as_ref(), big.as_slice());
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let patrol = start();
    let (status, missing) = patrol
        .get("/api/v1/kv/get?key=/patrol-test/never-written")
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        missing["error"],
        "not found: no key /patrol-test/never-written"
    );
    let (status, bad) = patrol.get("/api/v1/kv/get?key_base64=%25%25").await;
    assert_eq!(status, 400);
    assert!(says(&bad["error"], "key_base64"), "{bad}");
    let (status, both) = patrol.get("/api/v1/kv/get?key=/a&key_base64=L2E=").await;
    assert_eq!(status, 400, "{both}");
    let (status, cursor) = patrol.get("/api/v1/kv/ls?path=/&after=***").await;
    assert_eq!(status, 400, "{cursor}");
}

#[tokio::test]
async fn a_leased_key_shows_its_ttl_and_a_deleted_key_is_gone() {
    let mut s = Scratch::new("lease").await;
    let lease = s.etcd.lease_grant(60, None).await.expect("lease").id();
    let key = s.key("member");
    s.etcd
        .put(key.clone(), "{}", Some(PutOptions::new().with_lease(lease)))
        .await
        .expect("put with lease");
    let patrol = start();
    let (_, v) = patrol
        .get(&format!("/api/v1/kv/get?key={}", enc(&key)))
        .await;
    assert_eq!(v["lease"], format!("{lease:x}"));
    assert_eq!(v["granted_ttl"], 60);
    let ttl = v["ttl"].as_i64().expect("ttl");
    assert!((50..=60).contains(&ttl), "{v}");

    s.etcd.delete(key.clone(), None).await.expect("delete");
    let (status, _) = patrol
        .get(&format!("/api/v1/kv/get?key={}", enc(&key)))
        .await;
    assert_eq!(status, 404);
    let (_, list) = patrol
        .get(&format!("/api/v1/kv/ls?path={}", enc(&s.prefix)))
        .await;
    assert!(names(&list, "keys").is_empty(), "{list}");
    let _ = s.etcd.lease_revoke(lease).await;
}

/// The values of a history answer's versions, newest first.
fn values(history: &Value) -> Vec<Value> {
    history["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["value"].clone())
        .collect()
}

#[tokio::test]
async fn history_walks_back_to_the_compaction_point() {
    let mut s = Scratch::new("history").await;
    let key = s.key("config");
    for v in ["one", "two", "three", "four"] {
        s.put(key.clone(), v).await;
    }
    let patrol = start();
    let (status, h) = patrol
        .get(&format!("/api/v1/kv/history?key={}", enc(&key)))
        .await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(values(&h), ["three", "two", "one"]);
    assert_eq!(h["versions"][0]["version"], 3);
    assert!(h["compacted"].is_null());

    let (_, limited) = patrol
        .get(&format!("/api/v1/kv/history?key={}&limit=2", enc(&key)))
        .await;
    assert_eq!(limited["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(limited["more"], true);

    // Compacting at "three" leaves "three" readable, "two" and "one" not.
    let three = h["versions"][0]["mod_revision"].as_i64().expect("revision");
    s.etcd.compact(three, None).await.expect("compact");
    let (_, after) = patrol
        .get(&format!("/api/v1/kv/history?key={}", enc(&key)))
        .await;
    assert_eq!(values(&after), ["three"], "{after}");
    assert!(says(&after["compacted"], "compacted"), "{after}");
}

/// Reads server-sent events until `want` matches one; returns its data.
async fn next_event<S>(events: &mut S, buf: &mut String, want: &str) -> Value
where
    S: futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let name = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("");
            let data = block
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or("null");
            if name == want {
                return serde_json::from_str(data).expect("event data is JSON");
            }
        }
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("no {want} event within 10 s"))
            .expect("stream open")
            .expect("chunk");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn watch_streams_puts_and_deletes_from_one_shared_watch() {
    let mut s = Scratch::new("watch").await;
    let patrol = start();
    let url = format!("{}/api/v1/kv/watch?prefix={}", patrol.url, enc(&s.prefix));
    let first = reqwest::get(&url).await.expect("watch");
    assert_eq!(first.headers()["content-type"], "text/event-stream");
    let second = reqwest::get(&url).await.expect("second watch");
    let (mut a, mut b) = (first.bytes_stream(), second.bytes_stream());
    let (mut abuf, mut bbuf) = (String::new(), String::new());
    let ready = next_event(&mut a, &mut abuf, "ready").await;
    assert!(ready["revision"].as_i64() > Some(0), "{ready}");
    next_event(&mut b, &mut bbuf, "ready").await;
    let health = patrol.json("/api/v1/health").await;
    assert_eq!(
        health["kv_watches"], 1,
        "two viewers, one etcd watch: {health}"
    );

    let revision = s.put(s.key("new"), "hello").await;
    for (stream, buf) in [(&mut a, &mut abuf), (&mut b, &mut bbuf)] {
        let put = next_event(stream, buf, "put").await;
        assert_eq!(put["key"], s.key("new"));
        assert_eq!(put["value"], "hello");
        assert_eq!(put["mod_revision"], revision);
    }
    s.etcd.delete(s.key("new"), None).await.expect("delete");
    let gone = next_event(&mut a, &mut abuf, "delete").await;
    assert_eq!(gone["key"], s.key("new"));
    assert_eq!(gone["type"], "delete");
}

/// Past ~10,000 keys a listing walks in windows (see app's `listing.rs`);
/// every child must still come back once, in order, with paging intact.
#[tokio::test]
async fn a_big_level_lists_every_child_once_in_order() {
    let mut s = Scratch::new("big").await;
    let mut children: Vec<String> = (0..40).map(|i| format!("d{i:03}")).collect();
    children.extend(["d01", "d0100", "a", "zz", "m-x", "m.x", "\u{e9}t\u{e9}"].map(str::to_owned));
    let mut puts = Vec::new();
    for c in &children {
        // Big enough children that the rest of the level is never cheap.
        for k in 0..300 {
            puts.push(etcd_client::TxnOp::put(
                s.key(&format!("{c}/k{k:03}")),
                "v",
                None,
            ));
        }
    }
    let plain = ["d0005", "d039z", "zzz"];
    for p in plain {
        puts.push(etcd_client::TxnOp::put(s.key(p), "plain", None));
    }
    for chunk in puts.chunks(128) {
        s.etcd
            .txn(etcd_client::Txn::new().and_then(chunk.to_vec()))
            .await
            .expect("txn");
    }
    let patrol = start();
    let (status, list) = patrol
        .get(&format!("/api/v1/kv/ls?path={}", enc(&s.prefix)))
        .await;
    assert_eq!(status, 200, "{list}");
    let mut want = children.clone();
    want.sort();
    assert_eq!(names(&list, "dirs"), want);
    assert_eq!(names(&list, "keys"), plain);

    let mut seen = every_page(&patrol, &s.prefix, 7, 20).await;
    seen.sort();
    let mut all: Vec<String> = want.into_iter().chain(plain.map(str::to_owned)).collect();
    all.sort();
    assert_eq!(seen, all);
}
