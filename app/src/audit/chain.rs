//! Checking a hash chain of audit records, wherever they come from: the
//! store's rows in seq order, or the lines of an audit log file being
//! imported. Pure logic, shared by both.

use sha2::{Digest, Sha256};

use super::{AuditRecord, ChainBreak, Verification, GENESIS_HASH};

/// The lowercase hex SHA-256 of `record`'s canonical form:
/// `serde_json::to_vec` of the record with `hash` set to `""`. Fields go in
/// declaration order; object keys in `params`/`preflight` keep the order a
/// parse of the record gives, so a record read back hashes as it was written.
pub fn hash_of(record: &AuditRecord) -> Result<String, serde_json::Error> {
    let canonical = AuditRecord {
        hash: String::new(),
        ..record.clone()
    };
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(&canonical)?)))
}

/// Walks a chain record by record and remembers the first break.
pub struct Walker {
    expected: u64,
    prev_hash: String,
    position: u64,
    records: u64,
    broken: Option<ChainBreak>,
}

impl Default for Walker {
    fn default() -> Walker {
        Walker {
            expected: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            position: 0,
            records: 0,
            broken: None,
        }
    }
}

impl Walker {
    /// The next record, or `Err` with why it could not be read.
    pub fn next(&mut self, record: Result<&AuditRecord, String>) {
        self.position += 1;
        let at = self.expected;
        let problem = match record {
            Err(why) => {
                self.expected = self.expected.saturating_add(1);
                Some(why)
            }
            Ok(r) => {
                let problem = check(r, at, &self.prev_hash);
                self.expected = r.seq.saturating_add(1);
                self.prev_hash = r.hash.clone();
                self.records += 1;
                problem
            }
        };
        self.break_at(at, problem);
    }

    /// Records a break found outside the records themselves (the store's
    /// head disagreeing with the last record).
    pub fn break_at(&mut self, seq: u64, problem: Option<String>) {
        if let (None, Some(reason)) = (&self.broken, problem) {
            self.broken = Some(ChainBreak {
                seq,
                line: self.position,
                reason,
            });
        }
    }

    /// The seq and hash the next record must chain to.
    pub fn tail(&self) -> (u64, &str) {
        (self.expected.saturating_sub(1), &self.prev_hash)
    }

    pub fn finish(self) -> Verification {
        Verification {
            ok: self.broken.is_none(),
            records: self.records,
            broken: self.broken,
        }
    }
}

/// The readable records of a log file and the verdict on its chain.
pub fn scan(bytes: &[u8]) -> (Vec<AuditRecord>, Verification) {
    let mut records = Vec::new();
    let mut walker = Walker::default();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let lines = (!bytes.is_empty()).then(|| body.split(|b| *b == b'\n'));
    for (i, line) in lines.into_iter().flatten().enumerate() {
        match serde_json::from_slice::<AuditRecord>(line) {
            Err(e) => walker.next(Err(format!(
                "line {} is not a valid audit record ({e}): the file was altered or a write was cut short",
                i + 1
            ))),
            Ok(r) => {
                walker.next(Ok(&r));
                records.push(r);
            }
        }
    }
    (records, walker.finish())
}

/// What is wrong with `r` at the position where `expected` and `prev_hash`
/// should come next, if anything.
pub fn check(r: &AuditRecord, expected: u64, prev_hash: &str) -> Option<String> {
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
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::audit::{Entry, Outcome, Phase};

    pub(crate) fn entry(target: &str, phase: Phase) -> Entry {
        Entry {
            phase,
            actor: "alice".into(),
            source: "10.0.0.7".into(),
            action: "switchover".into(),
            target: target.into(),
            etcd: None,
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

    /// `n` chained records, targets `t1`..`tn`.
    pub(crate) fn chain_of(n: u64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let phase = if seq % 2 == 1 {
                    Phase::Before
                } else {
                    Phase::After
                };
                let mut r = AuditRecord {
                    seq,
                    time_ms: 1_700_000_000_000 + seq,
                    entry: entry(&format!("t{seq}"), phase),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = hash_of(&r).expect("hash");
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    /// The JSON-lines file of `records`.
    pub(crate) fn file_of(records: &[AuditRecord]) -> String {
        records
            .iter()
            .map(|r| serde_json::to_string(r).expect("json") + "\n")
            .collect()
    }

    fn expect_break(text: &str, at: (u64, u64), why: &str) -> Verification {
        let (_, v) = scan(text.as_bytes());
        let b = v.broken.clone().expect("broken");
        assert!(!v.ok, "{v:?}");
        assert_eq!((b.seq, b.line), at, "{}", b.reason);
        assert!(b.reason.contains(why), "{}", b.reason);
        v
    }

    #[test]
    fn an_intact_file_verifies() {
        let (records, v) = scan(file_of(&chain_of(3)).as_bytes());
        assert!(v.ok, "{v:?}");
        assert_eq!((v.records, records.len()), (3, 3));
        let (records, v) = scan(b"");
        assert!(v.ok && v.records == 0 && records.is_empty());
    }

    #[test]
    fn edited_byte_shows_at_its_seq() {
        let text = file_of(&chain_of(3)).replace("\"target\":\"t2\"", "\"target\":\"x2\"");
        expect_break(&text, (2, 2), "altered");
    }

    #[test]
    fn rehashed_edit_shows_at_the_next_seq() {
        let mut records = chain_of(3);
        records[1].entry.actor = "mallory".into();
        records[1].hash = hash_of(&records[1]).expect("hash");
        expect_break(&file_of(&records), (3, 3), "prev_hash");
    }

    #[test]
    fn removed_record_shows() {
        let records = chain_of(3);
        let text = file_of(&[records[0].clone(), records[2].clone()]);
        expect_break(&text, (2, 2), "seq 3 where 2");
    }

    #[test]
    fn truncated_last_line_shows() {
        let text = file_of(&chain_of(3));
        let v = expect_break(&text[..text.len() - 10], (3, 3), "not a valid audit record");
        assert_eq!(v.records, 2);
    }

    #[test]
    fn non_json_line_shows_and_does_not_panic() {
        let text = file_of(&chain_of(2)) + "this is not json\n\u{0}\u{ff}\n";
        expect_break(&text, (3, 3), "line 3 is not a valid audit record");
    }
}
