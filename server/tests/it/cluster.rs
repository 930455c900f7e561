//! The cluster API against the real test bed: details that match etcd, lag
//! that appears and goes, a switchover seen live, and odd keys that do not
//! break the page. Start the test bed with end2end/testbed/start.sh.
//!
//! Tests run in parallel, so each disturbs only its own cluster: the lag
//! test pg-meta, the switchover mycluster, the robustness test scratch keys.

use crate::common;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::proc::cpu_time;
use common::sse::Events;
use common::testbed::{
    self, ctl, get, lease_of, psql, value, Deadline, OnDrop, ScratchKeys, Stopped,
};
use common::{testbed_endpoints, Patrol};
use serde_json::Value;
use tokio::time::Instant;

fn start() -> Patrol {
    Patrol::start(&["--endpoints", &testbed_endpoints()])
}

fn member<'a>(detail: &'a Value, name: &str) -> &'a Value {
    detail["members"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("no member {name} in {detail}"))
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Member keys under `prefix` (`/pg/pg-meta`) as `(name, JSON value)`.
fn member_keys(prefix: &str) -> Vec<(String, Value)> {
    let members = format!("{prefix}/members/");
    let out = ctl(&["get", "--prefix", &members]);
    let lines: Vec<&str> = out.lines().collect();
    lines
        .chunks(2)
        .filter_map(|kv| {
            let name = kv[0].strip_prefix(&members)?.to_owned();
            Some((name, serde_json::from_str(kv.get(1)?).ok()?))
        })
        .collect()
}

/// Where the cluster's detail disagrees with etcd right now (empty: nowhere).
fn disagreements(prefix: &str, status: u16, d: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut same = |what: &str, api: &Value, etcd: Value| {
        if *api != etcd {
            out.push(format!("{what}: API {api}, etcd {etcd}"));
        }
    };
    same("status", &Value::from(status), Value::from(200));
    let leader = value(&format!("{prefix}/leader"));
    same("leader", &d["leader"], Value::from(leader.clone()));
    let initialize = value(&format!("{prefix}/initialize"));
    same(
        "system_identifier",
        &d["system_identifier"],
        initialize.into(),
    );
    let config: Value = value(&format!("{prefix}/config"))
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let flag = |k: &str| Value::Bool(config[k] == true);
    same("failsafe_mode", &d["failsafe_mode"], flag("failsafe_mode"));
    same(
        "synchronous_mode",
        &d["synchronous_mode"],
        flag("synchronous_mode"),
    );
    same(
        "maximum_lag_on_failover",
        &d["maximum_lag_on_failover"],
        config["maximum_lag_on_failover"].clone(),
    );
    let sync: Vec<String> = value(&format!("{prefix}/sync"))
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|s| s["sync_standby"].as_str().map(|s| vec![s.to_owned()]))
        .unwrap_or_default();
    same("sync_standbys", &d["sync_standbys"], sync.clone().into());

    let keys = member_keys(prefix);
    let key_names: Vec<String> = keys.iter().map(|(n, _)| n.clone()).collect();
    same("members", &names(&d["members"]).into(), key_names.into());
    for (name, json) in &keys {
        let Some(m) = d["members"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["name"] == *name))
        else {
            continue;
        };
        let role = if leader.as_deref() == Some(name) {
            "leader"
        } else if sync.contains(name) {
            "sync_standby"
        } else {
            "replica"
        };
        same(&format!("{name} role"), &m["role"], role.into());
        same(
            &format!("{name} api_url"),
            &m["api_url"],
            json["api_url"].clone(),
        );
        same(
            &format!("{name} timeline"),
            &m["timeline"],
            json["timeline"].clone(),
        );
        same(&format!("{name} host"), &m["host"], "127.0.0.1".into());
        same(
            &format!("{name} port"),
            &m["port"],
            testbed::pg_port(name).into(),
        );
    }

    let lease = &d["leader_lease"];
    same(
        "leader lease",
        &lease["id"],
        lease_of(&format!("{prefix}/leader")).into(),
    );
    same("lease ttl", &lease["ttl_s"], config["ttl"].clone());
    let remaining = lease["remaining_s"].as_i64().unwrap_or(-1);
    if !(1..=lease["ttl_s"].as_i64().unwrap_or(0)).contains(&remaining) {
        out.push(format!("lease remaining_s {remaining} outside 1..=ttl_s"));
    }
    if d["warnings"] != Value::Array(Vec::new()) {
        out.push(format!("warnings: {}", d["warnings"]));
    }
    out.sort();
    out
}

