//! One Patrol, several etcd clusters: the test bed's main etcd and its
//! second one, `edge` (one member, with the Patroni cluster `edge` under
//! `/pg`, the namespace pg-meta has on the main one). Each etcd cluster is
//! served under its name, an admin action on the second is audited with
//! it, and one that is down does not slow pages about the others.

use std::time::{Duration, Instant};

use crate::common;

use common::admin::{self, eligible, Admin};
use common::bench::{ms, quantile};
use common::{testbed, testbed_endpoints, Etcd, Patrol, TempDir};
use serde_json::{json, Value};

/// `--config` file of the test bed's second etcd cluster (start.sh writes it).
fn fleet_file() -> String {
    std::env::var("PATROL_TESTBED_FLEET").unwrap_or_else(|_| {
        testbed::dir()
            .join("fleet.toml")
            .to_string_lossy()
            .into_owned()
    })
}

fn fleet_flags() -> Vec<String> {
    ["--etcd-name", "main", "--config", &fleet_file()]
        .map(str::to_owned)
        .to_vec()
}

/// Polls `GET /api/v1/fleet` until `want` holds.
async fn fleet_until(url: &str, what: &str, want: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, fleet) = testbed::get(&format!("{url}/api/v1/fleet")).await;
        assert_eq!(status, 200, "{fleet}");
        if want(&fleet) {
            return fleet;
        }
        assert!(Instant::now() < deadline, "{what}: {fleet}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn site<'f>(fleet: &'f Value, name: &str) -> &'f Value {
    fleet["sites"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no etcd cluster {name}: {fleet}"))
}

fn scopes(site: &Value) -> Vec<String> {
    site["overview"]["clusters"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["scope"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn each_etcd_cluster_is_served_under_its_name() {
    let mut args = vec!["--endpoints".to_owned(), testbed_endpoints()];
    args.extend(fleet_flags());
    let patrol = Patrol::start(&args);
    let url = &patrol.url;
    let fleet = fleet_until(url, "both etcd clusters with their Patroni clusters", |f| {
        let has = |name: &str, scope: &str| {
            f["sites"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|s| s["name"] == name && scopes(s).iter().any(|c| c == scope))
            })
        };
        // Both health readings taken (each etcd cluster's own 5 s task).
        let read = |name: &str| !site(f, name)["health"]["read_at_ms"].is_null();
        has("main", "pg-meta") && has("edge", "edge") && read("main") && read("edge")
    })
    .await;
    let (main, edge) = (site(&fleet, "main"), site(&fleet, "edge"));
    assert_eq!(main["home"], true, "{fleet}");
    assert_eq!(edge["home"], false, "{fleet}");
    assert!(!scopes(main).contains(&"edge".to_owned()), "{fleet}");
    assert_eq!(scopes(edge), ["edge"], "{fleet}");
    assert_eq!(main["health"]["voting"], 3, "{fleet}");
    assert_eq!(edge["health"]["voting"], 1, "{fleet}");
    assert_eq!(edge["health"]["quorum"], true, "{fleet}");
    assert_ne!(
        main["overview"]["etcd"]["cluster_id"], edge["overview"]["etcd"]["cluster_id"],
        "two etcd clusters"
    );

    // The same namespace on both: each route reaches its own etcd cluster.
    let get = |path: &str| {
        let full = format!("{url}{path}");
        async move { testbed::get(&full).await }
    };
    let (status, cluster) = get("/api/v1/e/edge/clusters/pg/edge").await;
    assert_eq!(status, 200, "{cluster}");
    let members: Vec<&str> = cluster["members"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        members.contains(&"edge-1") && members.contains(&"edge-2"),
        "{cluster}"
    );
    let (status, _) = get("/api/v1/clusters/pg/edge").await;
    assert_eq!(status, 404, "the home etcd cluster has no /pg/edge");
    let (status, _) = get("/api/v1/e/main/clusters/pg/pg-meta").await;
    assert_eq!(status, 200);
    let (status, _) = get("/api/v1/e/edge/clusters/pg/pg-meta").await;
    assert_eq!(status, 404, "edge has no pg-meta");
    let (status, members) = get("/api/v1/e/edge/etcd/members").await;
    assert_eq!(status, 200, "{members}");
    assert_eq!(
        members["members"].as_array().map(Vec::len),
        Some(1),
        "{members}"
    );
    let (status, members) = get("/api/v1/etcd/members").await;
    assert_eq!(status, 200, "{members}");
    assert_eq!(
        members["members"].as_array().map(Vec::len),
        Some(3),
        "{members}"
    );
    let (status, keys) = get("/api/v1/e/edge/kv/ls?path=/pg/").await;
    assert_eq!(status, 200, "{keys}");
    assert!(keys.to_string().contains("edge/"), "{keys}");
    assert!(!keys.to_string().contains("pg-meta/"), "{keys}");

    // A name this Patrol does not serve: 404 that lists those it does.
    for path in ["/api/v1/e/nope/clusters", "/api/v1/e/Bad%20Name/clusters"] {
        let (status, text) = patrol.text(path).await;
        assert_eq!(status, 404, "{path}: {text}");
        assert!(text.contains("main, edge"), "{path}: {text}");
    }
    // A page of one (an old bookmark): a page that says so and links to
    // each etcd cluster served, the name from the address escaped, with the
    // headers every page has.
    let answer = reqwest::get(format!("{url}/e/x'y/clusters"))
        .await
        .expect("GET /e/x'y/clusters");
    assert_eq!(answer.status(), 404);
    let csp = answer.headers().get("content-security-policy").cloned();
    assert!(csp.is_some_and(|v| v.to_str().is_ok_and(|v| v.contains("default-src 'self'"))));
    let page = answer.text().await.unwrap_or_default();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("No etcd cluster named x&#39;y"), "{page}");
    assert!(!page.contains("x'y"), "{page}");
    for link in ["href=\"/e/main\"", "href=\"/e/edge\"", "href=\"/\""] {
        assert!(page.contains(link), "{link}: {page}");
    }
    // The pages of the second etcd cluster, rendered on the server.
    let (status, page) = patrol.text("/e/edge/clusters/pg/edge").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("edge-2") && page.contains("data-testid=\"etcd-name\""),
        "{page}"
    );
    let (status, page) = patrol.text("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-etcd=\"edge\"") && page.contains("data-etcd=\"main\""));
    assert!(
        page.contains("href=\"/e/edge/clusters/pg/edge\""),
        "links into edge"
    );

    // Every scoped mutating route is still an admin's only.
    let http = reqwest::Client::new();
    let path = "/api/v1/e/edge/clusters/pg/edge/pause";
    let (status, answer) = admin::call(
        &http,
        reqwest::Method::POST,
        &format!("{url}{path}"),
        json!({"confirm": "edge"}),
    )
    .await;
    assert_eq!(status, 401, "{answer}");
}

