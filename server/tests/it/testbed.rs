//! Patrol against the real test bed: two Patroni clusters on a 3-member etcd.
//! Start it with end2end/testbed/start.sh.

use crate::common;

use std::time::Duration;

use common::{etcdctl, testbed_endpoints, Patrol};
use serde_json::Value;

fn leader_in_etcd(key: &str) -> String {
    etcdctl(
        &testbed_endpoints(),
        &[],
        &["get", key, "--print-value-only"],
    )
    .trim()
    .to_owned()
}

fn start() -> Patrol {
    Patrol::start(&["--endpoints", &testbed_endpoints()])
}

fn cluster<'a>(clusters: &'a Value, ns: &str, scope: &str) -> &'a Value {
    clusters
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["namespace"] == ns && c["scope"] == scope)
        })
        .unwrap_or_else(|| panic!("{ns}/{scope} missing from {clusters}"))
}

#[tokio::test]
async fn clusters_carry_the_leaders_etcd_holds() {
    let patrol = start();
    patrol.wait_reachable(Duration::from_secs(10)).await;
    // A replica restarted or reinitialised by the test before this one shows
    // in etcd as "creating replica" (no timeline) until Patroni's next loop
    // writes its member key; wait (boundedly) for every member to report one.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let clusters = loop {
        let clusters = patrol.json("/api/v1/clusters").await;
        let settled = cluster(&clusters, "/pg", "pg-meta")["members"]
            .as_array()
            .is_some_and(|m| m.len() == 3 && m.iter().all(|m| !m["timeline"].is_null()));
        if settled || std::time::Instant::now() > deadline {
            break clusters;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };

    let pg_meta = cluster(&clusters, "/pg", "pg-meta");
    assert_eq!(pg_meta["leader"], leader_in_etcd("/pg/pg-meta/leader"));
    assert_eq!(pg_meta["paused"], false);
    let members = pg_meta["members"].as_array().expect("members");
    assert_eq!(members.len(), 3, "{pg_meta}");
    for m in members {
        for field in [
            "name", "role", "state", "timeline", "host", "port", "api_url",
        ] {
            assert!(!m[field].is_null(), "{field} missing in {m}");
        }
    }
    let leaders: Vec<_> = members.iter().filter(|m| m["role"] == "leader").collect();
    assert_eq!(leaders.len(), 1, "{pg_meta}");
    assert_eq!(leaders[0]["name"], pg_meta["leader"]);

    // The cluster tests switch mycluster over; mid-switchover its sync key
    // briefly names no standby, so wait (boundedly) for a settled cluster.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mycluster = loop {
        let clusters = patrol.json("/api/v1/clusters").await;
        let mycluster = cluster(&clusters, "/db", "mycluster").clone();
        let settled = mycluster["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["role"] == "sync_standby"));
        if settled || std::time::Instant::now() > deadline {
            break mycluster;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(mycluster["leader"], leader_in_etcd("/db/mycluster/leader"));
    assert_eq!(mycluster["members"].as_array().map(Vec::len), Some(2));
    assert!(
        mycluster["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["role"] == "sync_standby")),
        "synchronous mode shows a sync standby: {mycluster}"
    );
}

#[tokio::test]
async fn health_names_the_etcd() {
    let patrol = start();
    let health = patrol.wait_reachable(Duration::from_secs(10)).await;
    assert_eq!(health["status"], "ok");
    let endpoints = health["etcd"]["endpoints"].as_array().expect("endpoints");
    assert_eq!(endpoints.len(), 3);
    let id = health["etcd"]["cluster_id"]
        .as_str()
        .expect("cluster id is a string");
    assert!(u64::from_str_radix(id, 16).is_ok_and(|n| n != 0), "{id}");
    assert!(health["etcd"]["revision"].as_i64().is_some_and(|r| r > 0));
    let healthz = reqwest::get(format!("{}/healthz", patrol.url))
        .await
        .expect("healthz");
    assert!(healthz.status().is_success());
}

#[tokio::test]
async fn overview_page_is_rendered_on_the_server() {
    let patrol = start();
    patrol.wait_reachable(Duration::from_secs(10)).await;
    let (_, html) = patrol.text("/").await;
    let leader = leader_in_etcd("/pg/pg-meta/leader");
    for needle in ["pg-meta", "mycluster", leader.as_str(), "read-only"] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    // The bundle's JS under its content-hashed name (the site is built in).
    let hashed_js = html.split("\"/pkg/patrol.").skip(1).any(|rest| {
        rest.split_once(".js\"").is_some_and(|(hash, _)| {
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
    });
    assert!(hashed_js, "page lacks /pkg/patrol.<hash>.js");
    let missing = reqwest::get(format!("{}/no/such/page", patrol.url))
        .await
        .expect("404 page");
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn event_stream_pushes_a_new_cluster() {
    let patrol = start();
    patrol.wait_reachable(Duration::from_secs(10)).await;
    let mut resp = reqwest::get(format!("{}/api/v1/clusters/events", patrol.url))
        .await
        .expect("events");
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let scope = format!("patrol-it-{}", std::process::id());
    let key = format!("/service/{scope}/leader");
    etcdctl(&testbed_endpoints(), &[], &["put", &key, "it-leader"]);
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(chunk)) = resp.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&scope) && seen.contains("it-leader") {
                return true;
            }
        }
        false
    })
    .await;
    etcdctl(&testbed_endpoints(), &[], &["del", &key]);
    assert_eq!(found, Ok(true), "stream never showed {scope}:\n{seen}");
    assert!(seen.starts_with("event: overview"), "{seen}");
}

#[tokio::test]
async fn postgres_versions_come_from_each_members_rest_api() {
    let patrol = start();
    patrol.wait_reachable(Duration::from_secs(10)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let detail = patrol.json("/api/v1/clusters/pg/pg-meta").await;
        let members = detail["members"].as_array().cloned().unwrap_or_default();
        assert_eq!(members.len(), 3, "{detail}");
        let mut all = true;
        for m in &members {
            let Some(shown) = m["postgres_version"].as_str() else {
                all = false;
                continue;
            };
            let api = m["api_url"].as_str().expect("api_url");
            let told: Value = reqwest::get(api)
                .await
                .expect("REST")
                .json()
                .await
                .expect("JSON");
            let v = told["server_version"].as_u64().expect("server_version");
            assert_eq!(shown, format!("{}.{}", v / 10_000, v % 10_000), "{m}");
        }
        if all {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "versions never arrived: {members:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What `patronictl list -f json <scope>` says of each member: name → State.
async fn patronictl_states(config_of: &str, scope: &str) -> Vec<(String, String)> {
    let config = common::testbed::dir().join(config_of).join("patroni.yml");
    let out = tokio::process::Command::new(common::testbed::patronictl())
        .arg("-c")
        .arg(config)
        .args(["list", "-f", "json", scope])
        .output()
        .await
        .expect("run patronictl");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "patronictl list: {e}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut states: Vec<_> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let text = |f: &str| m[f].as_str().unwrap_or_default().to_owned();
            (text("Member"), text("State"))
        })
        .collect();
    states.sort();
    states
}

/// The State cell of each row of the member table in a rendered page.
fn table_states(html: &str) -> Vec<(String, String)> {
    let mut states: Vec<_> = html
        .split(r#"data-testid="member-row""#)
        .skip(1)
        .filter_map(|row| {
            let row = row.split("</tr>").next()?;
            let name = row.split(r#"data-member=""#).nth(1)?.split('"').next()?;
            let cell = row.split(r#"data-testid="state""#).nth(1)?;
            let text = cell.split_once('>')?.1.split('<').next()?;
            Some((name.to_owned(), text.to_owned()))
        })
        .collect();
    states.sort();
    states
}

#[tokio::test]
async fn member_states_are_what_patronictl_lists() {
    let patrol = start();
    patrol.wait_reachable(Duration::from_secs(10)).await;
    // A test beside this one may restart a member; wait (boundedly) for the
    // API, the page and patronictl to agree on a settled pg-meta.
    let wait = common::testbed::Deadline::new(
        Duration::from_secs(40),
        "pg-meta's API, page and patronictl agreeing on streaming replicas",
    );
    loop {
        let detail = patrol.json("/api/v1/clusters/pg/pg-meta").await;
        let (_, html) = patrol.text("/clusters/pg/pg-meta").await;
        let listed = patronictl_states("pg-meta-1", "pg-meta").await;
        let shown = table_states(&html);
        let replicas: Vec<_> = detail["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["role"] == "replica")
            .collect();
        // Patroni 4 keeps `state: running` and says `streaming` beside it;
        // the JSON carries both, the table shows what patronictl shows.
        let raw_ok = replicas.len() == 2
            && replicas
                .iter()
                .all(|m| m["state"] == "running" && m["replication_state"] == "streaming");
        let streaming = shown.iter().filter(|(_, s)| s == "streaming").count();
        if raw_ok && shown == listed && streaming == 2 && shown.len() == 3 {
            eprintln!("patronictl and Patrol's table: {shown:?}");
            return;
        }
        wait.check(format!(
            "replicas in the API: {replicas:?}\ntable: {shown:?}\npatronictl: {listed:?}"
        ))
        .await;
    }
}
