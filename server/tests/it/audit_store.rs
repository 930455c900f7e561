//! The audit log in the store, through real Patrol processes: two
//! instances appending at once keep one chain, SIGKILL in the middle of an
//! action leaves the chain valid with its "before" record, a store lost
//! while running refuses actions and comes back by itself, and an old
//! audit log file is imported once, or refused when its chain is broken.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{self, call};
use crate::common::store::{sqlite_flags, Postgres};
use crate::common::{Etcd, Patrol, TempDir};

pub(crate) const DISARM: &str = "/api/v1/etcd/alarms/disarm";

/// A Patrol with an admin token on `etcd`, with `store` flags.
pub(crate) fn admin_on(dir: &TempDir, etcd: &Etcd, store: &[String]) -> Patrol {
    let mut args = admin::flags(dir.path());
    args.extend(["--endpoints".to_owned(), etcd.endpoint.clone()]);
    args.extend(store.iter().cloned());
    Patrol::start(&args)
}

/// The whole audit log of `patrol` (at most 5000 records, newest first).
pub(crate) async fn audit(patrol: &Patrol) -> Value {
    let mut records = Vec::new();
    let mut before = None::<u64>;
    let verified = loop {
        let path = match before {
            Some(b) => format!("/api/v1/audit?limit=1000&before={b}"),
            None => "/api/v1/audit?limit=1000".to_owned(),
        };
        let (status, page) = patrol.get(&path).await;
        assert_eq!(status, 200, "{page}");
        records.extend(page["records"].as_array().cloned().unwrap_or_default());
        match page["next_before"].as_u64() {
            Some(b) if records.len() < 5000 => before = Some(b),
            _ => break page["verified"].clone(),
        }
    };
    json!({ "records": records, "verified": verified })
}

/// One disarm (an audited no-op) through `patrol`: status and answer.
pub(crate) async fn disarm(patrol: &Patrol) -> (u16, Value) {
    let url = format!("{}{DISARM}", patrol.url);
    call(
        &reqwest::Client::new(),
        Method::POST,
        &url,
        json!({ "confirm": "etcd" }),
    )
    .await
}

/// 2 × `n` disarms (an audited no-op on a throwaway etcd) at once, on two
/// Patrols sharing `store`; one unbroken chain of 4n records must result.
async fn two_instances_append_at_once(store: &[String], n: usize) {
    let etcd = Etcd::scratch("audit-concurrent", &[]);
    let dir = TempDir::new("audit-concurrent");
    let a = admin_on(&dir, &etcd, store);
    let b = admin_on(&dir, &etcd, store);
    let http = reqwest::Client::new();
    let started = Instant::now();
    let calls = (0..2 * n).map(|i| {
        let url = format!("{}{DISARM}", if i % 2 == 0 { &a.url } else { &b.url });
        let http = http.clone();
        async move { call(&http, Method::POST, &url, json!({ "confirm": "etcd" })).await }
    });
    let answers = futures::future::join_all(calls).await;
    let took = started.elapsed();
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
    }
    let log = audit(&a).await;
    let records = log["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(log["verified"]["ok"], true, "{}", log["verified"]);
    assert_eq!(log["verified"]["records"], json!(4 * n));
    assert_eq!(records.len(), 4 * n);
    let seqs: Vec<u64> = records
        .iter()
        .rev()
        .filter_map(|r| r["seq"].as_u64())
        .collect();
    assert_eq!(
        seqs,
        (1..=4 * n as u64).collect::<Vec<_>>(),
        "no gap, no fork"
    );
    let before = records.iter().filter(|r| r["phase"] == "before").count();
    assert_eq!(before, 2 * n, "a before and an after record per action");
    // Every answer names its own after record; no two share one.
    let mut after: Vec<u64> = answers
        .iter()
        .filter_map(|(_, a)| a["audit_seq"].as_u64())
        .collect();
    after.sort_unstable();
    after.dedup();
    assert_eq!(after.len(), 2 * n);
    eprintln!(
        "{} actions ({} audit records) from two Patrols in {took:?}: {:.0} records/s",
        2 * n,
        4 * n,
        (4 * n) as f64 / took.as_secs_f64()
    );
}

