//! A PostgreSQL store over TLS, against a real server that takes TCP
//! connections only with TLS (pg_hba: `hostssl` with a password,
//! `hostnossl` rejected): `sslmode=verify-full` with the CA that signed the
//! server's certificate opens, migrates and writes over encrypted
//! connections, also when named as a Patroni-run store; another CA, or a
//! CA file that is not there, is named as the cause; `sslmode=disable` is
//! refused; and the `patrol` binary serves on such a store.

use std::time::Duration;

use app::store::{lease, migrate, Store, StoreConfig, StoreError};

use super::audit_store::run_to_exit;
use crate::common::store::{Postgres, PASSWORD};
use crate::common::{free_port, Patrol};

/// What an operator is told when the server's certificate is not signed
/// by the CA in `sslrootcert`.
const WRONG_CA: &str =
    "TLS: the PostgreSQL server's certificate is not signed by a CA Patrol trusts \
     (the sslrootcert file of --store, or the system's CAs)";

fn config(url: String) -> StoreConfig {
    StoreConfig {
        url,
        password: Some(PASSWORD.into()),
    }
}

/// Patrol's connections to database `db` (by their application name),
/// and how many of them are encrypted, as the server sees them.
fn patrol_connections(pg: &Postgres, db: &str) -> (u32, u32) {
    let row = pg.psql(
        db,
        &format!(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE s.ssl) \
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
             WHERE a.application_name = 'patrol' AND a.datname = '{db}'"
        ),
    );
    let (all, tls) = row.split_once('|').unwrap_or_else(|| panic!("{row}"));
    (all.parse().expect("a count"), tls.parse().expect("a count"))
}

/// `url` naming its host twice, as a store run by Patroni is named (each
/// member in turn is asked whether it is the primary).
fn two_hosts(pg: &Postgres, url: &str) -> String {
    let host = format!("127.0.0.1:{}", pg.port);
    url.replacen(&host, &format!("{host},{host}"), 1)
}

#[tokio::test]
async fn verify_full_with_the_servers_ca_opens_migrates_and_writes_over_tls() {
    let pg = Postgres::start_tls();
    let db = pg.create_db();
    let url = pg.url(&db);
    assert!(url.contains("sslmode=verify-full&sslrootcert="), "{url}");
    let store = Store::open(&config(url)).await.expect("open over TLS");
    assert_eq!(
        migrate::version(&store).await.expect("version"),
        Some(migrate::known())
    );
    assert_eq!(
        pg.psql(&db, "SELECT seq, hash FROM patrol_audit_head"),
        format!("0|{}", app::audit::GENESIS_HASH)
    );
    let now = app::clock::now_ms();
    let held = lease::hold(&store, "tls", "store-tls", Duration::from_secs(60), now)
        .await
        .expect("write");
    assert!(held);
    assert_eq!(
        pg.psql(&db, "SELECT holder FROM patrol_leases WHERE name = 'tls'"),
        "store-tls"
    );
    let (all, tls) = patrol_connections(&pg, &db);
    assert!(all >= 1, "the store holds a connection");
    assert_eq!(tls, all, "every connection of the store is encrypted");
    store.close().await;

    // Named as a Patroni-run store is, it asks for the primary over TLS too.
    let store = Store::open(&config(two_hosts(&pg, &pg.url(&db))))
        .await
        .expect("open over TLS, two hosts");
    assert_eq!(
        migrate::version(&store).await.expect("version"),
        Some(migrate::known())
    );
    store.close().await;
}

