use std::time::Duration;

use super::*;
use crate::config::{load, LoadError};

/// The sites of `patrol --config <file> <args>`, the file holding `toml`.
fn sites(toml: &str, args: &[&str]) -> Result<Vec<SiteConfig>, String> {
    let dir = std::env::temp_dir().join(format!(
        "patrol-fleet-unit-{}-{}",
        std::process::id(),
        next_id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("patrol.toml");
    std::fs::write(&file, toml).map_err(|e| e.to_string())?;
    let path = file.to_string_lossy().into_owned();
    let argv = ["patrol", "--config", &path]
        .into_iter()
        .chain(args.iter().copied());
    let loaded = load(argv);
    let _ = std::fs::remove_dir_all(&dir);
    match loaded {
        Ok(l) => l.config.sites(),
        Err(LoadError::Invalid(e)) => Err(e),
        Err(LoadError::Exit(e)) => Err(e.to_string()),
    }
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn names(sites: &[SiteConfig]) -> Vec<&str> {
    sites.iter().map(|s| s.name.as_str()).collect()
}

const TWO: &str = "namespace = [\"/db\"]\ndial_timeout = \"7s\"\npatroni_user = \"top:secret\"\n\n\
    [etcd.staging]\nendpoints = [\"http://s:1\"]\n\n\
    [etcd.prod]\nendpoints = [\"http://p:1\", \"http://p:2\"]\nnamespace = [\"/pg\"]\n\
    command_timeout = \"9s\"\npatroni_user = \"prod:other\"\n";

#[test]
fn tables_alone_are_the_fleet_in_the_files_order() {
    let s = sites(TWO, &[]).expect("valid");
    assert_eq!(names(&s), ["staging", "prod"]);
    assert!(s.iter().all(|s| !s.from_flags));
    assert_eq!(s[1].etcd.endpoints, ["http://p:1", "http://p:2"]);
}

#[test]
fn a_table_inherits_what_it_leaves_out_and_keeps_what_it_gives() {
    let s = sites(TWO, &[]).expect("valid");
    let (staging, prod) = (&s[0], &s[1]);
    assert_eq!(staging.namespaces, ["/db"], "inherited");
    assert_eq!(prod.namespaces, ["/pg"], "its own");
    assert_eq!(staging.etcd.dial_timeout, Duration::from_secs(7));
    assert_eq!(prod.etcd.dial_timeout, Duration::from_secs(7));
    assert_eq!(
        staging.etcd.command_timeout,
        Duration::from_secs(5),
        "default"
    );
    assert_eq!(prod.etcd.command_timeout, Duration::from_secs(9));
    let user = |s: &SiteConfig| s.patroni_rest.default.username.clone();
    assert_eq!(user(staging).as_deref(), Some("top"));
    assert_eq!(user(prod).as_deref(), Some("prod"));
    assert_eq!(prod.patroni_rest.default.password.as_deref(), Some("other"));
}

#[test]
fn flags_add_their_etcd_cluster_first_named_by_etcd_name() {
    let s = sites(TWO, &["--endpoints", "http://f:1"]).expect("valid");
    assert_eq!(names(&s), [DEFAULT_NAME, "staging", "prod"]);
    assert!(s[0].from_flags);
    assert_eq!(s[0].etcd.endpoints, ["http://f:1"]);

    let s = sites(TWO, &["--etcd-name", "main"]).expect("valid");
    assert_eq!(names(&s), ["main", "staging", "prod"]);
    assert_eq!(
        s[0].etcd.endpoints,
        ["http://127.0.0.1:2379"],
        "the default"
    );
}

#[test]
fn no_tables_is_one_etcd_cluster_as_before() {
    let s = sites("namespace = [\"/pg\"]\n", &["--endpoints", "http://a:1"]).expect("valid");
    assert_eq!(names(&s), [DEFAULT_NAME]);
    assert_eq!(s[0].namespaces, ["/pg"]);
    assert!(s[0].from_flags);
}

#[test]
fn a_name_used_twice_is_refused_naming_it() {
    let err = sites(TWO, &["--etcd-name", "prod"]).expect_err("prod twice");
    assert!(err.starts_with("etcd.prod: "), "{err}");
    assert!(err.contains("--etcd-name"), "{err}");
}

#[test]
fn a_tables_bad_patroni_rest_file_names_the_table() {
    let toml =
        "[etcd.prod]\nendpoints = [\"http://p:1\"]\npatroni_rest = \"/nonexistent/rest.toml\"\n";
    let err = sites(toml, &[]).expect_err("missing file");
    assert!(err.starts_with("etcd.prod: "), "{err}");
    assert!(err.contains("/nonexistent/rest.toml"), "{err}");
}
