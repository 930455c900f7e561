//! `/api/v1/kv/*`: the keyspace, read-only. Keys come URL-encoded
//! (`key=`, `path=`, `prefix=`) or, for bytes that are not UTF-8, as
//! `key_base64=` (`path_base64=`, `prefix_base64=`).

use app::fleet::request::Scoped;
use std::convert::Infallible;

use app::error::AppError;
use app::keyspace::hub::Message;
use app::keyspace::listing;
use app::keyspace::model::{sse, EventKind, Found, History, KeyValue, Listing};
use app::keyspace::path::b64_decode;
use app::keyspace::service::{self, decode_cursor, DEFAULT_LIMIT};
use axum::extract::Query;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Json;
use futures::{stream, Stream, StreamExt};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;

/// A key (or directory, or prefix) as text or as base64 bytes.
#[derive(Deserialize)]
pub struct KeyParam {
    key: Option<String>,
    key_base64: Option<String>,
}

impl KeyParam {
    fn bytes(&self, name: &str) -> Result<Vec<u8>, AppError> {
        match (&self.key, &self.key_base64) {
            (Some(k), None) => Ok(k.clone().into_bytes()),
            (None, Some(b)) => {
                b64_decode(b).map_err(|e| AppError::Invalid(format!("{name}_base64: {e}")))
            }
            (Some(_), Some(_)) => Err(AppError::Invalid(format!(
                "give {name} or {name}_base64, not both"
            ))),
            (None, None) => Err(AppError::Invalid(format!("{name} is required"))),
        }
    }
}

/// `?path=` as a [`KeyParam`].
#[derive(Deserialize)]
pub struct ListQuery {
    path: Option<String>,
    path_base64: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/kv/ls`: one level of the keyspace; `path` defaults to `/`.
pub async fn ls(
    Scoped(state): Scoped,
    Query(q): Query<ListQuery>,
) -> Result<Json<Listing>, AppError> {
    let mut dir = if q.path.is_none() && q.path_base64.is_none() {
        b"/".to_vec()
    } else {
        KeyParam {
            key: q.path,
            key_base64: q.path_base64,
        }
        .bytes("path")?
    };
    if !dir.is_empty() && !dir.ends_with(b"/") {
        dir.push(b'/');
    }
    let after = decode_cursor(q.after.as_deref())?;
    let listing = listing::list(&state.etcd, &dir, after, q.limit.unwrap_or(DEFAULT_LIMIT)).await?;
    Ok(Json(listing))
}

/// `GET /api/v1/kv/get`: one key, its whole value, metadata and TTL.
pub async fn get(
    Scoped(state): Scoped,
    Query(q): Query<KeyParam>,
) -> Result<Json<KeyValue>, AppError> {
    Ok(Json(
        service::get(&state.etcd, &q.bytes("key")?, None).await?,
    ))
}

/// `GET /api/v1/kv/raw`: the value alone, as a file download.
pub async fn raw(
    Scoped(state): Scoped,
    Query(q): Query<KeyParam>,
) -> Result<impl IntoResponse, AppError> {
    let key = q.bytes("key")?;
    let value = service::raw(&state.etcd, &key).await?;
    let name: String = key
        .rsplit(|&b| b == b'/')
        .next()
        .map(|n| {
            String::from_utf8_lossy(n)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .collect()
        })
        .filter(|n: &String| !n.is_empty())
        .unwrap_or_else(|| "value".into());
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        value,
    ))
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    #[serde(flatten)]
    key: KeyParam,
    limit: Option<usize>,
}

/// `GET /api/v1/kv/history`: earlier versions, newest first.
pub async fn history(
    Scoped(state): Scoped,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<History>, AppError> {
    let key = q.key.bytes("key")?;
    Ok(Json(
        service::history(
            &state.etcd,
            &key,
            q.limit.unwrap_or(service::DEFAULT_HISTORY),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    prefix: Option<String>,
    prefix_base64: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/kv/search`: every key starting with `prefix`, paged.
pub async fn search(
    Scoped(state): Scoped,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Found>, AppError> {
    let prefix = KeyParam {
        key: q.prefix,
        key_base64: q.prefix_base64,
    }
    .bytes("prefix")?;
    let after = decode_cursor(q.after.as_deref())?;
    Ok(Json(
        service::search(
            &state.etcd,
            &prefix,
            after,
            q.limit.unwrap_or(DEFAULT_LIMIT),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
pub struct WatchQuery {
    prefix: Option<String>,
    prefix_base64: Option<String>,
}

/// `GET /api/v1/kv/watch`: `text/event-stream` of `ready`, `put` and
/// `delete` events under `prefix`, from one etcd watch shared by all.
pub async fn watch(
    Scoped(state): Scoped,
    Query(q): Query<WatchQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let prefix = KeyParam {
        key: q.prefix,
        key_base64: q.prefix_base64,
    }
    .bytes("prefix")?;
    let sub = state.watches.subscribe(&prefix);
    let first = sub.ready.map(|revision| Message::Ready { revision });
    let events = BroadcastStream::new(sub.rx).map(|m| match m {
        Ok(m) => to_event(&m),
        // Fell behind: missed events cannot be replayed, so say reload.
        Err(_) => to_event(&Message::Ready { revision: 0 }),
    });
    let stream = stream::iter(first.as_ref().map(to_event)).chain(events);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn to_event(m: &Message) -> Result<Event, Infallible> {
    let event = match m {
        Message::Ready { revision } => Event::default()
            .event(sse::READY)
            .data(format!("{{\"revision\":{revision}}}")),
        Message::Event(e) => {
            let name = match e.kind {
                EventKind::Put => sse::PUT,
                EventKind::Delete => sse::DELETE,
            };
            Event::default()
                .event(name)
                .json_data(e)
                .unwrap_or_else(|err| Event::default().comment(format!("unserializable: {err}")))
        }
    };
    Ok(event)
}
