//! The audit log, kept in the store: one row per [`AuditRecord`], written
//! in a transaction that has committed before [`AuditLog::append`]
//! returns, so an admin action never runs on the strength of a record that
//! is not durable.
//!
//! Tamper evidence: every record holds the SHA-256 of its own canonical
//! form (see [`hash_of`]) and the hash of the record before it. Editing a
//! record breaks its own hash; editing it *and* fixing its hash breaks the
//! next record's `prev_hash`; removing or reordering records breaks `seq`;
//! removing records from the end disagrees with the chain's head row.
//! Rewriting the whole tail and the head does not show: copy the records
//! elsewhere for that.
//!
//! Appends from any number of Patrol processes sharing the store take
//! turns on one row lock: the transaction first updates the head row
//! (`UPDATE ... RETURNING seq, hash`: a row lock in PostgreSQL; in SQLite
//! `BEGIN IMMEDIATE` holds the database's write lock), then inserts the
//! record after it and moves the head on. Two appends can never read the
//! same head, so the chain never forks.

use std::path::Path;

use futures::TryStreamExt;

pub use super::chain::hash_of;
use super::chain::{self, Walker};
use super::{page_limit, AuditPage, AuditRecord, Entry, Verification};
use crate::error::AppError;
use crate::store::{with_pool, write_tx, Store, StoreError};

/// Why the audit log could not be written, read or imported. The words go
/// to the server's log and start-up errors; an admin action's refusal
/// says them too.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The store failed; `doing` says at what.
    #[error("the store ({store}) {doing}: {source}")]
    Store {
        store: String,
        doing: &'static str,
        source: StoreError,
    },
    /// `--audit-log`'s file cannot be imported.
    #[error("--audit-log {path}: {reason}")]
    Import { path: String, reason: String },
    /// The task that writes a record died.
    #[error("the audit writer failed: {0}")]
    Task(String),
}

impl AuditError {
    /// Whether the store may take the record again soon: it was
    /// unreachable, read-only (a primary just demoted) or busy.
    pub fn may_pass(&self) -> bool {
        matches!(
            self,
            AuditError::Store {
                source: StoreError::Unreachable(_) | StoreError::ReadOnly(_) | StoreError::Busy(_),
                ..
            }
        )
    }
}

/// The audit log. Cheap to clone; every clone, and every Patrol sharing the
/// store, appends to one chain.
#[derive(Clone, Debug)]
pub struct AuditLog {
    store: Store,
    /// The etcd cluster the records appended through this handle are about
    /// (see [`AuditLog::for_etcd`]).
    etcd: Option<std::sync::Arc<str>>,
}

/// What [`AuditLog::import`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// The file holds no records.
    Empty,
    /// The file's last record is in the store already: imported before.
    Already { records: u64 },
    /// Records `first..=last` of the file were added.
    Records { first: u64, last: u64 },
}