#[tokio::test]
async fn detail_matches_what_etcd_holds() {
    let patrol = start();
    let mut details = Vec::new();
    for (ns, scope, count) in [("pg", "pg-meta", 3), ("db", "mycluster", 2)] {
        let prefix = format!("/{ns}/{scope}");
        let url = format!("{}/api/v1/clusters/{ns}/{scope}", patrol.url);
        // Another test may be switching mycluster over: wait for agreement
        // on a settled cluster.
        let wait = Deadline::new(
            Duration::from_secs(40),
            format!("{prefix} agreeing with etcd"),
        );
        let detail = loop {
            let (status, d) = get(&url).await;
            let problems = disagreements(&prefix, status, &d);
            // Mid-switchover, etcd itself briefly names no sync standby.
            let settled = d["synchronous_mode"] != true
                || d["sync_standbys"].as_array().is_some_and(|s| !s.is_empty());
            if problems.is_empty() && settled {
                break d;
            }
            wait.check(format!("{problems:#?}\n{d}")).await;
        };
        assert_eq!(detail["namespace"], format!("/{ns}"));
        assert_eq!(detail["scope"], scope);
        assert_eq!(detail["members"].as_array().map(Vec::len), Some(count));
        assert_eq!(detail["etcd_reachable"], true);
        assert_eq!(detail["leader_lease"]["ttl_s"], 20, "{detail}");
        details.push(detail);
    }
    let (pg_meta, mycluster) = (&details[0], &details[1]);
    assert_eq!(pg_meta["failsafe_mode"], true);
    assert_eq!(pg_meta["synchronous_mode"], false);
    assert_eq!(pg_meta["sync_standbys"], Value::Array(Vec::new()));
    assert_eq!(mycluster["synchronous_mode"], true);
    assert_eq!(mycluster["failsafe_mode"], false);
    assert_eq!(mycluster["sync_standbys"].as_array().map(Vec::len), Some(1));
    assert_ne!(
        pg_meta["system_identifier"], mycluster["system_identifier"],
        "two clusters, two systems"
    );

    let list = patrol.json("/api/v1/clusters").await;
    for (ns, scope) in [("/pg", "pg-meta"), ("/db", "mycluster")] {
        assert!(
            list.as_array().is_some_and(|l| l
                .iter()
                .any(|c| c["namespace"] == ns && c["scope"] == scope)),
            "{ns}/{scope} missing from {list}"
        );
    }

    for (path, error) in [
        (
            "pg/no-such-scope",
            "not found: no cluster no-such-scope under /pg",
        ),
        (
            "nowhere/pg-meta",
            "not found: no cluster pg-meta under /nowhere",
        ),
        ("db/pg-meta", "not found: no cluster pg-meta under /db"),
    ] {
        for route in [path.to_owned(), format!("{path}/events")] {
            let resp = reqwest::get(format!("{}/api/v1/clusters/{route}", patrol.url))
                .await
                .expect("request");
            assert_eq!(resp.status().as_u16(), 404, "{route}");
            assert_eq!(
                resp.headers()["content-type"],
                "application/json",
                "{route}"
            );
            let body: Value = resp.json().await.expect("json body");
            assert_eq!(body, serde_json::json!({ "error": error }), "{route}");
        }
    }
}

