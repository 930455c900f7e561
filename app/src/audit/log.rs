//! The audit log file: one JSON [`AuditRecord`] per line, appended with
//! `O_APPEND` and fsynced before [`AuditLog::append`] returns, so an admin
//! action never runs on the strength of a record that is not on disk.
//!
//! Tamper evidence: every record holds the SHA-256 of its own canonical
//! form (see [`hash_of`]) and the hash of the record before it. Editing a
//! record breaks its own hash; editing it *and* fixing its hash breaks the
//! next record's `prev_hash`; removing or reordering records breaks `seq`.
//! Removing whole records from the end, or rewriting the whole tail, does
//! not show: ship the file elsewhere for that.
//!
//! A broken chain never stops Patrol: [`AuditLog::open`] logs it, keeps
//! appending after the last readable record, and [`AuditLog::verify`]
//! reports it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::GENESIS_HASH;
use super::{page_limit, AuditPage, AuditRecord, ChainBreak, Entry, Verification};
use crate::error::AppError;

/// Why the audit log could not be opened, written or read. The words name
/// the file: they go to the server's log and start-up errors, never to the
/// browser.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot open audit log {path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot sync the directory of {path}: {source}")]
    SyncDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read audit log {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot append to audit log {path}: {source}")]
    Append {
        path: String,
        source: std::io::Error,
    },
    /// The blocking task that reads or writes the file died.
    #[error("audit log {task} failed: {source}")]
    Task {
        task: &'static str,
        source: tokio::task::JoinError,
    },
}

/// The audit log (`--audit-log`). Cheap to clone; clones share one writer.
#[derive(Clone)]
pub struct AuditLog {
    path: Arc<PathBuf>,
    tail: Arc<Mutex<Tail>>,
}

/// The open file and the end of the chain. Appends and reads hold it, so
/// seq and chain stay consistent and no reader sees half a line.
struct Tail {
    file: File,
    seq: u64,
    hash: String,
    /// The file does not end in `\n` (a write was cut short): start the
    /// next record on a fresh line so the damage stays on its own line.
    needs_newline: bool,
}

/// A page of `log` (`None`: Patrol runs without `--audit-log`) for the
/// page and `GET /api/v1/audit`.
pub async fn page(
    log: Option<&AuditLog>,
    limit: Option<usize>,
    before: Option<u64>,
) -> Result<AuditPage, AppError> {
    let Some(log) = log else {
        return Ok(AuditPage::unconfigured());
    };
    log.page(page_limit(limit), before).await.map_err(|e| {
        tracing::error!(error = %e, "reading the audit log");
        AppError::Unavailable("the audit log could not be read; the server log says why".into())
    })
}

/// The lowercase hex SHA-256 of `record`'s canonical form:
/// `serde_json::to_vec` of the record with `hash` set to `""`. Fields go in
/// declaration order; object keys in `params`/`preflight` keep the order a
/// parse of the line gives, so a record read back hashes as it was written.
pub fn hash_of(record: &AuditRecord) -> Result<String, serde_json::Error> {
    let canonical = AuditRecord {
        hash: String::new(),
        ..record.clone()
    };
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(&canonical)?)))
}

