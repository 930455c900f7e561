//! Guarded key writes against the real test bed's etcd: put and delete
//! pinned to a mod revision, values up to etcd's request limit, keys that
//! are not UTF-8, Patroni's keys refused, and the audit log without values.
//! Writes go under a scratch prefix, removed at the end even on failure;
//! Patroni's keys are only ever refused, so the clusters are not touched.

use crate::common;

use app::keyspace::path::b64_encode;
use common::admin::{Admin, TOKEN};
use common::{says, testbed_endpoints, Patrol, TempDir};

use crate::prefix::{endpoints, Scratch};
use reqwest::Method;
use serde_json::{json, Value};

const VALUE: &str = "/api/v1/kv/value";
const PREVIEW: &str = "/api/v1/kv/preview";

#[tokio::test]
async fn a_put_is_pinned_to_the_revision_seen() {
    let mut s = Scratch::new("put").await;
    let admin = Admin::start(false);
    let key = s.key("notes");
    let secret = format!("first-{}", s.prefix.len() * 7919);

    // The preview of a new key: nothing there, the write pinned to 0.
    let (status, p) = admin
        .call(
            Method::POST,
            PREVIEW,
            json!({ "key": key, "value": secret }),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["exists"], false, "{p}");
    assert_eq!(p["mod_revision"], 0, "{p}");
    assert_eq!(p["confirm"], key.as_str(), "{p}");
    assert_eq!(p["allowed"], true, "{p}");
    assert!(p["refusal"].is_null(), "{p}");
    assert_eq!(p["diff"][0]["change"], "Added", "{p}");
    assert_eq!(p["diff"][0]["text"], secret.as_str(), "{p}");

    let put = |value: &str, revision: i64, confirm: &str| json!({ "key": key, "value": value, "revision": revision, "confirm": confirm });
    // A wrong confirmation writes nothing.
    let (status, a) = admin
        .call(Method::PUT, VALUE, put(&secret, 0, "notes"))
        .await;
    assert_eq!(status, 400, "{a}");
    assert!(says(&a["error"], "confirmation"), "{a}");
    assert_eq!(s.read(key.as_str()).await, None);

    // Created.
    let (status, a) = admin.call(Method::PUT, VALUE, put(&secret, 0, &key)).await;
    assert_eq!(status, 200, "{a}");
    let first = a["revision"].as_i64().expect("revision");
    assert_eq!(a["previous_revision"], 0, "{a}");
    assert_eq!(a["operation"], "put", "{a}");
    assert!(a["audit_seq"].as_u64().is_some(), "{a}");
    assert_eq!(
        s.read(key.as_str()).await,
        Some((secret.clone().into_bytes(), first))
    );

    // Creating it again: it exists now.
    let (status, a) = admin.call(Method::PUT, VALUE, put("again", 0, &key)).await;
    assert_eq!(status, 409, "{a}");
    assert!(says(&a["error"], "exists already"), "{a}");

    // Updated with the right revision; the preview shows the line diff.
    let (_, p) = admin
        .call(
            Method::POST,
            PREVIEW,
            json!({ "key": key, "value": "second" }),
        )
        .await;
    assert_eq!(p["mod_revision"], first, "{p}");
    let changes: Vec<&Value> = p["diff"].as_array().expect("diff").iter().collect();
    assert_eq!(changes.len(), 2, "{p}");
    assert_eq!(changes[0]["change"], "Removed", "{p}");
    let (status, a) = admin
        .call(Method::PUT, VALUE, put("second", first, &key))
        .await;
    assert_eq!(status, 200, "{a}");
    let second = a["revision"].as_i64().expect("revision");
    assert!(second > first);
    assert_eq!(a["previous_revision"], first, "{a}");

    // A stale revision: refused with the current one named, nothing written.
    let (status, a) = admin
        .call(Method::PUT, VALUE, put("third", first, &key))
        .await;
    assert_eq!(status, 409, "{a}");
    assert!(
        says(&a["error"], &format!("mod revision is {second} now")),
        "{a}"
    );
    assert!(says(&a["error"], "nothing was written"), "{a}");
    assert_eq!(
        s.read(key.as_str()).await,
        Some((b"second".to_vec(), second))
    );

    // No revision at all is the caller's mistake.
    let (status, a) = admin
        .call(
            Method::PUT,
            VALUE,
            json!({ "key": key, "value": "x", "confirm": key }),
        )
        .await;
    assert_eq!(status, 400, "{a}");
    assert!(says(&a["error"], "revision is required"), "{a}");

    // Delete: a stale revision refused, the right one removes it.
    let del = |revision: i64| json!({ "key": key, "revision": revision, "confirm": key });
    let (status, a) = admin.call(Method::DELETE, VALUE, del(first)).await;
    assert_eq!(status, 409, "{a}");
    assert!(s.read(key.as_str()).await.is_some(), "still there");
    let (_, p) = admin
        .call(Method::POST, PREVIEW, json!({ "key": key, "delete": true }))
        .await;
    assert_eq!(p["mod_revision"], second, "{p}");
    assert_eq!(p["new_size"], Value::Null, "{p}");
    let (status, a) = admin.call(Method::DELETE, VALUE, del(second)).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["operation"], "delete", "{a}");
    assert_eq!(a["previous_revision"], second, "{a}");
    assert!(a["revision"].as_i64().expect("revision") > second, "{a}");
    assert_eq!(s.read(key.as_str()).await, None);
    let (status, a) = admin.call(Method::DELETE, VALUE, del(second)).await;
    assert_eq!(status, 409, "{a}");
    assert!(says(&a["error"], "no longer exists"), "{a}");

    // The audit log has a before and after record of each write, with
    // sizes and hashes but never a value.
    let log = admin.audit_lines().await;
    let records: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let of = |action: &str, phase: &str| {
        records
            .iter()
            .filter(|r| r["action"] == action && r["phase"] == phase)
            .count()
    };
    assert_eq!(
        (of("kv-put", "before"), of("kv-put", "after")),
        (2, 2),
        "{log}"
    );
    assert_eq!(
        (of("kv-delete", "before"), of("kv-delete", "after")),
        (1, 1),
        "{log}"
    );
    assert!(records.iter().all(|r| r["target"] == key.as_str()), "{log}");
    assert!(log.contains("\"sha256\""), "{log}");
    assert!(
        !log.contains(&secret) && !log.contains("second"),
        "values leaked into the audit log: {log}"
    );
}