/// A page of `log` for the page and `GET /api/v1/audit`.
pub async fn page(
    log: &AuditLog,
    limit: Option<usize>,
    before: Option<u64>,
) -> Result<AuditPage, AppError> {
    log.page(page_limit(limit), before).await.map_err(|e| {
        tracing::error!(error = %e, "reading the audit log");
        AppError::Unavailable(format!(
            "the audit log could not be read from the store ({}); the server log says why",
            log.store.name()
        ))
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn encode(record: &AuditRecord) -> Result<String, StoreError> {
    serde_json::to_string(record)
        .map_err(|e| StoreError::Query(format!("an audit record cannot be encoded: {e}")))
}

impl AuditLog {
    pub fn new(store: Store) -> AuditLog {
        AuditLog { store, etcd: None }
    }

    /// The same log, naming etcd cluster `etcd` in every record appended
    /// through the handle returned (unless the entry names one already).
    pub fn for_etcd(&self, etcd: Option<std::sync::Arc<str>>) -> AuditLog {
        AuditLog {
            store: self.store.clone(),
            etcd,
        }
    }

    /// The store's name, for messages.
    pub fn store_name(&self) -> &str {
        self.store.name()
    }

    fn failed(&self, doing: &'static str) -> impl FnOnce(StoreError) -> AuditError + '_ {
        move |source| AuditError::Store {
            store: self.store.name().to_owned(),
            doing,
            source,
        }
    }

    /// Writes `entry` as the next record and commits it. Once begun it
    /// completes even if the caller's future is dropped.
    pub async fn append(&self, mut entry: Entry) -> Result<AuditRecord, AuditError> {
        if entry.etcd.is_none() {
            entry.etcd = self.etcd.as_deref().map(str::to_owned);
        }
        let store = self.store.clone();
        tokio::spawn(async move { append_now(&store, entry).await })
            .await
            .map_err(|e| AuditError::Task(e.to_string()))?
            .map_err(self.failed("cannot take the audit record"))
    }

    /// Up to `limit` records, newest first, only those with `seq < before_seq`
    /// when given. Rows that cannot be read are left out (see [`verify`](Self::verify)).
    pub async fn read(
        &self,
        limit: usize,
        before_seq: Option<u64>,
    ) -> Result<Vec<AuditRecord>, AuditError> {
        let (records, _) = self
            .newest(limit, before_seq)
            .await
            .map_err(self.failed("cannot read the audit log"))?;
        Ok(records)
    }

    /// `limit` records before `before` (newest first) and whether older ones exist.
    async fn newest(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<(Vec<AuditRecord>, bool), StoreError> {
        let rows: Vec<(i64, String)> = with_pool!(self.store, pool => sqlx::query_as(
            "SELECT seq, record FROM patrol_audit WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(before.map_or(i64::MAX, to_i64))
        .bind(to_i64(limit as u64).saturating_add(1))
        .fetch_all(pool)
        .await
        .map_err(StoreError::from_sqlx))?;
        let more = rows.len() > limit;
        let records = rows
            .into_iter()
            .take(limit)
            .filter_map(|(_, text)| serde_json::from_str::<AuditRecord>(&text).ok())
            .collect();
        Ok((records, more))
    }

    /// Checks the whole chain in the store, record by record, and that it
    /// ends where the head row says.
    pub async fn verify(&self) -> Result<Verification, AuditError> {
        verify(&self.store)
            .await
            .map_err(self.failed("cannot read the audit log"))
    }

    /// A page of `limit` records (newest first, `seq < before`) with the
    /// whole chain's verification.
    pub async fn page(&self, limit: usize, before: Option<u64>) -> Result<AuditPage, AuditError> {
        let read = self.failed("cannot read the audit log");
        let (records, more) = match self.newest(limit, before).await {
            Ok(r) => r,
            Err(e) => return Err(read(e)),
        };
        let verified = self.verify().await?;
        let next_before = match (more, records.last()) {
            (true, Some(last)) => Some(last.seq),
            _ => None,
        };
        Ok(AuditPage {
            configured: true,
            records,
            verified,
            next_before,
        })
    }

    /// Imports an audit log file (`--audit-log`, the format Patrol wrote
    /// before the store) once. Its chain must verify, or nothing is
    /// imported. Into an empty audit log every record goes, keeping its seq
    /// and hash, so the chain continues from the file's last record. A file
    /// whose last record the store holds was imported before: nothing to
    /// do. A file that grew since (its record at the store's head is the
    /// head) adds only the new records. Anything else is refused: the store
    /// holds another chain.
    pub async fn import(&self, path: &Path) -> Result<Imported, AuditError> {
        let shown = path.display().to_string();
        let refuse = |reason: String| AuditError::Import {
            path: shown.clone(),
            reason,
        };
        let bytes = match tokio::fs::read(path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Imported::Empty),
            Err(e) => return Err(refuse(format!("cannot read it: {e}"))),
        };
        let (records, verified) = chain::scan(&bytes);
        if let Some(b) = verified.broken {
            return Err(refuse(format!(
                "its hash chain breaks at seq {} (line {}): {}; nothing imported — move the file aside or repair it",
                b.seq, b.line, b.reason
            )));
        }
        if records.is_empty() {
            return Ok(Imported::Empty);
        }
        import_records(&self.store, &shown, records)
            .await
            .map_err(self.failed("cannot import the audit log file"))?
            .map_err(refuse)
    }
}

async fn append_now(store: &Store, entry: Entry) -> Result<AuditRecord, StoreError> {
    let record = write_tx!(store, tx => {
        // First statement, so the lock comes first: the head row.
        let (seq, prev_hash): (i64, String) = sqlx::query_as(
            "UPDATE patrol_audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        let mut record = AuditRecord {
            seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("audit head seq {seq}")))?,
            time_ms: crate::clock::now_ms(),
            entry,
            prev_hash,
            hash: String::new(),
        };
        record.hash = hash_of(&record)
            .map_err(|e| StoreError::Query(format!("an audit record cannot be hashed: {e}")))?;
        sqlx::query("INSERT INTO patrol_audit (seq, record, prev_hash, hash) VALUES ($1, $2, $3, $4)")
            .bind(seq)
            .bind(encode(&record)?)
            .bind(&record.prev_hash)
            .bind(&record.hash)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        sqlx::query("UPDATE patrol_audit_head SET hash = $1 WHERE id = 1")
            .bind(&record.hash)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        record
    });
    Ok(record)
}

async fn verify(store: &Store) -> Result<Verification, StoreError> {
    // The head first: every record up to it has committed with it.
    let (head_seq, head_hash): (i64, String) = with_pool!(store, pool =>
        sqlx::query_as("SELECT seq, hash FROM patrol_audit_head WHERE id = 1")
            .fetch_one(pool)
            .await
            .map_err(StoreError::from_sqlx))?;
    let mut walker = Walker::default();
    with_pool!(store, pool => {
        let mut rows = sqlx::query_as::<_, (i64, String, String, String)>(
            "SELECT seq, record, prev_hash, hash FROM patrol_audit WHERE seq <= $1 ORDER BY seq",
        )
        .bind(head_seq)
        .fetch(pool);
        while let Some((seq, text, prev_hash, hash)) = rows.try_next().await.map_err(StoreError::from_sqlx)? {
            match serde_json::from_str::<AuditRecord>(&text) {
                Err(e) => walker.next(Err(format!("the record at seq {seq} cannot be read ({e}): it was altered"))),
                Ok(r) if r.seq != u64::try_from(seq).unwrap_or(0) || r.prev_hash != prev_hash || r.hash != hash => {
                    walker.next(Err(format!("the record at seq {seq} disagrees with its row: it was altered")));
                }
                Ok(r) => walker.next(Ok(&r)),
            }
        }
    });
    let (tail_seq, tail_hash) = walker.tail();
    let (tail_seq, tail_hash) = (tail_seq, tail_hash.to_owned());
    if to_i64(tail_seq) != head_seq || tail_hash != head_hash {
        walker.break_at(
            u64::try_from(head_seq).unwrap_or(0),
            Some(format!(
                "the chain ends at seq {tail_seq}, but its head says seq {head_seq}: records were removed from the end or altered"
            )),
        );
    }
    Ok(walker.finish())
}

/// Adds `records` (a verified chain from `path`) as [`AuditLog::import`]
/// says; the inner `Err` is a refusal in words.
async fn import_records(
    store: &Store,
    path: &str,
    records: Vec<AuditRecord>,
) -> Result<Result<Imported, String>, StoreError> {
    let Some(last) = records.last().cloned() else {
        return Ok(Ok(Imported::Empty));
    };
    let outcome = write_tx!(store, tx => {
        let (head_seq, head_hash): (i64, String) = sqlx::query_as(
            "UPDATE patrol_audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM patrol_audit WHERE seq = $1 AND hash = $2")
            .bind(to_i64(last.seq))
            .bind(&last.hash)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        let continues = head_seq == 0
            || records.iter().any(|r| to_i64(r.seq) == head_seq && r.hash == head_hash);
        if held == 1 {
            Ok(Imported::Already { records: last.seq })
        } else if !continues {
            Err(format!(
                "the store already holds {head_seq} audit records of another chain (the file's record {head_seq} is not the store's, or the file is shorter); nothing imported"
            ))
        } else {
            let new: Vec<&AuditRecord> = records.iter().filter(|r| to_i64(r.seq) > head_seq).collect();
            for r in &new {
                sqlx::query("INSERT INTO patrol_audit (seq, record, prev_hash, hash) VALUES ($1, $2, $3, $4)")
                    .bind(to_i64(r.seq))
                    .bind(encode(r)?)
                    .bind(&r.prev_hash)
                    .bind(&r.hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from_sqlx)?;
            }
            sqlx::query("UPDATE patrol_audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(to_i64(last.seq))
                .bind(&last.hash)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            sqlx::query("INSERT INTO patrol_audit_import (path, last_hash, records, imported_ms) VALUES ($1, $2, $3, $4)")
                .bind(path)
                .bind(&last.hash)
                .bind(new.len() as i64)
                .bind(to_i64(crate::clock::now_ms()))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            Ok(Imported::Records {
                first: new.first().map_or(last.seq, |r| r.seq),
                last: last.seq,
            })
        }
    });
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::tests::{chain_of, entry, file_of};
    use crate::audit::{Phase, GENESIS_HASH};
    use crate::store::TestStore;

    async fn append_n(log: &AuditLog, n: usize) -> Vec<AuditRecord> {
        let mut out = Vec::new();
        for i in 1..=n {
            let phase = if i % 2 == 1 {
                Phase::Before
            } else {
                Phase::After
            };
            out.push(
                log.append(entry(&format!("t{i}"), phase))
                    .await
                    .expect("append"),
            );
        }
        out
    }

    async fn sql(t: &TestStore, statement: &str) {
        with_pool!(t.store, pool => sqlx::query(statement).execute(pool).await.map(|_| ()))
            .expect(statement);
    }

    /// Verifies `log`, which must break at `(seq, position)` for a reason
    /// that says `why`.
    async fn expect_break(log: &AuditLog, at: (u64, u64), why: &str) {
        let v = log.verify().await.expect("verify");
        let b = v.broken.clone().expect("broken");
        assert!(!v.ok, "{v:?}");
        assert_eq!((b.seq, b.line), at, "{}", b.reason);
        assert!(b.reason.contains(why), "{}", b.reason);
    }

    #[tokio::test]
    async fn append_then_read_back() {
        let t = TestStore::new("audit-read").await;
        let log = AuditLog::new(t.store.clone());
        let written = append_n(&log, 3).await;
        assert_eq!(written[0].prev_hash, GENESIS_HASH);
        assert_eq!(written[1].prev_hash, written[0].hash);
        assert_eq!(written[2].hash.len(), 64);

        let read = log.read(10, None).await.expect("read");
        let seqs: Vec<u64> = read.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [3, 2, 1]);
        assert_eq!(read[0], written[2]);
        assert_eq!(
            read[1].entry.outcome.as_ref().and_then(|o| o.status),
            Some(200)
        );

        let page = log.page(2, None).await.expect("page");
        assert!(page.configured);
        assert_eq!(page.records.len(), 2);
        assert_eq!(page.next_before, Some(2));
        let older = log.page(2, page.next_before).await.expect("older page");
        assert_eq!(older.records[0].seq, 1);
        assert_eq!(older.next_before, None);

        let v = log.verify().await.expect("verify");
        assert!(v.ok, "{v:?}");
        assert_eq!(v.records, 3);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(t.path()).expect("stat").permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "the store file is private");
    }

    #[tokio::test]
    async fn reopen_continues_seq_and_chain() {
        let t = TestStore::new("audit-reopen").await;
        let first = append_n(&AuditLog::new(t.store.clone()), 2).await;
        t.store.close().await;
        let store = crate::store::Store::open(&crate::store::StoreConfig::new(
            crate::store::sqlite_url(&t.path()),
        ))
        .await
        .expect("reopen");
        let log = AuditLog::new(store);
        let next = log
            .append(entry("t3", Phase::Before))
            .await
            .expect("append");
        assert_eq!(
            (next.seq, next.prev_hash.as_str()),
            (3, first[1].hash.as_str())
        );
        assert!(log.verify().await.expect("verify").ok);
    }

    #[tokio::test]
    async fn edited_record_shows_at_its_seq_and_appends_go_on() {
        let t = TestStore::new("audit-edit").await;
        let log = AuditLog::new(t.store.clone());
        append_n(&log, 3).await;
        sql(&t, r#"UPDATE patrol_audit SET record = replace(record, '"target":"t2"', '"target":"x2"') WHERE seq = 2"#).await;
        expect_break(&log, (2, 2), "altered").await;
        // Patrol keeps going: appends continue the seq.
        let next = log
            .append(entry("t4", Phase::Before))
            .await
            .expect("append");
        assert_eq!(next.seq, 4);
    }

    #[tokio::test]
    async fn rehashed_edit_shows_at_the_next_seq() {
        let t = TestStore::new("audit-rehash").await;
        let log = AuditLog::new(t.store.clone());
        let mut records = append_n(&log, 3).await;
        records[1].entry.actor = "mallory".into();
        records[1].hash = hash_of(&records[1]).expect("hash");
        let text = serde_json::to_string(&records[1]).expect("json");
        with_pool!(t.store, pool => sqlx::query("UPDATE patrol_audit SET record = $1, hash = $2 WHERE seq = 2")
            .bind(&text).bind(&records[1].hash).execute(pool).await.map(|_| ()))
        .expect("rewrite record 2");
        expect_break(&log, (3, 3), "prev_hash").await;
    }

    #[tokio::test]
    async fn removed_records_show_in_the_middle_and_at_the_end() {
        let t = TestStore::new("audit-remove").await;
        let log = AuditLog::new(t.store.clone());
        append_n(&log, 4).await;
        sql(&t, "DELETE FROM patrol_audit WHERE seq = 4").await;
        expect_break(&log, (4, 3), "head says seq 4").await;
        sql(&t, "DELETE FROM patrol_audit WHERE seq = 2").await;
        expect_break(&log, (2, 2), "seq 3 where 2").await;
    }

    #[tokio::test]
    async fn empty_log_verifies() {
        let t = TestStore::new("audit-empty").await;
        let log = AuditLog::new(t.store.clone());
        let v = log.verify().await.expect("verify");
        assert!(v.ok);
        assert_eq!(v.records, 0);
        assert!(log.read(10, None).await.expect("read").is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_keep_seq_and_chain() {
        let t = TestStore::new("audit-concurrent").await;
        let log = AuditLog::new(t.store.clone());
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let log = log.clone();
                tokio::spawn(
                    async move { log.append(entry(&format!("t{i}"), Phase::Before)).await },
                )
            })
            .collect();
        for task in tasks {
            task.await.expect("join").expect("append");
        }
        let mut seqs: Vec<u64> = log
            .read(1000, None)
            .await
            .expect("read")
            .iter()
            .map(|r| r.seq)
            .collect();
        seqs.reverse();
        assert_eq!(seqs, (1..=50).collect::<Vec<u64>>());
        let v = log.verify().await.expect("verify");
        assert!(v.ok, "{v:?}");
        assert_eq!(v.records, 50);
    }

    #[tokio::test]
    async fn a_file_imports_once_and_its_chain_continues() {
        let t = TestStore::new("audit-import").await;
        let log = AuditLog::new(t.store.clone());
        let file = t.path().with_file_name("audit.log");
        let records = chain_of(4);
        std::fs::write(&file, file_of(&records[..3])).expect("write the file");

        assert_eq!(
            log.import(&file).await.expect("import"),
            Imported::Records { first: 1, last: 3 }
        );
        assert_eq!(
            log.read(10, None).await.expect("read")[0],
            records[2],
            "kept as written"
        );
        // The same file again: nothing to do.
        assert_eq!(
            log.import(&file).await.expect("again"),
            Imported::Already { records: 3 }
        );
        // The file grew (an older Patrol wrote on): only the new record comes.
        std::fs::write(&file, file_of(&records)).expect("grow the file");
        assert_eq!(
            log.import(&file).await.expect("grown"),
            Imported::Records { first: 4, last: 4 }
        );
        // The store's chain continues from the file's last record.
        let next = log
            .append(entry("t5", Phase::Before))
            .await
            .expect("append");
        assert_eq!(
            (next.seq, next.prev_hash.as_str()),
            (5, records[3].hash.as_str())
        );
        let v = log.verify().await.expect("verify");
        assert!(v.ok && v.records == 5, "{v:?}");
        // And once more after that: still nothing to do.
        assert_eq!(
            log.import(&file).await.expect("again"),
            Imported::Already { records: 4 }
        );
        // A missing file is nothing to import.
        assert_eq!(
            log.import(&file.with_file_name("none.log"))
                .await
                .expect("missing"),
            Imported::Empty
        );
    }

    #[tokio::test]
    async fn a_broken_file_or_another_chain_is_refused_and_nothing_imported() {
        let t = TestStore::new("audit-import-refused").await;
        let log = AuditLog::new(t.store.clone());
        let file = t.path().with_file_name("audit.log");
        let text = file_of(&chain_of(3)).replace("\"target\":\"t2\"", "\"target\":\"x2\"");
        std::fs::write(&file, text).expect("write the file");
        let err = log
            .import(&file)
            .await
            .expect_err("broken chain")
            .to_string();
        assert!(
            err.contains("breaks at seq 2 (line 2)") && err.contains("nothing imported"),
            "{err}"
        );
        assert!(log.read(10, None).await.expect("read").is_empty());

        // A store with records of its own refuses a file of another chain.
        append_n(&log, 2).await;
        std::fs::write(&file, file_of(&chain_of(3))).expect("write the file");
        let err = log
            .import(&file)
            .await
            .expect_err("another chain")
            .to_string();
        assert!(err.contains("another chain"), "{err}");
        assert_eq!(log.verify().await.expect("verify").records, 2);
    }
}
