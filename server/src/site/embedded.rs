//! The site built into `patrol` by build.rs: every file under its plain name
//! and its content-hashed name, each stored plain, gzipped and brotli'd.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};

use super::negotiate::{self, Encoding};

/// One file of the built site.
pub struct EmbeddedFile {
    /// Its address, e.g. `/pkg/patrol.css`.
    pub path: &'static str,
    /// The same with the content hash, e.g. `/pkg/patrol.0123456789abcdef.css`.
    pub hashed_path: &'static str,
    pub hash: &'static str,
    pub identity: &'static [u8],
    /// Absent when compressing did not pay.
    pub gzip: Option<&'static [u8]>,
    pub brotli: Option<&'static [u8]>,
}

// FILES and OUTPUT_NAME, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/site.rs"));

/// Hashed names never change content, so browsers keep them for a year
/// without asking again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Plain names can change with the next build: browsers ask each time, and
/// the entity tag makes the answer a bodyless 304 when nothing changed.
pub const REVALIDATE: &str = "no-cache";

/// The file at `path` and whether `path` is its hashed name.
pub fn find(path: &str) -> Option<(&'static EmbeddedFile, bool)> {
    FILES.iter().find_map(|f| {
        if f.hashed_path == path {
            Some((f, true))
        } else if f.path == path {
            Some((f, false))
        } else {
            None
        }
    })
}

/// The hashed address of the file whose plain address is `path`.
pub fn hashed(path: &str) -> Option<&'static str> {
    FILES.iter().find(|f| f.path == path).map(|f| f.hashed_path)
}

/// The answer for `file` given the request's headers.
pub fn respond(file: &'static EmbeddedFile, hashed: bool, request: &HeaderMap) -> Response<Body> {
    let text = |name| {
        request
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let encoding = negotiate::choose(
        text(header::ACCEPT_ENCODING),
        file.brotli.is_some(),
        file.gzip.is_some(),
    );
    let (encoding, bytes) = match (encoding, file.brotli, file.gzip) {
        (Encoding::Brotli, Some(b), _) => (Encoding::Brotli, b),
        (Encoding::Gzip, _, Some(g)) => (Encoding::Gzip, g),
        _ => (Encoding::Identity, file.identity),
    };
    let etag = format!("\"{}{}\"", file.hash, encoding.etag_suffix());
    let fresh = negotiate::not_modified(text(header::IF_NONE_MATCH), &etag);
    let (status, body) = if fresh {
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        (StatusCode::OK, Body::from(bytes))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(super::content_type(file.path)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE }),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(enc) = encoding.header() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    response
}
