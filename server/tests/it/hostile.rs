//! Patrol against hostile input: markup in URLs and in etcd, keys deep
//! and long, member values too big, bad request bodies and unknown routes.
//! Each test writes into an etcd of its own, never the shared test bed.

use crate::common;

use std::time::{Duration, Instant};

use common::says;
use common::sse::Events;
use common::{percent_encode, Etcd, Patrol, TempDir};
use etcd_client::Client;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Markup an attacker would plant; none of it may reach a page as markup.
const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(2)>";
const SVG: &str = "<svg onload=alert(3)>";
const CLOSE_TITLE: &str = "</title><script>alert(4)</script>";

/// An etcd of the test's own and Patrol watching `/pg` on it.
async fn setup(tag: &str, extra: &[&str]) -> (TempDir, Etcd, Client, Patrol) {
    let dir = TempDir::new(tag);
    let etcd = Etcd::start(dir.path());
    let client = common::etcd_client(std::slice::from_ref(&etcd.endpoint)).await;
    let mut args = vec!["--endpoints", &etcd.endpoint, "--namespace", "/pg"];
    args.extend_from_slice(extra);
    let patrol = Patrol::start_reachable(&args).await;
    (dir, etcd, client, patrol)
}

/// `s` percent-encoded for a URL path segment.
fn enc(s: &str) -> String {
    percent_encode(s, "")
}

/// Fails when any planted markup appears as markup in `html`.
fn assert_inert(path: &str, html: &str) {
    // A planted `<` must never open a tag. (Inside the page's own JSON, `<`
    // is written `\u003c`; a `>` alone opens nothing.)
    for bad in [
        SCRIPT,
        IMG,
        SVG,
        CLOSE_TITLE,
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<b>h</b>",
    ] {
        assert!(
            !html.contains(bad),
            "{path}: {bad} reached the page as markup"
        );
    }
    let title = html
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    assert!(!title.contains('<'), "{path}: title {title}");
}

