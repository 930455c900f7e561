//! The command line: documented flags, one-line errors, exit code 2.

use std::process::Command;

fn patrol(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_patrol"))
        .args(args)
        .env_remove("ETCDCTL_ENDPOINTS")
        .output()
        .expect("run patrol")
}

#[test]
fn help_documents_every_flag_and_its_variable() {
    let out = patrol(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--endpoints",
        "ETCDCTL_ENDPOINTS",
        "--cacert",
        "--cert",
        "--key",
        "--user",
        "ETCDCTL_USER",
        "--dial-timeout",
        "--namespace",
        "--listen",
        "127.0.0.1:8000",
        "/service,/db,/pg",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn bad_values_exit_2_with_one_line_naming_the_flag() {
    // The first flag of each is the one the error must name.
    for args in [
        &["--endpoints", "localhost:2379"][..],
        &["--listen", "8000"],
        &["--dial-timeout", "-1"],
        &["--user", "root"],
        &["--cert", "/nonexistent.pem", "--key", "/nonexistent.key"],
        &["--no-such-flag"],
    ] {
        let flag = args[0];
        let out = patrol(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?} printed:\n{err}"
        );
        assert!(err.contains(flag), "{args:?} printed:\n{err}");
    }
}

#[test]
fn tls_flags_without_https_endpoints_are_refused() {
    let ca = std::env::temp_dir().join(format!("patrol-cli-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, "not used").expect("write");
    let out = patrol(&[
        "--endpoints",
        "http://127.0.0.1:1",
        "--cacert",
        ca.to_str().unwrap_or_default(),
    ]);
    let _ = std::fs::remove_file(&ca);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("https://"), "{err}");
}

#[test]
fn password_never_reaches_the_log() {
    // Unreachable etcd with credentials: Patrol starts, logs, and must not
    // print the password anywhere.
    let mut child = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .args([
            "--endpoints",
            "http://127.0.0.1:1",
            "--user",
            "root:TopSecret42",
            "--listen",
            "127.0.0.1:0",
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_secs(3));
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("listening on"), "patrol did not start:\n{all}");
    assert!(all.contains("etcd"), "no etcd error logged:\n{all}");
    assert!(!all.contains("TopSecret42"), "password leaked:\n{all}");
}