impl AuditLog {
    /// Opens the log at `path`, creating it (mode 0600) if missing, and
    /// finds the end of the chain. Fails only if the file cannot be opened
    /// or read; a broken chain is logged and left to [`AuditLog::verify`].
    pub fn open(path: impl AsRef<Path>) -> Result<AuditLog, AuditError> {
        let path = path.as_ref().to_path_buf();
        let shown = path.display();
        let named = || path.display().to_string();
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&path)
            .map_err(|source| AuditError::Open {
                path: named(),
                source,
            })?;
        if !existed {
            // The new file's directory entry must be durable too.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                File::open(dir)
                    .and_then(|d| d.sync_all())
                    .map_err(|source| AuditError::SyncDir {
                        path: named(),
                        source,
                    })?;
            }
        }
        let mode = file.metadata().map_or(0, |m| m.permissions().mode());
        if mode & 0o077 != 0 {
            tracing::warn!(path = %shown, mode = format!("{:o}", mode & 0o777), "the audit log is readable by others");
        }
        let bytes = std::fs::read(&path).map_err(|source| AuditError::Read {
            path: named(),
            source,
        })?;
        let (records, verification) = scan(&bytes);
        match &verification.broken {
            None => {
                tracing::info!(path = %shown, records = verification.records, "audit log chain verified")
            }
            Some(b) => {
                tracing::error!(path = %shown, seq = b.seq, line = b.line, reason = %b.reason, "audit log chain is broken")
            }
        }
        let (seq, hash) = records
            .last()
            .map_or((0, GENESIS_HASH.to_owned()), |r| (r.seq, r.hash.clone()));
        let tail = Tail {
            file,
            seq,
            hash,
            needs_newline: !bytes.is_empty() && !bytes.ends_with(b"\n"),
        };
        Ok(AuditLog {
            path: Arc::new(path),
            tail: Arc::new(Mutex::new(tail)),
        })
    }

    /// Writes `entry` as the next record and fsyncs it. Once the write has
    /// begun it completes even if the caller's future is dropped.
    pub async fn append(&self, entry: Entry) -> Result<AuditRecord, AuditError> {
        self.blocking("writer", move |mut tail, path| {
            tail.append(entry).map_err(|source| AuditError::Append {
                path: path.display().to_string(),
                source,
            })
        })
        .await
    }

    /// Up to `limit` records, newest first, only those with `seq < before_seq`
    /// when given. Lines that cannot be read are left out (see [`verify`](Self::verify)).
    pub async fn read(
        &self,
        limit: usize,
        before_seq: Option<u64>,
    ) -> Result<Vec<AuditRecord>, AuditError> {
        Ok(self.page(limit, before_seq).await?.records)
    }

    /// Checks the whole file, record by record.
    pub async fn verify(&self) -> Result<Verification, AuditError> {
        Ok(self.page(0, None).await?.verified)
    }

    /// A page of `limit` records (newest first, `seq < before`) with the
    /// whole file's verification, from one read of the file.
    pub async fn page(&self, limit: usize, before: Option<u64>) -> Result<AuditPage, AuditError> {
        let (records, verified) = self.scan_file().await?;
        let mut newest = records
            .into_iter()
            .rev()
            .filter(|r| before.is_none_or(|b| r.seq < b));
        let records: Vec<AuditRecord> = newest.by_ref().take(limit).collect();
        let next_before = match (newest.next(), records.last()) {
            (Some(_), Some(last)) => Some(last.seq),
            _ => None,
        };
        Ok(AuditPage {
            configured: true,
            records,
            verified,
            next_before,
        })
    }

    async fn scan_file(&self) -> Result<(Vec<AuditRecord>, Verification), AuditError> {
        self.blocking("reader", |tail, path| {
            let bytes = std::fs::read(path);
            drop(tail);
            bytes.map(|b| scan(&b)).map_err(|source| AuditError::Read {
                path: path.display().to_string(),
                source,
            })
        })
        .await
    }

    /// Runs `f` on a blocking thread with the tail locked (`f` may let go
    /// of it early). Once begun it completes even if the caller's future is
    /// dropped, so no record is half written.
    async fn blocking<T: Send + 'static>(
        &self,
        task: &'static str,
        f: impl FnOnce(OwnedMutexGuard<Tail>, &Path) -> Result<T, AuditError> + Send + 'static,
    ) -> Result<T, AuditError> {
        let tail = self.tail.clone().lock_owned().await;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || f(tail, &path))
            .await
            .map_err(|source| AuditError::Task { task, source })?
    }
}