#[tokio::test]
async fn a_switchover_on_the_second_etcd_cluster_is_audited_with_its_name() {
    let flags = fleet_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let admin = Admin::start_with(&flags);
    let edge = "/api/v1/e/edge/clusters/pg/edge";
    let deadline = Instant::now() + Duration::from_secs(60);
    let pf = loop {
        let (status, pf) = admin
            .call(
                reqwest::Method::GET,
                &format!("{edge}/switchover/preflight"),
                Value::Null,
            )
            .await;
        if status == 200 && pf["blockers"] == json!([]) && eligible(&pf).is_some() {
            break pf;
        }
        assert!(
            Instant::now() < deadline,
            "edge never had an eligible candidate: {pf}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let to = eligible(&pf).expect("eligible");
    let ask = json!({ "candidate": to, "confirm": "edge", "revision": pf["revision"] });
    let done = admin.answers(&format!("{edge}/switchover"), ask, 200).await;
    assert_eq!(done["accepted"], true, "{done}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, cluster) = admin.call(reqwest::Method::GET, edge, Value::Null).await;
        if cluster["leader"] == to.as_str() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "edge's leader never became {to}: {cluster}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let audit = admin.audit().await;
    let records: Vec<&Value> = audit["records"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["action"] == "switchover").collect())
        .unwrap_or_default();
    assert_eq!(records.len(), 2, "before and after: {audit}");
    for r in records {
        assert_eq!(r["etcd"], "edge", "{r}");
        assert_eq!(r["target"], "pg/edge", "{r}");
    }
}

/// Times `GET path` `n` times: the sorted durations.
async fn timed(url: &str, path: &str, n: usize) -> Vec<Duration> {
    let http = reqwest::Client::new();
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let status = http
            .get(format!("{url}{path}"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        took.push(start.elapsed());
        assert_eq!(status, 200, "{path}");
    }
    took.sort();
    took
}

#[tokio::test]
async fn an_etcd_cluster_that_is_down_does_not_slow_the_others() {
    let mut gone = Etcd::scratch("fleet-gone", &[]);
    // One that refuses Patrol's credentials all along: auth on, and the
    // table gives root a wrong password.
    let locked = Etcd::scratch("fleet-locked", &[]);
    for args in [
        &["user", "add", "root:root-password"][..],
        &["user", "grant-role", "root", "root"],
        &["auth", "enable"],
    ] {
        locked.ctl(args);
    }
    let dir = TempDir::new("fleet-config");
    let file = dir.path().join("patrol.toml");
    std::fs::write(
        &file,
        format!(
            "[etcd.gone]\nendpoints = [\"{}\"]\nnamespace = [\"/pg\"]\n\n\
             [etcd.locked]\nendpoints = [\"{}\"]\nnamespace = [\"/pg\"]\nuser = \"root:wrong-password\"\n",
            gone.endpoint, locked.endpoint
        ),
    )
    .expect("config file");
    let args = [
        "--endpoints".to_owned(),
        testbed_endpoints(),
        "--etcd-name".to_owned(),
        "main".to_owned(),
        "--config".to_owned(),
        file.to_string_lossy().into_owned(),
    ];
    let patrol = Patrol::start(&args);
    let url = &patrol.url;
    let fleet = fleet_until(url, "main and gone reachable, locked refusing", |f| {
        site(f, "gone")["overview"]["etcd"]["reachable"] == true
            && site(f, "main")["overview"]["etcd"]["reachable"] == true
            && scopes(site(f, "main")).iter().any(|s| s == "pg-meta")
            && site(f, "locked")["overview"]["etcd"]["error"]
                .as_str()
                .is_some_and(|e| e.contains("refused the credentials"))
    })
    .await;
    assert_eq!(
        site(&fleet, "locked")["overview"]["etcd"]["reachable"],
        false,
        "{fleet}"
    );
    let pages = [
        "/api/v1/fleet",
        "/api/v1/clusters/pg/pg-meta",
        "/",
        "/clusters/pg/pg-meta",
        "/api/v1/etcd/status",
    ];
    let mut before = Vec::new();
    for path in pages {
        before.push(timed(url, path, 20).await);
    }
    gone.kill();
    let fleet = fleet_until(url, "the stopped etcd cluster marked unreachable", |f| {
        site(f, "gone")["overview"]["etcd"]["reachable"] == false
    })
    .await;
    assert_eq!(
        site(&fleet, "main")["overview"]["etcd"]["reachable"],
        true,
        "{fleet}"
    );
    // Its own pages still answer, from what Patrol saw last.
    let (status, stale) = testbed::get(&format!("{url}/api/v1/e/gone/clusters")).await;
    assert_eq!(status, 200, "{stale}");
    for (path, before) in pages.iter().zip(&before) {
        let during = timed(url, path, 20).await;
        let (b50, d50, dmax) = (
            quantile(before, 0.5),
            quantile(&during, 0.5),
            quantile(&during, 1.0),
        );
        let bmax = quantile(before, 1.0);
        eprintln!(
            "{path}: p50 {:.1} ms before (max {:.1} ms, `locked` refusing), {:.1} ms with `gone` down too (max {:.1} ms)",
            ms(b50),
            ms(bmax),
            ms(d50),
            ms(dmax)
        );
        assert!(
            bmax < Duration::from_millis(1000),
            "{path} took {bmax:?} while `locked` refused Patrol's credentials"
        );
        // A page that waited on the dead etcd cluster would take its dial
        // timeout (2 s) or more; the locked one refuses throughout.
        assert!(
            dmax < Duration::from_millis(1000),
            "{path} took {dmax:?} while `gone` was down"
        );
        assert!(
            d50 <= b50 * 3 + Duration::from_millis(50),
            "{path}: p50 {d50:?} during against {b50:?} before"
        );
    }
}
