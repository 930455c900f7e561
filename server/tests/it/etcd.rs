//! The read-only etcd API against the real test bed (three members): what
//! `etcdctl endpoint status --cluster` says, IDs as hex strings, one
//! leader, quorum in words. Start the test bed with end2end/testbed/start.sh.
//! (Maintenance is tested on throwaway clusters: etcd_maintenance.rs.)

use crate::common;

use common::testbed::ctl;
use common::{testbed_endpoints, Patrol};
use serde_json::Value;

fn start() -> Patrol {
    Patrol::start(&["--endpoints", &testbed_endpoints()])
}

/// Member IDs as etcdctl prints them (hex), from `member list -w json`,
/// which gives them as decimal numbers.
fn etcdctl_member_ids() -> Vec<String> {
    let out = ctl(&["member", "list", "-w", "json"]);
    // Decimal IDs above 2^53 lose precision as f64: read them as text.
    let mut ids = Vec::new();
    for part in out.split("\"ID\":").skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        let id: u64 = digits.parse().expect("member ID");
        ids.push(format!("{id:x}"));
    }
    ids.sort();
    ids
}

fn hex(v: &Value) -> u64 {
    let text = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    u64::from_str_radix(text, 16).unwrap_or_else(|_| panic!("not hex: {text}"))
}

/// The three members of an answer, checked against etcdctl's IDs.
fn the_test_beds_members(answer: &Value) -> &Vec<Value> {
    let members = answer["members"].as_array().expect("members");
    assert_eq!(members.len(), 3, "{answer:#}");
    let mut ids: Vec<String> = members
        .iter()
        .map(|m| m["id"].as_str().expect("id is a string").to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, etcdctl_member_ids());
    members
}

#[tokio::test]
async fn status_lists_three_members_one_leader_and_the_quorum() {
    let patrol = start();
    let s = patrol.json("/api/v1/etcd/status").await;
    let members = the_test_beds_members(&s);
    // u64 IDs: JSON numbers would round them above 2^53, so strings.
    assert!(members.iter().all(|m| m["id"].is_string()));
    assert!(s["cluster_id"].is_string() && hex(&s["cluster_id"]) != 0);
    assert!(
        members.iter().any(|m| hex(&m["id"]) > 1 << 53) || hex(&s["cluster_id"]) > 1 << 53,
        "the test bed's IDs are all small: {s:#}"
    );
    let leaders: Vec<&Value> = members.iter().filter(|m| m["is_leader"] == true).collect();
    assert_eq!(leaders.len(), 1, "{s:#}");
    for m in members {
        assert_eq!(m["healthy"], true, "{m:#}");
        assert!(m["round_trip_us"].as_u64().is_some(), "{m:#}");
        assert!(
            m["version"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{m:#}"
        );
        assert!(m["db_size"].as_u64() > Some(0), "{m:#}");
        assert!(m["raft_index"].as_u64() > Some(0), "{m:#}");
        assert!(m["raft_term"].as_u64() > Some(0), "{m:#}");
        assert!(m["client_urls"][0]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:")));
        assert!(m["peer_urls"][0].as_str().is_some());
        assert_eq!(m["is_learner"], false);
        // etcd 3.4 does not report its quota: 2 GiB assumed, and said so.
        assert_eq!(m["quota_bytes"], 2u64 << 30);
        assert_eq!(m["quota_assumed"], true);
    }
    assert_eq!(s["quorum"]["voting"], 3);
    assert_eq!(s["quorum"]["can_lose"], 1);
    assert_eq!(s["quorum"]["words"], "3 voting members, can lose 1");
    assert!(s["revision"].as_i64() > Some(0));
    assert_eq!(s["alarms"], serde_json::json!([]));
    assert!(s["read_at_ms"].as_u64() > Some(0));
}

#[tokio::test]
async fn members_and_alarms_answer_with_hex_ids() {
    let patrol = start();
    let list = patrol.json("/api/v1/etcd/members").await;
    let members = the_test_beds_members(&list);
    let mut names: Vec<&str> = members.iter().filter_map(|m| m["name"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["etcd1", "etcd2", "etcd3"]);
    let status = patrol.json("/api/v1/etcd/status").await;
    assert_eq!(list["cluster_id"], status["cluster_id"]);

    let alarms = patrol.json("/api/v1/etcd/alarms").await;
    assert_eq!(alarms, serde_json::json!({ "alarms": [] }));
}

#[tokio::test]
async fn the_page_renders_every_member_on_the_server() {
    let patrol = start();
    let html = reqwest::get(format!("{}/etcd", patrol.url))
        .await
        .expect("GET /etcd")
        .text()
        .await
        .expect("body");
    assert_eq!(
        html.matches("data-testid=\"etcd-member\"").count(),
        3,
        "{html}"
    );
    assert!(html.contains("3 voting members, can lose 1"));
    assert_eq!(html.matches("data-role=\"leader\"").count(), 1);
}

#[tokio::test]
async fn no_reachable_member_is_a_503_in_words() {
    let port = common::free_port();
    let patrol = Patrol::start(&["--endpoints", &format!("http://127.0.0.1:{port}")]);
    let resp = reqwest::get(format!("{}/api/v1/etcd/status", patrol.url))
        .await
        .expect("request");
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.expect("json");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("unavailable")),
        "{body}"
    );
}
