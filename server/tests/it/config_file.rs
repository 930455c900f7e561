//! `--config`: a TOML file with a key per flag, under flags and environment
//! variables; `patrol check-config`; secrets given as files; errors that
//! name the file, the key and its line, with exit code 2.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{testbed_endpoints, Patrol, TempDir};
use serde_json::json;

const SECRET: &str = "TopSecret42";

/// `patrol <args>` with a clean environment for Patrol's variables plus `env`.
fn patrol(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patrol"));
    for (name, _) in std::env::vars() {
        if name.starts_with("PATROL_") || name.starts_with("ETCDCTL_") || name == "LEPTOS_SITE_ROOT"
        {
            cmd.env_remove(name);
        }
    }
    cmd.args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run patrol")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path.to_string_lossy().into_owned()
}

/// The line check-config prints for `key`.
fn shown<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("check-config shows no {key}:\n{stdout}"))
}

#[test]
fn flags_then_environment_then_file_then_defaults() {
    let dir = TempDir::new("config-order");
    let file = write(
        dir.path(),
        "patrol.toml",
        "# Patrol\ndial_timeout = \"3s\"\ncommand_timeout = \"7s\"\nadmin_user = \"dba\"\n\
         namespace = [\"/pg\", \"db\"]\nsecure_cookies = true\naudit_log = \"audit.log\"\n",
    );
    let out = patrol(
        &["check-config", "--config", &file, "--dial-timeout", "4s"],
        &[("ETCDCTL_COMMAND_TIMEOUT", "9s")],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("configuration OK\n"), "{stdout}");
    // A relative path in the file is taken from the file's directory.
    let audit = dir.path().join("audit.log").to_string_lossy().into_owned();
    for (key, value_and_source) in [
        ("dial_timeout", "4s  (command line)".to_owned()),
        (
            "command_timeout",
            "9s  (environment ETCDCTL_COMMAND_TIMEOUT)".to_owned(),
        ),
        ("admin_user", format!("dba  ({file} line 4)")),
        ("namespace", "/pg,db  (".to_owned()),
        ("secure_cookies", "line 6".to_owned()),
        ("listen", "127.0.0.1:8000  (default)".to_owned()),
        ("audit_log", audit),
    ] {
        assert!(
            shown(&stdout, key).contains(&value_and_source),
            "{key}: {stdout}"
        );
    }

    // PATROL_CONFIG names the file as well as --config does.
    let out = patrol(&["check-config"], &[("PATROL_CONFIG", &file)]);
    let (stdout, _) = text(&out);
    assert!(shown(&stdout, "dial_timeout").contains("3s  ("), "{stdout}");
}

