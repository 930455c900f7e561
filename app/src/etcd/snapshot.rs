//! Snapshots of etcd's backend, streamed chunk by chunk from one member:
//! a database of gigabytes never sits in Patrol's memory whole. `POST
//! /api/v1/etcd/snapshot` streams one to the browser; with
//! `--snapshot-dir` Patrol keeps a copy, and `GET /api/v1/etcd/snapshots`
//! lists those.

use serde::{Deserialize, Serialize};

/// `POST /snapshot` `{ "confirm": "etcd" }`, as JSON or a plain form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRequest {
    /// `etcd`.
    pub confirm: String,
}

/// A snapshot streamed out of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotTaken {
    /// Member ID the snapshot came from, hex.
    pub member_id: String,
    pub name: String,
    /// Bytes written (etcd appends a SHA-256 that `etcdctl snapshot
    /// restore` checks).
    pub bytes: u64,
}

/// What a kept snapshot holds, as its `.json` file records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// The store's revision when the snapshot began (it holds at least this).
    pub revision: i64,
    /// Keys in the keyspace at that revision.
    #[serde(default)]
    pub keys: Option<i64>,
    /// RFC 3339, UTC.
    pub taken_at: String,
    /// The member it came from.
    #[serde(default)]
    pub member: String,
}

/// `GET /snapshots`: newest first; `dir` is `None` without
/// `--snapshot-dir`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptList {
    pub dir: Option<String>,
    pub snapshots: Vec<Kept>,
}

#[cfg(feature = "ssr")]
pub use ssr::{keys_at, save_snapshot, snapshot, Snapshot};

#[cfg(feature = "ssr")]
mod ssr {
    use etcd_client::SnapshotStreaming;
    use tokio::io::{AsyncWrite, AsyncWriteExt};

    use super::SnapshotTaken;
    use crate::error::AppError;
    use crate::etcd::status::read_status;
    use crate::etcd::{checks, Gateway};

    /// A snapshot being read. Each chunk must arrive within the command
    /// timeout; the whole may take as long as it takes.
    pub struct Snapshot {
        gateway: Gateway,
        stream: SnapshotStreaming,
        /// Member ID it comes from, hex.
        pub member_id: String,
        /// Member name.
        pub name: String,
        /// Bytes still to come, as etcd last said (`None` before the first).
        pub remaining: Option<u64>,
        read: u64,
    }

    impl Snapshot {
        /// The next chunk; `None` once etcd has sent everything.
        pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, AppError> {
            let message = self
                .gateway
                .call(self.stream.message())
                .await
                .map_err(|e| AppError::Unavailable(format!("snapshot broke off: {e}")))?;
            Ok(message.map(|m| {
                self.remaining = Some(m.remaining_bytes());
                self.read += m.blob().len() as u64;
                m.blob().to_vec()
            }))
        }

        /// Bytes read so far.
        pub fn bytes_read(&self) -> u64 {
            self.read
        }
    }

    /// Starts a snapshot of the member with this hex ID, or of the leader
    /// (whose data is the newest) when `member_id` is `None`.
    pub async fn snapshot(
        gateway: &Gateway,
        member_id: Option<&str>,
    ) -> Result<Snapshot, AppError> {
        let status = read_status(gateway).await?;
        let member = match member_id {
            Some(id) => checks::find(&status, id)?,
            None => checks::leader(&status)?,
        };
        let mut client = gateway.member_client(&member.client_urls).await?;
        let stream = gateway.call(client.snapshot()).await?;
        Ok(Snapshot {
            gateway: gateway.clone(),
            stream,
            member_id: member.id.clone(),
            name: member.name.clone(),
            remaining: None,
            read: 0,
        })
    }

    /// Streams a snapshot into `out` (a file, say), then flushes it. A
    /// snapshot cut short is an error: `out` then holds a useless prefix.
    pub async fn save_snapshot<W>(
        gateway: &Gateway,
        member_id: Option<&str>,
        out: &mut W,
    ) -> Result<SnapshotTaken, AppError>
    where
        W: AsyncWrite + Unpin,
    {
        let mut snap = snapshot(gateway, member_id).await?;
        let write_err =
            |e: std::io::Error| AppError::Internal(format!("writing the snapshot: {e}"));
        while let Some(chunk) = snap.next_chunk().await? {
            out.write_all(&chunk).await.map_err(write_err)?;
        }
        out.flush().await.map_err(write_err)?;
        if snap.remaining.is_some_and(|r| r != 0) || snap.bytes_read() == 0 {
            return Err(AppError::Unavailable(format!(
                "the snapshot from {} ended early after {} bytes",
                snap.name,
                snap.bytes_read()
            )));
        }
        let bytes = snap.bytes_read();
        Ok(SnapshotTaken {
            member_id: snap.member_id,
            name: snap.name,
            bytes,
        })
    }

    /// How many keys the keyspace held at `revision` (what a snapshot taken
    /// then holds, besides etcd's own bookkeeping).
    pub async fn keys_at(gateway: &Gateway, revision: i64) -> Result<i64, AppError> {
        let opts = move || {
            Some(
                etcd_client::GetOptions::new()
                    .with_all_keys()
                    .with_count_only()
                    .with_revision(revision),
            )
        };
        let reply = gateway
            .call_shared(|mut c| async move { c.get("\0", opts()).await })
            .await?;
        Ok(reply.count())
    }
}
