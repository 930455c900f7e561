//! `--patroni-config` against the test bed's own patroni.yml files: etcd's
//! hosts, the namespace and the REST login come from them, flags still win,
//! and Patrol started with one sees that file's cluster.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::testbed::{self, dir};
use common::{testbed_endpoints, Patrol};

/// Every member's patroni.yml, with its namespace and scope.
fn files() -> Vec<(PathBuf, &'static str, &'static str)> {
    let files: Vec<_> = [
        ("pg-meta-1", "/pg", "pg-meta"),
        ("pg-meta-2", "/pg", "pg-meta"),
        ("pg-meta-3", "/pg", "pg-meta"),
        ("mycluster-1", "/db", "mycluster"),
        ("mycluster-2", "/db", "mycluster"),
    ]
    .into_iter()
    .map(|(member, ns, scope)| (dir().join(member).join("patroni.yml"), ns, scope))
    .collect();
    for (path, _, _) in &files {
        assert!(
            path.exists(),
            "{} missing: is the test bed running?",
            path.display()
        );
    }
    files
}

fn rest_password() -> String {
    std::env::var("PATROL_TESTBED_RESTPASSWORD").unwrap_or_else(|_| "patrol-rest-secret".into())
}

/// Patrol's configuration from the Patroni file at `path` and `flags`.
fn load(path: &str, flags: &[&str]) -> server::config::Loaded {
    let args = ["patrol", "--patroni-config", path].into_iter();
    server::config::load(args.chain(flags.iter().copied()))
        .unwrap_or_else(|e| panic!("{path} {flags:?}: {e:?}"))
}

#[test]
fn every_test_bed_file_gives_etcd_the_namespace_and_the_rest_login() {
    let endpoints: Vec<String> = testbed_endpoints().split(',').map(str::to_owned).collect();
    for (path, namespace, scope) in files() {
        let path = path.to_string_lossy().into_owned();
        let loaded = load(&path, &[]);
        let c = &loaded.config;
        assert_eq!(c.endpoints, endpoints, "{path}");
        assert_eq!(c.namespaces, [namespace], "{path}");
        assert!(
            c.user.is_none() && c.cacert.is_none(),
            "{path}: the test bed's etcd has no auth or TLS"
        );
        let rest = c
            .patroni_rest()
            .expect("REST config")
            .credentials(namespace, scope);
        if scope == "mycluster" {
            assert_eq!(rest.username.as_deref(), Some("patrol-rest"), "{path}");
            assert_eq!(rest.password, Some(rest_password()), "{path}");
        } else {
            assert_eq!(
                rest.username, None,
                "{path}: pg-meta's REST API has no auth"
            );
        }
        assert!(loaded.warnings.is_empty(), "{path}: {:?}", loaded.warnings);
        let origin = loaded
            .origins
            .iter()
            .find(|o| o.key == "endpoints")
            .expect("endpoints origin");
        assert!(origin.source.contains("(etcd3.hosts)"), "{origin:?}");
    }
}

#[test]
fn flags_and_the_rest_file_win_over_the_patroni_file() {
    let (path, _, _) = files().remove(3);
    let path = path.to_string_lossy().into_owned();
    let loaded = load(
        &path,
        &["--namespace", "/pg", "--patroni-user", "someone:else"],
    );
    assert_eq!(loaded.config.namespaces, ["/pg"]);
    let rest = loaded.config.patroni_rest().expect("REST");
    let mycluster = rest.credentials("/db", "mycluster");
    assert_eq!(mycluster.username.as_deref(), Some("someone"));

    // A --patroni-rest file's default login beats the Patroni file's; what
    // that default leaves unset (here the CA) still comes from it.
    let dir = common::TempDir::new("patroni-config-rest");
    let rest_file = dir.path().join("rest.toml");
    std::fs::write(
        &rest_file,
        "username = \"file-user\"\npassword = \"file-pass\"\n",
    )
    .expect("write");
    let rest_file = rest_file.to_string_lossy().into_owned();
    let loaded = load(&path, &["--patroni-rest", &rest_file]);
    let rest = loaded.config.patroni_rest().expect("REST");
    let mycluster = rest.credentials("/db", "mycluster");
    assert_eq!(mycluster.username.as_deref(), Some("file-user"));
    assert_eq!(mycluster.password.as_deref(), Some("file-pass"));

    // The test bed's own file names only /db/mycluster: its clusters keep
    // that login, others get the Patroni file's as the default.
    let loaded = load(&path, &["--patroni-rest", &testbed::patroni_rest_file()]);
    let rest = loaded.config.patroni_rest().expect("REST");
    assert_eq!(
        rest.credentials("/db", "mycluster").password,
        Some(rest_password())
    );
    assert_eq!(
        rest.credentials("/pg", "pg-meta").username.as_deref(),
        Some("patrol-rest")
    );
}

#[test]
fn check_config_shows_the_sources_and_no_password() {
    let (path, _, _) = files().remove(3);
    let out = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .args(["check-config", "--patroni-config"])
        .arg(&path)
        .env_remove("ETCDCTL_ENDPOINTS")
        .env_remove("PATROL_NAMESPACE")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("patroni_user"))
        .expect("patroni_user shown");
    assert!(
        line.contains("patrol-rest:(hidden)") && line.contains("(restapi.authentication)"),
        "{line}"
    );
    assert!(stdout.contains("/db  (--patroni-config"), "{stdout}");
    assert!(!stdout.contains(&rest_password()), "{stdout}");
}

#[tokio::test]
async fn patrol_started_with_a_members_file_sees_its_cluster() {
    let (path, _, _) = files().remove(3);
    let path = path.to_string_lossy().into_owned();
    let patrol = Patrol::start(&["--patroni-config", &path]);
    let health = patrol
        .wait_health(std::time::Duration::from_secs(15), |h| h["status"] == "ok")
        .await;
    assert_eq!(health["namespaces"], serde_json::json!(["/db"]), "{health}");
    let list = patrol.json("/api/v1/clusters").await;
    assert_eq!(list[0]["namespace"], "/db", "{list}");
    assert_eq!(list[0]["scope"], "mycluster", "{list}");
    assert!(
        list[0]["leader"]
            .as_str()
            .is_some_and(|l| l.starts_with("mycluster-")),
        "{list}"
    );
    assert!(!patrol.log().contains(&rest_password()), "{}", patrol.log());
}
