//! A PostgreSQL store on several hosts, as libpq writes them
//! (`postgres://patrol@db1:5432,db2:5432,db3:5432/patrol`): typically the
//! members of a Patroni cluster. Patrol connects only to the host that is
//! not in recovery, and when that changes (a switchover or failover of the
//! store's own cluster) it finds the new primary within a second or two;
//! until then admin actions are refused because the audit cannot be written.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::{ConnectOptions, Connection};

use super::StoreError;

/// How often the pool's primary is checked.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How long one host may take to answer whether it is the primary.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The URL once per host: `postgres://u@a:1,b:2/db?x` gives
/// `postgres://u@a:1/db?x` and `postgres://u@b:2/db?x`. A URL with one
/// host comes back as it is.
pub fn split_hosts(url: &str) -> Result<Vec<String>, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "expected postgres://user@host:port/database".to_owned())?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let hosts: Vec<&str> = hosts.split(',').collect();
    if hosts.iter().any(|h| h.trim().is_empty()) {
        return Err(
            "a host in the store's URL is empty (postgres://user@host1:port1,host2:port2/database)"
                .into(),
        );
    }
    Ok(hosts
        .into_iter()
        .map(|h| format!("{scheme}://{userinfo}{h}{tail}"))
        .collect())
}

/// Whether the server behind `options` takes writes (is not in recovery).
async fn is_primary(options: &PgConnectOptions) -> Result<bool, String> {
    let probe = async {
        // In the store's words, so a failed TLS handshake is named as one.
        let mut conn = options
            .connect()
            .await
            .map_err(|e| match StoreError::from_sqlx(e) {
                StoreError::Unreachable(why) => why,
                other => other.to_string(),
            })?;
        let recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let _ = conn.close().await;
        Ok(!recovery)
    };
    tokio::time::timeout(PROBE_TIMEOUT, probe)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {}s", PROBE_TIMEOUT.as_secs())))
}

/// The index of the first host that is a primary, or why there is none.
pub async fn find(hosts: &[(String, PgConnectOptions)]) -> Result<usize, StoreError> {
    let mut why = Vec::new();
    for (i, (name, options)) in hosts.iter().enumerate() {
        match is_primary(options).await {
            Ok(true) => return Ok(i),
            Ok(false) => why.push(format!("{name}: a replica (in recovery)")),
            Err(e) => why.push(format!("{name}: {e}")),
        }
    }
    Err(StoreError::Unreachable(format!(
        "no host of the store is a primary: {}",
        why.join("; ")
    )))
}

/// Refuses a new connection to a server in recovery, so the pool never
/// hands out a connection that cannot write.
pub async fn refuse_replica(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    let recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut *conn)
        .await?;
    if recovery {
        return Err(sqlx::Error::Protocol(
            "this store host is a replica (in recovery)".into(),
        ));
    }
    Ok(())
}

/// Keeps `pool` on the primary among `hosts` (it starts on `at`): each
/// second it asks the pool whether it still writes to a primary; when not,
/// it finds the new one, points new connections there and closes the idle
/// ones. Ends when the pool is closed.
pub fn follow(pool: PgPool, hosts: Vec<(String, PgConnectOptions)>, at: usize) {
    tokio::spawn(async move {
        let mut at = at;
        let mut tick = tokio::time::interval(CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            let writable = sqlx::query_scalar::<_, bool>("SELECT NOT pg_is_in_recovery()")
                .fetch_one(&pool)
                .await;
            if matches!(writable, Ok(true)) {
                continue;
            }
            match find(&hosts).await {
                Ok(i) if i != at => {
                    tracing::warn!(from = %hosts[at].0, to = %hosts[i].0, "the store's primary moved; following it");
                    pool.set_connect_options(hosts[i].1.clone());
                    at = i;
                    while let Some(idle) = pool.try_acquire() {
                        let _ = idle.close().await;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "looking for the store's primary"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_url_per_host_keeping_user_database_and_options() {
        assert_eq!(
            split_hosts("postgres://patrol@10.0.0.1:5432,10.0.0.2:5433/patrol?sslmode=verify-full")
                .expect("split"),
            vec![
                "postgres://patrol@10.0.0.1:5432/patrol?sslmode=verify-full",
                "postgres://patrol@10.0.0.2:5433/patrol?sslmode=verify-full",
            ]
        );
        assert_eq!(
            split_hosts("postgresql://db/p").expect("one host"),
            vec!["postgresql://db/p"]
        );
        assert_eq!(
            split_hosts("postgres://a,b").expect("no path"),
            vec!["postgres://a", "postgres://b"]
        );
        assert!(split_hosts("postgres://u@a,,b/p").is_err());
        assert!(split_hosts("postgres://u@/p").is_err());
        assert!(split_hosts("db:5432").is_err());
    }
}