#[tokio::test]
async fn values_up_to_the_request_limit_round_trip_and_bigger_are_refused() {
    let mut s = Scratch::new("big").await;
    let admin = Admin::start(false);
    let key = s.key("blob");
    // 1.4 MiB of every byte value, in an order that is no text.
    let value: Vec<u8> = (0..1400 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let body = json!({
        "key": key, "value_base64": b64_encode(&value), "revision": 0, "confirm": key,
    });
    let (status, a) = admin.call(Method::PUT, VALUE, body).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["size"], value.len(), "{a}");
    let (stored, _) = s.read(key.as_str()).await.expect("written");
    assert!(stored == value, "the value must come back byte for byte");
    // And through Patrol's own read.
    let (status, got) = admin
        .patrol
        .get(&format!(
            "/api/v1/kv/get?key_base64={}",
            common::percent_encode(&b64_encode(key.as_bytes()), "")
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["value_base64"], b64_encode(&value));

    // 1.6 MiB: refused before etcd is asked, as text and as base64.
    let other = s.key("too-big");
    let big = vec![b'x'; 1600 * 1024];
    for body in [
        json!({ "key": other, "value": String::from_utf8(big.clone()).expect("ascii"), "revision": 0, "confirm": other }),
        json!({ "key": other, "value_base64": b64_encode(&big), "revision": 0, "confirm": other }),
    ] {
        let (status, a) = admin.call(Method::PUT, VALUE, body).await;
        assert_eq!(status, 400, "{a}");
        assert!(says(&a["error"], "too large"), "{a}");
        assert!(says(&a["error"], "1.5 MiB"), "{a}");
    }
    assert_eq!(s.read(other.as_str()).await, None);
    let binary = vec![0xff; 1600 * 1024];
    let (_, p) = admin
        .call(
            Method::POST,
            PREVIEW,
            json!({ "key": other, "value_base64": b64_encode(&binary) }),
        )
        .await;
    let (refusal, summary) = (&p["refusal"], &p["summary"]);
    assert!(says(refusal, "too large"), "{refusal}");
    assert_eq!(p["diff"], json!([]), "binary is summarised: {summary}");
    assert_eq!(summary, "binary, nothing → 1638400 bytes");
}

#[tokio::test]
async fn keys_that_are_not_utf8_are_written_and_deleted() {
    let mut s = Scratch::new("bytes").await;
    let admin = Admin::start(false);
    let key: Vec<u8> = [s.prefix.as_bytes(), b"k\xff\xfe"].concat();
    let shown = format!("{}k\\xff\\xfe", s.prefix);
    let key64 = b64_encode(&key);
    let (_, p) = admin
        .call(
            Method::POST,
            PREVIEW,
            json!({ "key_base64": key64, "value": "v" }),
        )
        .await;
    assert_eq!(
        p["confirm"],
        shown.as_str(),
        "the key page's display form: {p}"
    );
    let (status, a) = admin
        .call(
            Method::PUT,
            VALUE,
            json!({ "key_base64": key64, "value": "v", "revision": 0, "confirm": shown }),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["key_base64"], key64.as_str(), "{a}");
    let (_, revision) = s.read(key.clone()).await.expect("written");
    let (status, a) = admin
        .call(
            Method::DELETE,
            VALUE,
            json!({ "key_base64": key64, "revision": revision, "confirm": shown }),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(s.read(key).await, None);
}

#[tokio::test]
async fn patroni_keys_are_refused_and_left_as_they_were() {
    let mut s = Scratch::new("patroni").await;
    let admin = Admin::start(false);
    for (key, instead) in [
        ("/db/mycluster/leader", "switchover"),
        ("/pg/pg-meta/config", "configuration on the cluster page"),
        (
            "/pg/pg-meta/members/pg-meta-1",
            "Patroni writes these itself",
        ),
        ("/db/mycluster/sync", "synchronous_mode"),
        ("/pg/pg-meta/initialize", "patronictl remove"),
        ("/pg/pg-meta/status", "Patroni keeps it current"),
    ] {
        let (before, revision) = s.read(key).await.expect("the test bed has the key");
        let put =
            json!({ "key": key, "value": "patrol-test", "revision": revision, "confirm": key });
        let (status, a) = admin.call(Method::PUT, VALUE, put).await;
        assert_eq!(status, 403, "{key}: {a}");
        assert!(says(&a["error"], "write-protected"), "{key}: {a}");
        assert!(says(&a["error"], instead), "{key}: {a}");
        let del = json!({ "key": key, "revision": revision, "confirm": key });
        let (status, a) = admin.call(Method::DELETE, VALUE, del).await;
        assert_eq!(status, 403, "{key}: {a}");
        let (_, p) = admin
            .call(Method::POST, PREVIEW, json!({ "key": key, "delete": true }))
            .await;
        assert_eq!(p["allowed"], false, "{key}: {p}");
        assert!(says(&p["protection"]["instead"], instead), "{key}: {p}");
        // Patroni rewrites some of these all the time; Patrol wrote nothing.
        let (after, _) = s.read(key).await.expect("still there");
        assert_ne!(after, b"patrol-test".to_vec(), "{key}");
        if key.ends_with("config") || key.ends_with("initialize") {
            assert_eq!(after, before, "{key}");
        }
    }
    let log = admin.audit_lines().await;
    assert!(
        !log.contains("kv-"),
        "refused before anything was recorded: {log}"
    );
}

#[tokio::test]
async fn the_protection_is_lifted_only_by_its_flag() {
    let mut s = Scratch::new("lifted").await;
    // The scratch prefix as a Patroni namespace: its `fake` cluster's
    // leader key is Patroni's by its place, and no Patroni reads it.
    let namespace = s.key("ns");
    let key = format!("{namespace}/fake/leader");
    let body = json!({ "key": key, "value": "x", "revision": 0, "confirm": key });
    let guarded = Admin::start_with(&["--namespace", &namespace]);
    let (status, a) = guarded.call(Method::PUT, VALUE, body.clone()).await;
    assert_eq!(status, 403, "{a}");
    drop(guarded);
    let lifted = Admin::start_with(&["--namespace", &namespace, "--allow-patroni-key-writes"]);
    let (_, p) = lifted
        .call(Method::POST, PREVIEW, json!({ "key": key, "value": "x" }))
        .await;
    assert_eq!(
        (p["allowed"].clone(), p["protection"]["item"].clone()),
        (json!(true), json!("leader")),
        "{p}"
    );
    let (status, a) = lifted.call(Method::PUT, VALUE, body).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        s.read(key.as_str()).await.map(|(v, _)| v),
        Some(b"x".to_vec())
    );
    let log = lifted.audit_lines().await;
    assert!(
        log.contains("--allow-patroni-key-writes"),
        "the audit log says why: {log}"
    );
}

#[tokio::test]
async fn only_admins_write() {
    let s = Scratch::new("anon").await;
    let key = s.key("k");
    let put = json!({ "key": key, "value": "x", "revision": 0, "confirm": key });
    let dir = TempDir::new("kv-write");
    let mut args = vec!["--endpoints".to_owned(), testbed_endpoints()];
    args.extend(common::admin::flags(dir.path()));
    let patrol = Patrol::start(&args);
    let http = reqwest::Client::new();
    for (method, path) in [
        (Method::PUT, VALUE),
        (Method::DELETE, VALUE),
        (Method::POST, PREVIEW),
    ] {
        let resp = http
            .request(method.clone(), format!("{}{path}", patrol.url))
            .json(&put)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 401, "{method} {path}");
        // A token that is not an admin's is no better.
        let resp = http
            .request(method.clone(), format!("{}{path}", patrol.url))
            .bearer_auth("not-the-admin-token-0123456789")
            .json(&put)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 401, "{method} {path}");
    }
    drop(patrol);
    args.push("--read-only".into());
    let patrol = Patrol::start(&args);
    let resp = http
        .put(format!("{}{VALUE}", patrol.url))
        .bearer_auth(TOKEN)
        .json(&put)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 403);
    let mut etcd = common::etcd_client(&endpoints()).await;
    let got = etcd.get(key.as_str(), None).await.expect("get");
    assert!(got.kvs().is_empty(), "nothing written");
}