#[tokio::test]
async fn two_patrols_on_postgres_append_400_actions_to_one_chain() {
    let pg = Postgres::start();
    let db = pg.create_db();
    two_instances_append_at_once(&pg.flags(&db), 200).await;
}

#[tokio::test]
async fn two_patrols_on_one_sqlite_file_append_400_actions_to_one_chain() {
    let dir = TempDir::new("audit-sqlite");
    two_instances_append_at_once(&sqlite_flags(&dir.path().join("patrol.db")), 200).await;
}

/// A member whose REST API takes connections and never answers, in a
/// fake cluster `/t/fake` on `etcd`; returns the listener (keep it).
async fn hanging_member(etcd: &Etcd) -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hold = listener.try_clone().expect("clone");
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in hold.incoming().flatten() {
            open.push(stream); // accepted, never answered
        }
    });
    let mut client = crate::common::etcd_client(std::slice::from_ref(&etcd.endpoint)).await;
    let member = json!({
        "api_url": format!("http://127.0.0.1:{port}/patroni"),
        "conn_url": "postgres://127.0.0.1:1/postgres",
        "role": "replica", "state": "running", "timeline": 1,
    });
    client
        .put("/t/fake/members/m1", member.to_string(), None)
        .await
        .expect("member key");
    client
        .put("/t/fake/leader", "m0", None)
        .await
        .expect("leader key");
    listener
}