#[test]
fn errors_name_the_file_the_key_and_its_line_and_exit_2() {
    let dir = TempDir::new("config-errors");
    for (content, needle) in [
        (
            "listen = \"127.0.0.1:8000\"\nlisten_adress = \"x\"\n",
            "line 2: unknown key 'listen_adress'",
        ),
        ("\n\ndial_timeout = \"soon\"\n", "line 3: dial_timeout: "),
        (
            "endpoints = \"127.0.0.1:2379\"\n",
            "line 1: endpoints: expected a URL starting with http:// or https://",
        ),
        (
            "read_only = \"yes\"\n",
            "line 1: read_only: expected true or false",
        ),
        (
            "cacert = \"/nonexistent/ca.pem\"\n",
            "line 1: cacert: cannot read /nonexistent/ca.pem",
        ),
        ("listen = \"nowhere\"\n", "line 1: listen: "),
        (
            "dial-timeout = \"2s\"\n",
            "line 1: unknown key 'dial-timeout' (did you mean 'dial_timeout'?)",
        ),
        (
            "[etcd]\nendpoints = \"http://a:1\"\n",
            "line 2: etcd.endpoints: expected a table ([etcd.endpoints] with endpoints = [...])",
        ),
        ("listen = \n", "line 1: "),
    ] {
        let file = write(dir.path(), "bad.toml", content);
        for args in [
            vec!["check-config", "--config", &file],
            vec!["--config", &file],
        ] {
            let out = patrol(&args, &[]);
            let (stdout, stderr) = text(&out);
            assert_eq!(out.status.code(), Some(2), "{content:?}: {stdout}{stderr}");
            assert_eq!(
                stderr.trim_end().lines().count(),
                1,
                "{content:?}: {stderr}"
            );
            assert!(
                stderr.starts_with(&format!("error: {file}: ")),
                "{content:?}: {stderr}"
            );
            assert!(stderr.contains(needle), "{content:?}: {stderr}");
        }
    }
    let out = patrol(
        &["check-config", "--config", "/nonexistent/patrol.toml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("cannot read /nonexistent/patrol.toml"),
        "{out:?}"
    );

    // Two settings that need each other: the missing one is named.
    let cert = write(dir.path(), "cert.pem", "pem");
    let file = write(dir.path(), "bad.toml", &format!("cert = \"{cert}\"\n"));
    let out = patrol(&["check-config", "--config", &file], &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--key"), "{stderr}");
}

#[test]
fn secrets_from_files_are_used_and_never_shown() {
    let dir = TempDir::new("config-secrets");
    let phc = hash(SECRET);
    let user = write(dir.path(), "etcd-user", &format!("root:{SECRET}\n"));
    let rest = write(dir.path(), "rest-user", &format!("patrol:{SECRET}\n"));
    let hash_file = write(dir.path(), "admin.hash", &format!("{phc}\n"));
    let file = write(
        dir.path(),
        "patrol.toml",
        &format!("user_file = \"{user}\"\npatroni_user_file = \"rest-user\"\nadmin_password_hash_file = \"admin.hash\"\n"),
    );
    let _ = rest;
    let out = patrol(&["check-config", "--config", &file], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        shown(&stdout, "admin_password_hash_file").contains(&hash_file),
        "{stdout}"
    );
    assert!(
        !stdout.contains(SECRET) && !stdout.contains("$argon2"),
        "{stdout}"
    );

    // Inline secrets in the file are hidden the same way.
    let inline = write(
        dir.path(),
        "inline.toml",
        &format!("user = \"root:{SECRET}\"\nadmin_password_hash = \"{phc}\"\npatroni_user = \"p:{SECRET}\"\n"),
    );
    let out = patrol(&["check-config", "--config", &inline], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(shown(&stdout, "user").contains("(hidden)"), "{stdout}");
    assert!(
        !stdout.contains(SECRET) && !stdout.contains("$argon2"),
        "{stdout}"
    );

    // Wrong secrets: the error names the file and key, never the content.
    for (content, file_content) in [
        ("user_file = \"s\"\n", SECRET.to_owned()),
        ("admin_password_hash_file = \"s\"\n", SECRET.to_owned()),
        ("patroni_user_file = \"s\"\n", format!(":{SECRET}")),
        ("admin_password_hash = \"TopSecret42\"\n", String::new()),
        ("user = \"TopSecret42\"\n", String::new()),
        ("patroni_user = \"TopSecret42\"\n", String::new()),
        ("user = [\"TopSecret42\"]\n", String::new()),
    ] {
        write(dir.path(), "s", &file_content);
        let bad = write(dir.path(), "bad.toml", content);
        let out = patrol(&["check-config", "--config", &bad], &[]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{content}: {stderr}");
        assert!(
            stderr.contains(&format!("{bad}: line 1: ")),
            "{content}: {stderr}"
        );
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{content}: {stderr}"
        );
    }
}

#[test]
fn a_flag_or_variable_overrides_the_files_conflicting_key() {
    let dir = TempDir::new("config-conflict");
    let phc = hash("other");
    write(dir.path(), "admin.hash", &format!("{}\n", hash(SECRET)));
    let file = write(
        dir.path(),
        "patrol.toml",
        "admin_password_hash_file = \"admin.hash\"\n",
    );
    let out = patrol(
        &["check-config", "--config", &file],
        &[("PATROL_ADMIN_PASSWORD_HASH", &phc)],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        shown(&stdout, "admin_password_hash")
            .contains("(hidden)  (environment PATROL_ADMIN_PASSWORD_HASH)"),
        "{stdout}"
    );
    assert!(!stdout.contains("admin_password_hash_file"), "{stdout}");
    // Given both as flags, they conflict.
    let out = patrol(
        &[
            "check-config",
            "--admin-password-hash",
            &phc,
            "--admin-password-hash-file",
            &file,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// `patrol hash-password` for `password`.
fn hash(password: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .arg("hash-password")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn hash-password");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
    }
    let out = child.wait_with_output().expect("hash-password");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn patrol_runs_from_a_config_file_with_the_admin_hash_in_a_file() {
    let dir = TempDir::new("config-run");
    write(dir.path(), "admin.hash", &format!("{}\n", hash(SECRET)));
    let endpoints: Vec<String> = testbed_endpoints()
        .split(',')
        .map(|e| format!("\"{e}\""))
        .collect();
    let file = write(
        dir.path(),
        "patrol.toml",
        &format!(
            "endpoints = [{}]\nnamespace = \"/pg\"\nadmin_password_hash_file = \"admin.hash\"\nlisten = \"127.0.0.1:1\"\n",
            endpoints.join(", ")
        ),
    );
    // Patrol::start adds --listen 127.0.0.1:0, which beats the file's port 1.
    let patrol = Patrol::start(&["--config", &file]);
    patrol
        .wait_health(std::time::Duration::from_secs(15), |h| h["status"] == "ok")
        .await;
    let list = patrol.json("/api/v1/clusters").await;
    let scopes: Vec<&str> = list
        .as_array()
        .map(|l| l.iter().filter_map(|c| c["scope"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(scopes, ["pg-meta"], "only the file's namespace /pg");

    // The hash is nowhere on the command line that `ps` shows.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", patrol.pid())).expect("cmdline");
    let cmdline = String::from_utf8_lossy(&cmdline);
    assert!(!cmdline.contains("argon2"), "{cmdline}");

    let http = reqwest::Client::new();
    let sign_in = |password: &str| {
        http.post(format!("{}/api/v1/session", patrol.url))
            .json(&json!({ "username": "admin", "password": password }))
            .send()
    };
    assert_eq!(sign_in("wrong").await.expect("POST").status(), 401);
    assert_eq!(sign_in(SECRET).await.expect("POST").status(), 200);
    assert!(
        !patrol.log().contains(SECRET) && !patrol.log().contains("argon2"),
        "{}",
        patrol.log()
    );
}