impl Tail {
    fn append(&mut self, entry: Entry) -> std::io::Result<AuditRecord> {
        let mut record = AuditRecord {
            seq: self.seq.saturating_add(1),
            time_ms: crate::clock::now_ms(),
            entry,
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        record.hash = hash_of(&record)?;
        let mut line = Vec::with_capacity(512);
        if self.needs_newline {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &record)?;
        line.push(b'\n');
        // One write of the whole line: with O_APPEND it lands at the end.
        if let Err(e) = self.file.write_all(&line) {
            self.needs_newline = true;
            return Err(e);
        }
        // The line is in the file now; the chain moves on even if the sync
        // fails, or the next record would reuse this seq.
        self.needs_newline = false;
        self.seq = record.seq;
        self.hash = record.hash.clone();
        self.file.sync_data()?;
        Ok(record)
    }
}

/// The readable records of a log file and the verdict on the whole chain.
fn scan(bytes: &[u8]) -> (Vec<AuditRecord>, Verification) {
    let mut records = Vec::new();
    let mut broken: Option<ChainBreak> = None;
    let mut expected = 1u64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let lines = (!bytes.is_empty()).then(|| body.split(|b| *b == b'\n'));
    for (i, line) in lines.into_iter().flatten().enumerate() {
        let line_no = i as u64 + 1;
        let at = expected;
        let problem = match serde_json::from_slice::<AuditRecord>(line) {
            Err(e) => {
                expected = expected.saturating_add(1);
                Some(format!(
                    "line {line_no} is not a valid audit record ({e}): the file was altered or a write was cut short"
                ))
            }
            Ok(r) => {
                let problem = check(&r, at, &prev_hash);
                expected = r.seq.saturating_add(1);
                prev_hash = r.hash.clone();
                records.push(r);
                problem
            }
        };
        if let (None, Some(reason)) = (&broken, problem) {
            broken = Some(ChainBreak {
                seq: at,
                line: line_no,
                reason,
            });
        }
    }
    let verification = Verification {
        ok: broken.is_none(),
        records: records.len() as u64,
        broken,
    };
    (records, verification)
}

/// What is wrong with `r` at the position where `expected` and `prev_hash`
/// should come next, if anything.
fn check(r: &AuditRecord, expected: u64, prev_hash: &str) -> Option<String> {
    if r.seq != expected {
        return Some(format!(
            "seq {} where {expected} was expected: a record was removed, inserted or reordered",
            r.seq
        ));
    }
    if r.prev_hash != prev_hash {
        return Some(if expected == 1 {
            "the first record does not start the chain (prev_hash is not 64 zeros)".into()
        } else {
            format!(
                "prev_hash is not the hash of record {}: that record was altered",
                expected - 1
            )
        });
    }
    match hash_of(r) {
        Ok(h) if h == r.hash => None,
        Ok(_) => Some("the record does not match its hash: it was altered".into()),
        Err(e) => Some(format!("the record cannot be hashed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::{SystemTime, UNIX_EPOCH};

    use serde_json::json;

    use super::*;
    use crate::audit::{Outcome, Phase};

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "patrol-audit-{name}-{}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempDir(dir)
        }

        fn log(&self) -> PathBuf {
            self.0.join("audit.log")
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn entry(target: &str, phase: Phase) -> Entry {
        Entry {
            phase,
            actor: "alice".into(),
            source: "10.0.0.7".into(),
            action: "switchover".into(),
            target: target.into(),
            params: json!({"leader": "pg1", "candidate": "pg2"}),
            preflight: Some(json!({"ok": true, "checks": ["leader", "lag"]})),
            outcome: (phase == Phase::After).then(|| Outcome {
                status: Some(200),
                body: "Successfully switched over to \"pg2\"".into(),
                error: None,
            }),
            revision_before: Some(41),
            revision_after: (phase == Phase::After).then_some(42),
        }
    }

    /// Reopens the log in `dir` and appends a record, which must get `seq`.
    async fn reopen_and_append(dir: &TempDir, seq: u64) -> (AuditLog, AuditRecord) {
        let log = AuditLog::open(dir.log()).expect("reopen");
        let next = log
            .append(entry(&format!("t{seq}"), Phase::Before))
            .await
            .expect("append");
        assert_eq!(next.seq, seq);
        (log, next)
    }

    /// Verifies `log`, which must break at `(seq, line)` for a reason that
    /// says `why`.
    async fn expect_break(log: &AuditLog, at: (u64, u64), why: &str) -> Verification {
        let v = log.verify().await.expect("verify");
        let b = v.broken.clone().expect("broken");
        assert!(!v.ok, "{v:?}");
        assert_eq!((b.seq, b.line), at, "{}", b.reason);
        assert!(b.reason.contains(why), "{}", b.reason);
        v
    }

    /// A fresh log in its own directory, holding three records.
    async fn three_records(name: &str) -> (TempDir, AuditLog, Vec<AuditRecord>) {
        let dir = TempDir::new(name);
        let log = AuditLog::open(dir.log()).expect("open");
        let records = append_n(&log, 3).await;
        (dir, log, records)
    }

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

    fn edit(path: &Path, f: impl FnOnce(String) -> String) {
        let text = std::fs::read_to_string(path).expect("read log");
        std::fs::write(path, f(text)).expect("write log");
    }

    #[tokio::test]
    async fn append_then_read_back() {
        let (dir, log, written) = three_records("read").await;
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

        let text = std::fs::read_to_string(dir.log()).expect("read log");
        assert_eq!(text.lines().count(), 3);
        assert!(text.ends_with('\n'));
        let mode = std::fs::metadata(dir.log())
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[tokio::test]
    async fn reopen_continues_seq_and_chain() {
        let dir = TempDir::new("reopen");
        let first = append_n(&AuditLog::open(dir.log()).expect("open"), 2).await;
        let (log, next) = reopen_and_append(&dir, 3).await;
        assert_eq!(next.prev_hash, first[1].hash);
        assert!(log.verify().await.expect("verify").ok);
    }

    #[tokio::test]
    async fn edited_byte_shows_at_its_seq() {
        let (dir, log, _) = three_records("edit").await;
        edit(&dir.log(), |t| {
            t.replace("\"target\":\"t2\"", "\"target\":\"x2\"")
        });

        expect_break(&log, (2, 2), "altered").await;

        // Patrol keeps going: reopening works and appends continue the seq.
        reopen_and_append(&dir, 4).await;
    }

    #[tokio::test]
    async fn rehashed_edit_shows_at_the_next_seq() {
        let (dir, log, mut records) = three_records("rehash").await;
        records[1].entry.actor = "mallory".into();
        records[1].hash = hash_of(&records[1]).expect("hash");
        let lines: Vec<String> = records
            .iter()
            .map(|r| serde_json::to_string(r).expect("json") + "\n")
            .collect();
        std::fs::write(dir.log(), lines.concat()).expect("write log");

        expect_break(&log, (3, 3), "prev_hash").await;
    }

    #[tokio::test]
    async fn removed_record_shows() {
        let (dir, log, _) = three_records("remove").await;
        edit(&dir.log(), |t| {
            let lines: Vec<&str> = t.lines().collect();
            format!("{}\n{}\n", lines[0], lines[2])
        });
        expect_break(&log, (2, 2), "seq 3 where 2").await;
    }

    #[tokio::test]
    async fn truncated_last_line_shows_and_appends_go_on() {
        let (dir, log, _) = three_records("truncate").await;
        let len = std::fs::metadata(dir.log()).expect("stat").len();
        let file = OpenOptions::new()
            .write(true)
            .open(dir.log())
            .expect("open rw");
        file.set_len(len - 10).expect("truncate");

        let v = expect_break(&log, (3, 3), "not a valid audit record").await;
        assert_eq!(v.records, 2);

        // The damaged line stays on its own; the next record follows record 2.
        let (log, _) = reopen_and_append(&dir, 3).await;
        let text = std::fs::read_to_string(dir.log()).expect("read log");
        assert_eq!(text.lines().count(), 4);
        let v = log.verify().await.expect("verify");
        assert_eq!(v.broken.map(|b| b.line), Some(3));
        assert_eq!(v.records, 3);
    }

    #[tokio::test]
    async fn non_json_line_shows_and_does_not_panic() {
        let dir = TempDir::new("garbage");
        let log = AuditLog::open(dir.log()).expect("open");
        append_n(&log, 2).await;
        edit(&dir.log(), |t| t + "this is not json\n\u{0}\u{ff}\n");

        let (log, _) = reopen_and_append(&dir, 3).await;
        expect_break(&log, (3, 3), "line 3 is not a valid audit record").await;
        let seqs: Vec<u64> = log
            .read(10, None)
            .await
            .expect("read")
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(seqs, [3, 2, 1]);
    }

    #[tokio::test]
    async fn empty_file_verifies() {
        let dir = TempDir::new("empty");
        let log = AuditLog::open(dir.log()).expect("open");
        let v = log.verify().await.expect("verify");
        assert!(v.ok);
        assert_eq!(v.records, 0);
        assert!(log.read(10, None).await.expect("read").is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_keep_seq_and_chain() {
        let dir = TempDir::new("concurrent");
        let log = AuditLog::open(dir.log()).expect("open");
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let log = log.clone();
                tokio::spawn(
                    async move { log.append(entry(&format!("t{i}"), Phase::Before)).await },
                )
            })
            .collect();
        for t in tasks {
            t.await.expect("join").expect("append");
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
}
