//! The store's core against real databases: migrations from empty on
//! PostgreSQL, the refusal of a schema newer than the binary, two
//! instances migrating at once, and an unreachable server.

use app::store::{migrate, Store, StoreConfig, StoreError};

use crate::common::free_port;
use crate::common::store::{Postgres, PASSWORD};

fn config(pg: &Postgres, db: &str) -> StoreConfig {
    StoreConfig {
        url: pg.url(db),
        password: Some(PASSWORD.into()),
    }
}

#[tokio::test]
async fn postgres_migrates_from_empty_and_refuses_a_newer_schema() {
    let pg = Postgres::start();
    let db = pg.create_db();
    // Two instances starting at once: both open, the schema is migrated once.
    let wanted = config(&pg, &db);
    let (a, b) = tokio::join!(Store::open(&wanted), Store::open(&wanted));
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(
        migrate::version(&a).await.expect("version"),
        Some(migrate::known())
    );
    assert_eq!(
        pg.psql(&db, "SELECT seq, hash FROM patrol_audit_head"),
        format!("0|{}", app::audit::GENESIS_HASH)
    );
    assert_eq!(pg.psql(&db, "SELECT COUNT(*) FROM patrol_schema"), "1");
    assert_eq!(migrate::run(&b).await.expect("again"), 0);
    a.close().await;
    b.close().await;

    pg.psql(
        &db,
        &format!(
            "UPDATE patrol_schema SET version = {}",
            migrate::known() + 1
        ),
    );
    let err = Store::open(&config(&pg, &db))
        .await
        .expect_err("newer schema");
    let words = err.to_string();
    assert!(matches!(err, StoreError::SchemaNewer { .. }), "{words}");
    assert!(
        words.contains(&format!("version {}", migrate::known() + 1))
            && words.contains(&format!("({})", migrate::known())),
        "{words}"
    );
}

#[tokio::test]
async fn an_unreachable_or_refusing_postgres_is_a_clear_error() {
    let url = format!("postgres://patrol@127.0.0.1:{}/patrol", free_port());
    let err = Store::open(&StoreConfig::new(url))
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, StoreError::Unreachable(_)), "{err}");
    assert!(err.to_string().contains("cannot reach the store"), "{err}");

    let pg = Postgres::start();
    let wrong = StoreConfig {
        url: pg.url("postgres"),
        password: Some("not-the-password".into()),
    };
    let err = Store::open(&wrong).await.expect_err("wrong password");
    assert!(matches!(err, StoreError::Unreachable(_)), "{err}");
    assert!(!format!("{err} {wrong:?}").contains("not-the-password"));
}
