//! A SQLite store on a file system of its own (a small tmpfs, mounted by
//! the test, which runs as root) that fills up while Patrol runs: a clear
//! 503 that runs nothing, the pages keep serving, Patrol takes actions
//! again once there is room, and every action answered 200 is in one
//! verified chain. Then the file system turns read-only (Linux remounts
//! one only when no file on it is open for writing, so Patrol is stopped
//! first), and Patrol refuses to start, saying so.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::audit_store::{admin_on, audit, disarm, run_to_exit};
use crate::common::store::sqlite_flags;
use crate::common::{succeed, Etcd, Patrol, TempDir};

/// A tmpfs mounted at a directory; unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).expect("mount point");
        succeed(
            Command::new("mount")
                .args(["-t", "tmpfs", "-o"])
                .arg(format!("size={size},mode=700"))
                .arg("tmpfs")
                .arg(at),
        );
        Tmpfs(at.to_owned())
    }

    fn remount(&self, how: &str) {
        succeed(
            Command::new("mount")
                .args(["-o", &format!("remount,{how}")])
                .arg(&self.0),
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A refusal of an action because of the store: 503, naming the store,
/// saying nothing was done and `why`.
fn refused_for(answer: &(u16, Value), why: &str) {
    let (status, a) = answer;
    assert_eq!(*status, 503, "{a}");
    let e = a["error"].as_str().unwrap_or_default();
    assert!(
        e.contains("nothing was done") && e.contains(why),
        "wanted {why:?}: {a}"
    );
}

/// Disarms until one is taken (30 s at most): how many were refused.
async fn until_taken(patrol: &Patrol) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut refused = 0;
    loop {
        let (status, a) = disarm(patrol).await;
        if status == 200 {
            return refused;
        }
        assert_eq!(status, 503, "{a}");
        refused += 1;
        assert!(
            Instant::now() < deadline,
            "the store never took an action again: {a}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Fills the file system at `dir` with one file, until it is full.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 4096];
    while file.write_all(&chunk).is_ok() {}
    path
}

#[tokio::test]
async fn a_full_or_read_only_sqlite_store_is_a_clear_error_and_loses_nothing() {
    let etcd = Etcd::scratch("store-faults", &[]);
    let dir = TempDir::new("store-faults");
    let fs = Tmpfs::mount(&dir.path().join("store"), "2m");
    let patrol = admin_on(&dir, &etcd, &sqlite_flags(&fs.0.join("patrol.db")));
    assert_eq!(disarm(&patrol).await.0, 200);
    let mut taken = 1;

    // Full: the first action the disk cannot hold is refused; every one
    // before it was taken whole.
    let filler = fill(&fs.0);
    let full = loop {
        let answer = disarm(&patrol).await;
        if answer.0 != 200 {
            break answer;
        }
        taken += 1;
        assert!(
            taken < 500,
            "500 actions fitted on a full 2 MiB file system"
        );
    };
    refused_for(&full, "disk is full");
    assert_eq!(patrol.text("/etcd").await.0, 200, "pages still serve");
    std::fs::remove_file(filler).expect("free the disk");
    until_taken(&patrol).await;
    taken += 1;

    let log = audit(&patrol).await;
    assert_eq!(log["verified"]["ok"], true, "{log}");
    assert_eq!(
        log["verified"]["records"],
        2 * taken,
        "a before and an after for each action taken, nothing of a refused one: {log}\n{}",
        patrol.log()
    );
    println!("full SQLite store: {taken} actions taken, the refusal a 503 naming the fault");

    drop(patrol);
    fs.remount("ro");
    let mut args = vec!["--endpoints".to_owned(), etcd.endpoint.clone()];
    args.extend(sqlite_flags(&fs.0.join("patrol.db")));
    let (code, err) = run_to_exit(&args);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("the store is read-only") && err.contains("patrol.db"),
        "{err}"
    );
}