/// An open stream waits for changes; it must not spin. Patroni renews the
/// leader lease every 2 s, so a few events come, but the server stays idle.
#[tokio::test]
async fn an_open_cluster_stream_costs_no_cpu_while_waiting() {
    let patrol = start();
    // The stream answers 404 until the mirror has loaded the cluster.
    patrol.wait_reachable(Duration::from_secs(10)).await;
    let url = format!("{}/api/v1/clusters/pg/pg-meta/events", patrol.url);
    let mut events = Events::open(&url).await;
    let (name, _) = events
        .next(Instant::now() + Duration::from_secs(10))
        .await
        .expect("a first event at once");
    assert_eq!(name, "cluster");
    let pid = patrol.pid();
    let (cpu, wall) = (cpu_time(pid), Instant::now());
    // A window to measure over, not a wait for something to happen.
    let window = Instant::now() + Duration::from_secs(3);
    let mut count = 0;
    while events.next(window).await.is_some() {
        count += 1;
    }
    let used = cpu_time(pid) - cpu;
    let wall = wall.elapsed();
    eprintln!("patrol used {used:?} of CPU in {wall:?} with one stream open ({count} events)");
    assert!(
        used < wall / 4,
        "patrol used {used:?} of CPU in {wall:?} with one idle stream open"
    );
}

/// Polls pg-meta until `want(detail, replica)` holds.
async fn wait_replica(
    patrol: &Patrol,
    replica: &str,
    within: Duration,
    what: &str,
    want: impl Fn(&Value, &Value) -> bool,
) -> Value {
    let url = format!("{}/api/v1/clusters/pg/pg-meta", patrol.url);
    let wait = Deadline::new(within, format!("{replica}: {what}"));
    loop {
        let (_, d) = get(&url).await;
        if want(&d, member(&d, replica)) {
            return d;
        }
        wait.check(&d).await;
    }
}

#[tokio::test]
async fn lag_appears_while_a_replica_is_stalled_and_goes_after() {
    let patrol = start();
    let caught_up = |m: &Value| {
        m["receive_lag_bytes"] == 0 && m["replay_lag_bytes"] == 0 && m["lag_ok"] == true
    };
    let url = format!("{}/api/v1/clusters/pg/pg-meta", patrol.url);
    let wait = Deadline::new(Duration::from_secs(60), "pg-meta with a caught-up replica");
    let (leader, replica, max_lag) = loop {
        let (_, d) = get(&url).await;
        let leader = d["leader"].as_str().map(str::to_owned);
        let replica = d["members"].as_array().and_then(|ms| {
            ms.iter()
                .find(|m| m["role"] == "replica" && caught_up(m))
                .and_then(|m| m["name"].as_str().map(str::to_owned))
        });
        if let (Some(l), Some(r)) = (leader, replica) {
            break (
                l,
                r,
                d["maximum_lag_on_failover"].as_u64().expect("max lag"),
            );
        }
        wait.check(&d).await;
    };
    let table = format!("patrol_lag_{}", std::process::id());
    let _drop_table = OnDrop {
        member: leader.clone(),
        sql: format!("drop table if exists {table}"),
    };
    let pid = testbed::walreceiver_pid(&replica)
        .unwrap_or_else(|| panic!("no walreceiver under {replica}'s postmaster"));

    // Kept short: the leader's wal_sender_timeout (60 s) must not fire.
    let stalled = Stopped::new(pid);
    let stalled_at = Instant::now();
    let lsn = "select pg_current_wal_lsn() - '0/0'";
    let before: u64 = psql(&leader, lsn).await.parse().expect("an LSN");
    // About 30 MB of WAL on the leader.
    psql(
        &leader,
        &format!(
            "create table {table} as \
             select g, repeat(md5(g::text), 4) as pad from generate_series(1, 150000) g"
        ),
    )
    .await;
    let written: u64 = psql(&leader, lsn).await.parse().expect("an LSN");
    assert!(written - before > 16 << 20, "{before} .. {written}");
    let behind = wait_replica(
        &patrol,
        &replica,
        Duration::from_secs(15),
        "the leader's position published, the replica past maximum_lag_on_failover",
        |d, m| {
            d["leader_lsn"].as_u64() >= Some(written)
                && m["receive_lag_bytes"].as_u64() > Some(max_lag)
                && m["lag_ok"] == false
        },
    )
    .await;
    drop(stalled);
    eprintln!(
        "walreceiver of {replica} stopped for {:?}",
        stalled_at.elapsed()
    );

    let m = member(&behind, &replica);
    let receive_lag = m["receive_lag_bytes"].as_u64().expect("receive lag");
    let leader_lsn = behind["leader_lsn"].as_u64().expect("leader_lsn");
    let receive_lsn = m["receive_lsn"].as_u64().expect("receive_lsn");
    assert!(
        receive_lsn <= before,
        "nothing written after the stop arrived: {m}"
    );
    assert_eq!(receive_lag, leader_lsn - receive_lsn, "{behind}");
    assert!(receive_lag >= written - before, "{m}");
    assert!(
        m["replay_lag_bytes"].as_u64() >= Some(receive_lag),
        "nothing is replayed that was not received: {m}"
    );
    let history = behind["lag_history"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["name"] == replica.as_str()))
        .unwrap_or_else(|| panic!("no lag history for {replica}: {behind}"));
    assert!(
        history["samples"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["receive"].as_u64() >= Some(receive_lag))),
        "the peak is in the history: {history}"
    );

    let after = wait_replica(
        &patrol,
        &replica,
        Duration::from_secs(60),
        "lag back to zero",
        |_, m| caught_up(m),
    )
    .await;
    assert_eq!(after["leader"], leader.as_str(), "no failover meanwhile");
}