#[tokio::test]
async fn a_ca_that_did_not_sign_the_servers_certificate_is_named_as_the_cause() {
    let pg = Postgres::start_tls();
    let db = pg.create_db();
    let wrong = config(pg.url_with(&db, &pg.verify_full("other-ca.pem")));
    let err = Store::open(&wrong)
        .await
        .expect_err("an untrusted certificate");
    let words = err.to_string();
    assert!(matches!(err, StoreError::Unreachable(_)), "{words}");
    assert!(
        words.starts_with(&format!(
            "cannot reach the store: {}: {WRONG_CA}",
            wrong.shown()
        )),
        "{words}"
    );
    // rustls' own reason follows, for whoever reads on.
    assert!(words.contains("UnknownIssuer"), "{words}");
    assert!(!words.contains(PASSWORD), "{words}");
    assert_eq!(
        pg.psql(
            &db,
            "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'patrol_schema'"
        ),
        "0",
        "nothing was migrated"
    );

    // Named as a Patroni-run store is: each host's refusal says the same.
    let err = Store::open(&config(two_hosts(&pg, &wrong.url)))
        .await
        .expect_err("an untrusted certificate, two hosts");
    let words = err.to_string();
    assert!(
        words.starts_with("cannot reach the store: no host of the store is a primary: ")
            && words.matches(WRONG_CA).count() == 2,
        "{words}"
    );

    // A CA file that is not there is named, before any connection.
    let missing = format!("{}.missing", pg.tls_file("ca.pem"));
    let query = format!("sslmode=verify-full&sslrootcert={missing}");
    let err = Store::open(&config(pg.url_with(&db, &query)))
        .await
        .expect_err("no CA file");
    let words = err.to_string();
    assert!(matches!(err, StoreError::Config(_)), "{words}");
    assert!(
        words.starts_with(&format!(
            "invalid store setting: sslrootcert={missing}: No such file or directory"
        )),
        "{words}"
    );
}

#[tokio::test]
async fn sslmode_disable_is_refused_by_a_server_that_wants_tls() {
    let pg = Postgres::start_tls();
    let db = pg.create_db();
    let plain = config(pg.url_with(&db, "sslmode=disable"));
    let err = Store::open(&plain).await.expect_err("no TLS");
    let words = err.to_string();
    assert!(matches!(err, StoreError::Unreachable(_)), "{words}");
    // PostgreSQL's own refusal, by the `hostnossl ... reject` line.
    assert!(
        words.starts_with(&format!("cannot reach the store: {}: ", plain.shown()))
            && words.contains(&format!(
                "pg_hba.conf rejects connection for host \"127.0.0.1\", user \"patrol\", \
                 database \"{db}\", no encryption"
            )),
        "{words}"
    );
    assert!(!words.contains(PASSWORD), "{words}");
}

#[tokio::test]
async fn patrol_serves_on_a_tls_store_and_refuses_to_start_with_a_wrong_ca() {
    let pg = Postgres::start_tls();
    let db = pg.create_db();
    // Nobody listens at this etcd: Patrol serves all the same.
    let etcd = [
        "--endpoints".to_owned(),
        format!("http://127.0.0.1:{}", free_port()),
    ];
    let mut args = pg.flags(&db);
    assert!(args[1].contains("sslmode=verify-full"), "{args:?}");
    args.extend(etcd.iter().cloned());
    let patrol = Patrol::start(&args);
    assert_eq!(patrol.text("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(
        pg.psql(&db, "SELECT version FROM patrol_schema"),
        migrate::known().to_string()
    );
    let (all, tls) = patrol_connections(&pg, &db);
    assert!(all >= 1, "patrol holds a connection to its store");
    assert_eq!(tls, all, "every connection of patrol's is encrypted");
    drop(patrol);

    let mut args = vec![
        "--store".to_owned(),
        pg.url_with(&db, &pg.verify_full("other-ca.pem")),
        "--store-password-file".to_owned(),
        pg.password_file().to_string_lossy().into_owned(),
    ];
    args.extend(etcd);
    let (code, err) = run_to_exit(&args);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(WRONG_CA), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
    // The store is named once, not once by Patrol and again by the store.
    assert_eq!(err.matches("sslrootcert=").count(), 1, "{err}");
}