/// SIGKILL while an action waits on Patroni: the "before" record is in the
/// store, and the chain verifies when another Patrol reads it.
async fn killed_mid_action(store: &[String]) {
    let etcd = Etcd::scratch("audit-kill", &[]);
    let _member = hanging_member(&etcd).await;
    let dir = TempDir::new("audit-kill");
    let mut store_args = store.to_vec();
    store_args.extend(["--namespace".to_owned(), "/t".to_owned()]);
    let mut patrol = admin_on(&dir, &etcd, &store_args);
    // A record first, so the kill falls after a chain has begun.
    let http = reqwest::Client::new();
    let (status, a) = disarm(&patrol).await;
    assert_eq!(status, 200, "{a}");
    let url = format!("{}/api/v1/clusters/t/fake/members/m1/reload", patrol.url);
    let pending = tokio::spawn({
        let http = http.clone();
        async move { call(&http, Method::POST, &url, json!({ "confirm": "m1" })).await }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = audit(&patrol).await;
        if log["records"][0]["action"] == "reload" {
            break;
        }
        assert!(Instant::now() < deadline, "no before record: {log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    patrol.kill();
    let _ = pending.await;
    let after = admin_on(&dir, &etcd, &store_args);
    let log = audit(&after).await;
    assert_eq!(log["verified"]["ok"], true, "{}", log["verified"]);
    assert_eq!(log["verified"]["records"], 3);
    let newest = &log["records"][0];
    assert_eq!(
        (
            newest["seq"].clone(),
            newest["phase"].clone(),
            newest["action"].clone()
        ),
        (json!(3), json!("before"), json!("reload")),
        "{newest}"
    );
    // The chain goes on from there.
    let (status, a) = disarm(&after).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(audit(&after).await["verified"]["records"], 5);
}

#[tokio::test]
async fn sigkill_mid_action_leaves_the_before_record_and_a_valid_chain_on_postgres() {
    let pg = Postgres::start();
    let db = pg.create_db();
    killed_mid_action(&pg.flags(&db)).await;
}

#[tokio::test]
async fn sigkill_mid_action_leaves_the_before_record_and_a_valid_chain_on_sqlite() {
    let dir = TempDir::new("audit-kill-sqlite");
    killed_mid_action(&sqlite_flags(&dir.path().join("patrol.db"))).await;
}

#[tokio::test]
async fn a_lost_store_refuses_actions_keeps_pages_and_comes_back() {
    let pg = Postgres::start();
    let db = pg.create_db();
    let etcd = Etcd::scratch("audit-lost", &[]);
    let dir = TempDir::new("audit-lost");
    let patrol = admin_on(&dir, &etcd, &pg.flags(&db));
    let http = reqwest::Client::new();
    let url = format!("{}{DISARM}", patrol.url);
    pg.stop();
    let (status, a) = call(&http, Method::POST, &url, json!({ "confirm": "etcd" })).await;
    assert_eq!(status, 503, "{a}");
    assert!(
        a["error"]
            .as_str()
            .is_some_and(|e| e.contains("store") && e.contains("nothing was done")),
        "{a}"
    );
    assert_eq!(patrol.text("/").await.0, 200, "pages still serve");
    assert_eq!(patrol.text("/etcd").await.0, 200, "pages still serve");
    pg.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, a) = call(&http, Method::POST, &url, json!({ "confirm": "etcd" })).await;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the store never came back: {status} {a}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let log = audit(&patrol).await;
    assert_eq!(log["verified"]["ok"], true, "{log}");
    assert_eq!(
        log["verified"]["records"], 2,
        "nothing of the refused action was recorded"
    );
}

/// Runs `patrol` with `args` until it exits (it must, within 30 s); its
/// exit code and standard error.
pub(crate) fn run_to_exit(args: &[String]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn patrol");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("patrol did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn an_audit_log_file_is_imported_once_and_a_broken_one_stops_start() {
    // An audit log file as an older Patrol wrote it: two records.
    let etcd = Etcd::scratch("audit-import", &[]);
    let dir = TempDir::new("audit-import");
    let written = {
        let patrol = admin_on(&dir, &etcd, &[]);
        let http = reqwest::Client::new();
        for _ in 0..1 {
            let (status, a) = call(
                &http,
                Method::POST,
                &format!("{}{DISARM}", patrol.url),
                json!({ "confirm": "etcd" }),
            )
            .await;
            assert_eq!(status, 200, "{a}");
        }
        admin::audit_lines(&patrol.url).await
    };
    let file = dir.path().join("audit.log");
    std::fs::write(&file, &written).expect("write the file");
    let store = sqlite_flags(&dir.path().join("imported.db"));
    let mut args = store.clone();
    args.extend([
        "--audit-log".to_owned(),
        file.to_string_lossy().into_owned(),
    ]);
    for round in 0..2 {
        let patrol = admin_on(&dir, &etcd, &args);
        let log = audit(&patrol).await;
        assert_eq!(log["verified"]["ok"], true, "{log}");
        assert_eq!(
            log["verified"]["records"], 2,
            "round {round}: imported once"
        );
        assert_eq!(
            admin::audit_lines(&patrol.url).await,
            written,
            "kept as written"
        );
        let said = if round == 0 {
            "imported into the store"
        } else {
            "imported before"
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !patrol.log().contains(said) {
            assert!(Instant::now() < deadline, "{}", patrol.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // A broken chain stops start-up, saying where, and imports nothing.
    let broken = written.replacen("\"actor\":\"token (token)\"", "\"actor\":\"mallory\"", 1);
    assert_ne!(broken, written);
    std::fs::write(&file, broken).expect("write the file");
    let mut args = sqlite_flags(&dir.path().join("fresh.db"));
    args.extend([
        "--endpoints".to_owned(),
        etcd.endpoint.clone(),
        "--audit-log".to_owned(),
        file.to_string_lossy().into_owned(),
    ]);
    let (code, err) = run_to_exit(&args);
    assert_ne!(code, Some(0), "{err}");
    assert!(
        err.contains("breaks at seq 1 (line 1)") && err.contains("nothing imported"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_or_newer_store_stops_start_with_a_clear_error() {
    let url = format!(
        "postgres://patrol@127.0.0.1:{}/patrol",
        crate::common::free_port()
    );
    let (code, err) = run_to_exit(&["--store".to_owned(), url]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot reach the store"), "{err}");

    let pg = Postgres::start();
    let db = pg.create_db();
    let wanted = app::store::StoreConfig {
        url: pg.url(&db),
        password: Some(crate::common::store::PASSWORD.into()),
    };
    app::store::Store::open(&wanted)
        .await
        .expect("migrate")
        .close()
        .await;
    let known = app::store::migrate::known();
    pg.psql(
        &db,
        &format!("UPDATE patrol_schema SET version = {}", known + 1),
    );
    let (code, err) = run_to_exit(&pg.flags(&db));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("version {}", known + 1)) && err.contains(&format!("({known})")),
        "{err}"
    );
}