/// Waits until the mirror has the cluster `/pg/<scope>`.
async fn wait_cluster(patrol: &Patrol, scope: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let clusters = patrol.json("/api/v1/clusters").await;
        if let Some(c) = clusters
            .as_array()
            .and_then(|a| a.iter().find(|c| c["scope"] == scope))
        {
            return c.clone();
        }
        assert!(
            Instant::now() < deadline,
            "cluster {scope} never showed: {clusters}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn markup_from_urls_and_from_etcd_stays_text() {
    let (_dir, _etcd, mut etcd, patrol) = setup("hostile-markup", &[]).await;
    // Markup with a `/` would split the scope or member name in two.
    let scope = format!("x{IMG}");
    let member = format!("m{SVG}");
    let base = format!("/pg/{scope}");
    let value = json!({
        "conn_url": "postgres://<b>h</b>:5432/postgres",
        "api_url": "javascript:alert(5)",
        "state": SCRIPT,
        "role": SVG,
        "xlog_location": 100,
        "timeline": 1,
        "version": CLOSE_TITLE,
        "tags": { "nofailover": SCRIPT, "replicatefrom": IMG, SVG: CLOSE_TITLE },
        "pending_restart": true,
        "pending_restart_reason": { SCRIPT: { "old_value": IMG, "new_value": SVG } },
    });
    etcd.put(format!("{base}/members/{member}"), value.to_string(), None)
        .await
        .expect("put");
    etcd.put(
        format!("{base}/members/{SVG}"),
        "{not json <script>alert(1)</script>",
        None,
    )
    .await
    .expect("put");
    etcd.put(format!("{base}/leader"), member.clone(), None)
        .await
        .expect("put");
    let config =
        json!({ "ttl": 30, SCRIPT: IMG, "postgresql": { "parameters": { SVG: CLOSE_TITLE } } });
    etcd.put(format!("{base}/config"), config.to_string(), None)
        .await
        .expect("put");
    etcd.put(
        format!("{base}/history"),
        format!("[[1, 100, \"{IMG}\", \"{SCRIPT}\", \"{SVG}\"]]"),
        None,
    )
    .await
    .expect("put");
    etcd.put(
        format!("{base}/sync"),
        json!({ "leader": SCRIPT, "sync_standby": IMG }).to_string(),
        None,
    )
    .await
    .expect("put");
    etcd.put(format!("/pg/{SCRIPT}"), SCRIPT, None)
        .await
        .expect("put");
    wait_cluster(&patrol, &scope).await;

    let mut paths = vec![
        "/".to_owned(),
        format!("/clusters/pg/{}", enc(&scope)),
        "/keys/pg/".to_owned(),
        format!("/keys/pg/{}/", enc(&scope)),
        format!("/keys/pg/{}/members/{}", enc(&scope), enc(&member)),
        format!("/keys/pg/{}/config", enc(&scope)),
        format!("/keys/pg/{}", enc(SCRIPT)),
        format!("/keys/pg/?q={}", enc(SCRIPT)),
        "/etcd".to_owned(),
        "/audit".to_owned(),
        format!("/sign-in?next={}", enc(SCRIPT)),
    ];
    // The issue's reproductions: markup in the path of pages that do not exist.
    paths.push(format!("/keys/{}/", enc(CLOSE_TITLE)));
    paths.push(format!("/clusters/{}/{}", enc(CLOSE_TITLE), enc(SCRIPT)));
    paths.push(format!("/{}", enc(CLOSE_TITLE)));
    for path in &paths {
        let (status, html) = patrol.text(path).await;
        assert!(status == 200 || status == 404, "{path}: {status}");
        assert_inert(path, &html);
    }
    // The cluster page did show the member, as text.
    let (_, html) = patrol.text(&format!("/clusters/pg/{}", enc(&scope))).await;
    assert!(
        html.contains("m&lt;svg onload=alert(3)"),
        "member name missing"
    );
}

#[tokio::test]
async fn a_deep_key_makes_a_bounded_page() {
    let (_dir, _etcd, mut etcd, patrol) = setup("hostile-deep", &[]).await;
    // 8,000 segments, 16 KB: its page used to be 64 MB of breadcrumbs.
    let key = format!("/deep/{}k", "a/".repeat(8000));
    etcd.put(key.as_str(), "v", None).await.expect("put");
    let started = Instant::now();
    let (status, html) = patrol.text(&format!("/keys{key}")).await;
    assert_eq!(status, 200);
    println!(
        "deep key page: {} bytes in {:?}",
        html.len(),
        started.elapsed()
    );
    assert!(html.len() < 1 << 20, "{} bytes", html.len());
    // deep, 8,000 × a, k: all but the first two and the last four hidden.
    assert!(html.contains("… 7996 more"), "collapsed trail missing");
    let dir = key
        .rsplit_once('/')
        .map(|(d, _)| format!("{d}/"))
        .unwrap_or_default();
    let (status, html) = patrol.text(&format!("/keys{dir}")).await;
    assert_eq!(status, 200);
    assert!(html.len() < 1 << 20, "{} bytes", html.len());
    // Only in the URL, never in etcd: bounded all the same.
    let ghost = format!("/keys/{}x", "b/".repeat(20_000));
    let (_, html) = patrol.text(&ghost).await;
    assert!(html.len() < 1 << 20, "{} bytes", html.len());
}

#[tokio::test]
async fn big_keys_end_a_listing_page_early() {
    let (_dir, _etcd, mut etcd, patrol) = setup("hostile-wide", &[]).await;
    // 40 KB each: a cursor to one of them still fits in a URL (64 KB).
    let names: Vec<String> = (0..12)
        .map(|i| format!("/big/{i:02}{}", "n".repeat(40_000)))
        .collect();
    for n in &names {
        etcd.put(n.as_str(), "v", None).await.expect("put");
    }
    let mut seen = 0;
    let mut after = String::new();
    let mut pages = 0;
    loop {
        let listing = patrol
            .json(&format!("/api/v1/kv/ls?path=/big/&after={after}"))
            .await;
        let keys = listing["keys"].as_array().map_or(0, Vec::len);
        assert!((1..=7).contains(&keys), "{keys} keys of 40 KB on one page");
        seen += keys;
        pages += 1;
        match listing["next"].as_str() {
            Some(next) => after = enc(next),
            None => break,
        }
    }
    assert_eq!((seen, pages > 1), (12, true));
    let (status, html) = patrol.text("/keys/big/").await;
    assert_eq!(status, 200);
    assert!(html.len() < 4 << 20, "{} bytes", html.len());
    assert!(html.contains("data-testid=\"more\""), "no link to the rest");
}

#[tokio::test]
async fn big_member_values_are_not_carried_in_pages_or_events() {
    let (_dir, _etcd, mut etcd, patrol) = setup("hostile-big", &[]).await;
    let member = |tags: Value| {
        json!({ "conn_url": "postgres://h:5432/p", "api_url": "http://127.0.0.1:1/patroni",
                "state": "running", "role": "replica", "xlog_location": 1, "tags": tags })
        .to_string()
    };
    etcd.put("/pg/big/leader", "m1", None).await.expect("put");
    etcd.put(
        "/pg/big/members/m1",
        member(json!({})).replace("replica", "primary"),
        None,
    )
    .await
    .expect("put");
    etcd.put(
        "/pg/big/members/m2",
        member(json!({ "junk": "x".repeat(60_000) })),
        None,
    )
    .await
    .expect("put");
    // 1.4 MiB: past what Patrol reads of a member.
    let huge = member(json!({ "junk": "y".repeat(1_400_000) }));
    etcd.put("/pg/big/members/m3", huge, None)
        .await
        .expect("put");
    wait_cluster(&patrol, "big").await;
    // The cluster can show before m3's 1.4 MiB put has come through the
    // watch, so the warning is waited for rather than read once.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let detail = patrol.json("/api/v1/clusters/pg/big").await;
        let warnings = detail["warnings"].to_string();
        if warnings.contains("m3: value is larger than 64.0 KiB") {
            break;
        }
        assert!(Instant::now() < deadline, "no warning for m3: {warnings}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // m3 is past the limit, so only m1 and m2 are members.
    let summary = wait_cluster(&patrol, "big").await;
    assert_eq!(
        summary["members"].as_array().map(Vec::len),
        Some(2),
        "{summary}"
    );

    // m2 goes: its tags must not ride along in every event for an hour.
    let mut events = Events::open(&format!("{}/api/v1/clusters/pg/big/events", patrol.url)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    events.next(deadline.into()).await.expect("first event");
    etcd.delete("/pg/big/members/m2", None)
        .await
        .expect("delete");
    let gone = loop {
        let (name, data) = events
            .next(deadline.into())
            .await
            .expect("an event after the delete");
        if name == "cluster" && data["gone"].as_array().is_some_and(|g| !g.is_empty()) {
            break data;
        }
    };
    let size = gone.to_string().len();
    println!("cluster event with a gone member: {size} bytes");
    assert!(size < 16 << 10, "{size} bytes");
    assert_eq!(gone["gone"][0]["member"]["name"], "m2");
}

#[tokio::test]
async fn bad_bodies_are_400_and_unknown_api_routes_a_json_404() {
    let (_dir, _etcd, _client, patrol) = setup("hostile-api", &[]).await;
    // A server function given the wrong arguments.
    for body in [r#"{"confirm":"x"}"#, "not json", ""] {
        let resp = patrol
            .post("/api/actions/pause", "application/json", body)
            .await;
        assert_eq!(resp.status().as_u16(), 400, "{body}");
        let text = resp.text().await.expect("body");
        assert!(text.contains("Invalid"), "{body}: {text}");
    }
    // A REST route given a body that is not JSON.
    let resp = patrol
        .post("/api/v1/session", "application/json", "{")
        .await;
    assert_eq!(resp.status().as_u16(), 400);
    for path in [
        "/api/v1/nope",
        "/api/v1/clusters/a/b/c/d",
        "/api/v1/kv/ls/extra",
    ] {
        let resp = reqwest::get(format!("{}{path}", patrol.url))
            .await
            .expect("GET");
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .is_ok_and(|c| c.starts_with("application/json")),
            "{path}"
        );
        let body: Value = resp.json().await.expect("JSON");
        assert!(says(&body["error"], "no API route"), "{body}");
    }
    // A body past the limit is refused from its declared length, not read.
    let mut conn = tokio::net::TcpStream::connect(patrol.url.trim_start_matches("http://"))
        .await
        .expect("connect");
    let head = "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9437184\r\n\r\n";
    conn.write_all(head.as_bytes()).await.expect("head");
    let mut answer = vec![0u8; 512];
    let n = conn.read(&mut answer).await.expect("answer");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}
