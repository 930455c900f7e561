//! `POST /snapshot`: etcd's backend streamed from the leader straight to
//! the browser as a download. Chunks pass through a small channel, so a
//! snapshot of any size costs Patrol a few chunks of memory; the audit
//! log's after record carries the byte count and SHA-256 once it ends.

use app::action::actor::Actor;
use app::action::run::recorded;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::snapshot::{Kept, SnapshotRequest};
use app::etcd::wire::ErrorBody;
use app::etcd::{keys_at, read_status, snapshot, Snapshot};
use app::fleet::request::Scoped;
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRef, FromRequest, Request};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;

use super::super::action::Body as JsonBody;
use super::kept::Copy;
use super::{entry, outcome};

/// Chunks (etcd sends up to 32 KiB each) buffered between etcd and the
/// client: enough to keep both busy, little enough not to matter.
const BUFFERED_CHUNKS: usize = 8;

/// The request as JSON or, for a plain HTML form, form-encoded.
pub struct JsonOrForm(SnapshotRequest);

impl<S: Send + Sync> FromRequest<S> for JsonOrForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<JsonOrForm, AppError> {
        let form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if form {
            let Form(r) = Form::<SnapshotRequest>::from_request(req, state)
                .await
                .map_err(|e| AppError::Invalid(e.body_text()))?;
            Ok(JsonOrForm(r))
        } else {
            let JsonBody(r) = JsonBody::<SnapshotRequest>::from_request(req, state).await?;
            Ok(JsonOrForm(r))
        }
    }
}

/// What the audit log records once the download ended.
#[derive(Debug, Serialize)]
struct Streamed {
    member: String,
    file: String,
    bytes: u64,
    sha256: String,
    /// The copy in `--snapshot-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    kept: Option<String>,
    /// Why there is no copy, though `--snapshot-dir` asks for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_kept: Option<String>,
}

/// `POST /snapshot` `{ "confirm": "etcd" }`: `application/octet-stream`,
/// saved as `patrol-<cluster ID>-<revision>-<UTC time>.db`. A refusal
/// carries its status in the body too: the page posts the form into a
/// frame, which does not see the status.
pub async fn download(
    actor: Result<Actor, AppError>,
    Scoped(state): Scoped,
    req: Result<JsonOrForm, AppError>,
) -> Response {
    let started = async { start(actor?, state, req?.0).await };
    match started.await {
        Ok(download) => download,
        Err(e) => {
            let body = ErrorBody {
                error: e.to_string(),
                status: Some(e.status().as_u16()),
                needs_override: false,
            };
            (e.status(), Json(body)).into_response()
        }
    }
}

async fn start(actor: Actor, state: AppState, req: SnapshotRequest) -> Result<Response, AppError> {
    confirm(&req.confirm, "etcd")?;
    let status = read_status(&state.etcd).await?;
    let now = chrono::Utc::now();
    let time = now.format("%Y%m%dT%H%M%SZ");
    let taken_at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let file = format!("patrol-{}-{}-{time}.db", status.cluster_id, status.revision);
    let entry = entry("snapshot", "cluster", json!({ "file": file }), &status);
    // A copy that cannot be written does not hold up the download: the
    // operator gets the snapshot, and the audit record says why no copy.
    let copy = match state.snapshot_dir.as_deref() {
        Some(dir) => Some(Copy::create(dir, &file).await),
        None => None,
    };
    let revision = status.revision;
    let (opened_tx, opened_rx) = oneshot::channel();
    let (tx, rx) = mpsc::channel(BUFFERED_CHUNKS);
    let name = file.clone();
    // The stream outlives this handler; so does its audit record.
    tokio::spawn(async move {
        let call = async {
            let snap = match snapshot(&state.etcd, None).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = opened_tx.send(Err(e.clone()));
                    return Err(e);
                }
            };
            let _ = opened_tx.send(Ok(()));
            let (mut streamed, copy) = pump(snap, name, tx, copy).await?;
            if let Some(copy) = copy {
                let record = Kept {
                    file: streamed.file.clone(),
                    bytes: streamed.bytes,
                    sha256: streamed.sha256.clone(),
                    revision,
                    keys: count_keys(&state, revision).await,
                    taken_at,
                    member: streamed.member.clone(),
                };
                match copy.finish(&record).await {
                    Ok(path) => streamed.kept = Some(path.display().to_string()),
                    Err(e) => streamed.not_kept = Some(e),
                }
            }
            Ok(streamed)
        };
        let services = app::action::services::Services::from_ref(&state);
        if let Err(e) = recorded(&services, &actor, entry, call, outcome).await {
            tracing::error!("etcd snapshot not taken: {e}");
        }
    });
    match opened_rx.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => {
            return Err(AppError::Unavailable(
                "the audit record could not be written to the store, so nothing was done (Patrol's log says why)".into(),
            ))
        }
    }
    let headers = [
        (CONTENT_TYPE, "application/octet-stream".to_owned()),
        (
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ),
    ];
    Ok((headers, Body::from_stream(ReceiverStream::new(rx))).into_response())
}

type Chunk = Result<Bytes, std::io::Error>;

/// Passes the snapshot on chunk by chunk, hashing it and writing the
/// copy on the way. A snapshot cut short ends the download with an error,
/// so the client does not keep a truncated file for a whole one; its copy
/// is removed.
async fn pump(
    mut snap: Snapshot,
    file: String,
    tx: mpsc::Sender<Chunk>,
    copy: Option<Result<Copy, String>>,
) -> Result<(Streamed, Option<Copy>), AppError> {
    let mut hash = Sha256::new();
    let (mut copy, mut not_kept) = match copy {
        Some(Ok(c)) => (Some(c), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let result = loop {
        let chunk = match snap.next_chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break Ok(()),
            Err(e) => break Err((e, true)),
        };
        hash.update(&chunk);
        if let Some(c) = copy.as_mut() {
            if let Err(e) = c.write(&chunk).await {
                tracing::warn!("snapshot copy abandoned: {e}");
                not_kept = Some(e);
                if let Some(c) = copy.take() {
                    c.discard().await;
                }
            }
        }
        if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
            let left = format!("the client left after {} bytes", snap.bytes_read());
            break Err((AppError::Unavailable(left), false));
        }
    };
    let result = result.and_then(|()| {
        if snap.remaining.is_some_and(|r| r != 0) || snap.bytes_read() == 0 {
            let e = AppError::Unavailable(format!(
                "the snapshot from {} ended early after {} bytes",
                snap.name,
                snap.bytes_read()
            ));
            return Err((e, true));
        }
        Ok(())
    });
    if let Err((e, tell_client)) = result {
        if let Some(c) = copy {
            c.discard().await;
        }
        if tell_client {
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
        return Err(e);
    }
    let streamed = Streamed {
        member: snap.name.clone(),
        file,
        bytes: snap.bytes_read(),
        sha256: hex::encode(hash.finalize()),
        kept: None,
        not_kept,
    };
    Ok((streamed, copy))
}

/// Keys in the keyspace at `revision`, for the copy's record; `None` when
/// etcd cannot say (compacted meanwhile, say).
async fn count_keys(state: &AppState, revision: i64) -> Option<i64> {
    match keys_at(&state.etcd, revision).await {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!("snapshot record without a key count: {e}");
            None
        }
    }
}