/// Reads `events` until `want(detail)`; `None` at `deadline`.
async fn until_event(
    events: &mut Events,
    deadline: Instant,
    want: impl Fn(&Value) -> bool,
) -> Option<(Value, Instant)> {
    loop {
        let (name, data) = events.next(deadline).await?;
        assert_eq!(name, "cluster", "{data}");
        if want(&data) {
            return Some((data, Instant::now()));
        }
    }
}

#[tokio::test]
async fn a_patronictl_switchover_shows_live_and_in_the_api() {
    let patrol = start();
    let url = format!("{}/api/v1/clusters/db/mycluster", patrol.url);
    let ready = |d: &Value| {
        d["members"].as_array().is_some_and(|ms| {
            ms.len() == 2
                && ms.iter().any(|m| m["role"] == "leader")
                && ms.iter().any(|m| {
                    m["role"] == "sync_standby"
                        && m["replication_state"] == "streaming"
                        && m["timeline"] == d["timeline"]
                        && m["lag_ok"] == true
                })
        })
    };
    let wait = Deadline::new(
        Duration::from_secs(90),
        "mycluster with a streaming sync standby",
    );
    loop {
        let (_, d) = get(&url).await;
        if ready(&d) {
            break;
        }
        wait.check(&d).await;
    }

    let mut events = Events::open(&format!("{url}/events")).await;
    let (name, first) = events
        .next(Instant::now() + Duration::from_secs(10))
        .await
        .expect("a first event at once");
    assert_eq!(name, "cluster");
    let old = first["leader"].as_str().expect("a leader").to_owned();
    let new = names(&first["members"])
        .into_iter()
        .find(|n| *n != old)
        .expect("a candidate");
    let history_len = first["history"].as_array().map_or(0, Vec::len);
    let timeline = first["timeline"].as_u64().expect("timeline");

    let config = testbed::dir().join(&old).join("patroni.yml");
    let (from, to) = (old.clone(), new.clone());
    let switchover = tokio::spawn(async move {
        let out = tokio::process::Command::new(testbed::patronictl())
            .arg("-c")
            .arg(config)
            .args(["switchover", "mycluster", "--leader", &from])
            .args(["--candidate", &to, "--force"])
            .output()
            .await
            .expect("run patronictl");
        (out, Instant::now())
    });
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30);
    let Some((_, leader_seen)) = until_event(&mut events, deadline, |d| d["leader"] == new).await
    else {
        let (out, _) = switchover.await.expect("patronictl task");
        panic!(
            "no event with leader {new} within 30 s; patronictl said:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (out, returned) = switchover.await.expect("patronictl task");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "patronictl failed: {said}");
    assert!(said.contains("Successfully switched over"), "{said}");
    let signed_ms = |a: Instant, b: Instant| {
        a.checked_duration_since(b).map_or_else(
            || -(b.duration_since(a).as_millis() as i64),
            |d| d.as_millis() as i64,
        )
    };
    eprintln!(
        "switchover {old} -> {new}: patronictl took {} ms; the new leader's event came {} ms \
         after it returned (negative: before)",
        signed_ms(returned, started),
        signed_ms(leader_seen, returned)
    );

    // Patroni writes the history row after the leader key; wait for it.
    let recorded = |d: &Value| {
        d["leader"] == new
            && d["history"].as_array().map(Vec::len) == Some(history_len + 1)
            && d["history"][history_len]["new_leader"] == new
    };
    let (event, _) = until_event(&mut events, leader_seen + Duration::from_secs(30), recorded)
        .await
        .expect("an event with the new history row within 30 s");
    let row = &event["history"][history_len];
    assert_eq!(row["timeline"], timeline, "{row}");
    assert!(
        row["time"].is_string() && row["lsn"].as_u64() > Some(0),
        "{row}"
    );

    let wait = Deadline::new(Duration::from_secs(30), "GET agreeing with the stream");
    loop {
        let (_, d) = get(&url).await;
        if recorded(&d) && d["timeline"] == timeline + 1 {
            break;
        }
        wait.check(&d).await;
    }
    assert_eq!(value("/db/mycluster/leader").as_deref(), Some(new.as_str()));

    // Leave it healthy: the old leader streaming from the new one, in sync.
    let wait = Deadline::new(Duration::from_secs(90), format!("{old} streaming again"));
    loop {
        let (_, d) = get(&url).await;
        let m = member(&d, &old);
        if ready(&d) && m["role"] == "sync_standby" && d["leader"] == new {
            break;
        }
        wait.check(&d).await;
    }
}

const VALID: &str = r#"{"conn_url":"postgres://127.0.0.1:5999/postgres","api_url":"http://127.0.0.1:8999/patroni","state":"running","role":"primary","xlog_location":50331648}"#;

#[tokio::test]
async fn odd_keys_are_reported_not_fatal() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scope = format!("patrol-it-odd-{}-{nanos}", std::process::id());
    let citus = format!("{scope}-citus");
    let (s, c) = (format!("/service/{scope}"), format!("/service/{citus}"));
    let _cleanup = ScratchKeys(vec![format!("{s}/"), format!("{c}/")]);
    let patrol = start();
    for (key, v) in [
        ("members/s-bad", r#"{"conn_url": "postgres://"#),
        ("members/s-partial", r#"{"role":"replica"}"#),
        (
            "members/s-odd",
            r#"{"conn_url":"postgres://127.0.0.1:5998/postgres","state":"running","role":"demoted"}"#,
        ),
        ("members/s-1", VALID),
        (
            "history",
            r#"[[1,25165984,"no recovery target specified"]]"#,
        ),
        ("failover", "{}"),
        ("leader", "s-1"),
    ] {
        ctl(&["put", &format!("{s}/{key}"), v]);
    }
    for (key, v) in [
        ("0/leader", "c0"),
        ("0/members/c0", VALID),
        ("1/leader", "w1"),
        ("1/members/w1", VALID),
    ] {
        ctl(&["put", &format!("{c}/{key}"), v]);
    }

    let url = format!("{}/api/v1/clusters/service/{scope}", patrol.url);
    let wait = Deadline::new(Duration::from_secs(10), "the scratch cluster in full");
    let d = loop {
        let (status, d) = get(&url).await;
        if status == 200 && d["leader"] == "s-1" && d["members"].as_array().map(Vec::len) == Some(4)
        {
            break d;
        }
        wait.check(&d).await;
    };
    assert_eq!(names(&d["members"]), ["s-1", "s-bad", "s-odd", "s-partial"]);
    let warnings: Vec<&str> = d["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("members/s-bad") && w.contains("malformed JSON")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("members/s-partial")),
        "{warnings:?}"
    );
    assert_eq!(member(&d, "s-1")["role"], "leader");
    assert_eq!(member(&d, "s-1")["port"], 5999);
    assert_eq!(member(&d, "s-bad")["role"], "unknown");
    assert_eq!(member(&d, "s-bad")["state"], "unknown");
    let partial = member(&d, "s-partial");
    assert_eq!(partial["role"], "replica");
    assert_eq!(partial["state"], "unknown");
    assert!(
        partial["host"].is_null() && partial["port"].is_null(),
        "{partial}"
    );
    assert_eq!(member(&d, "s-odd")["role"], "demoted");
    assert_eq!(
        d["history"],
        serde_json::json!([{
            "timeline": 1,
            "lsn": 25165984,
            "reason": "no recovery target specified",
            "time": null,
            "new_leader": null
        }])
    );
    assert_eq!(d["timeline"], 2, "one past the last history row");
    assert!(d["scheduled_switchover"].is_null(), "{d}");
    assert_eq!(d["gone"], Value::Array(Vec::new()));
    let list = patrol.json("/api/v1/clusters").await;
    assert!(
        list.as_array()
            .is_some_and(|l| l.iter().any(|c| c["scope"] == scope.as_str())),
        "{list}"
    );

    let groups_url = format!("{}/api/v1/clusters/service/{citus}", patrol.url);
    for (group, leader) in [(1, "w1"), (0, "c0")] {
        let (status, g) = get(&format!("{groups_url}?group={group}")).await;
        assert_eq!(status, 200, "{g}");
        assert_eq!(g["citus_group"], group);
        assert_eq!(g["leader"], leader);
        assert_eq!(names(&g["members"]), [leader]);
    }
    let (status, none) = get(&format!("{groups_url}?group=7")).await;
    assert_eq!(status, 404);
    assert_eq!(
        none["error"],
        format!("not found: no cluster {citus} (Citus group 7) under /service")
    );
    let (name, g) = Events::open(&format!("{groups_url}/events?group=1"))
        .await
        .next(Instant::now() + Duration::from_secs(10))
        .await
        .expect("a first event");
    assert_eq!(
        (name.as_str(), &g["leader"]),
        ("cluster", &Value::from("w1"))
    );

    // A member whose key goes is shown as gone, not dropped silently.
    ctl(&["del", &format!("{s}/members/s-odd")]);
    let wait = Deadline::new(Duration::from_secs(10), "s-odd listed as gone");
    let d = loop {
        let (_, d) = get(&url).await;
        if d["gone"].as_array().is_some_and(|g| !g.is_empty()) {
            break d;
        }
        wait.check(&d).await;
    };
    assert_eq!(names(&d["members"]), ["s-1", "s-bad", "s-partial"]);
    let gone = &d["gone"][0];
    assert_eq!(gone["member"]["name"], "s-odd");
    assert_eq!(gone["member"]["role"], "demoted", "as last seen");
    assert!(gone["since_ms"].as_u64() > Some(0), "{gone}");
    assert_eq!(d["gone"].as_array().map(Vec::len), Some(1));

    // All keys gone: an open stream says `missing`, GET says 404.
    let mut events = Events::open(&format!("{url}/events")).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let (name, _) = events.next(deadline).await.expect("a first event");
    assert_eq!(name, "cluster");
    ctl(&["del", "--prefix", &format!("{s}/")]);
    let mut seen = BTreeSet::new();
    let missing = loop {
        let Some((name, data)) = events.next(deadline).await else {
            panic!("no missing event within 10 s; saw {seen:?}");
        };
        if name == "missing" {
            break data;
        }
        seen.insert(name);
    };
    assert_eq!(missing, format!("no cluster {scope} under /service"));
    let (status, _) = get(&url).await;
    assert_eq!(status, 404);
}
