//! The one way the etcd page calls `/api/v1/etcd/...`: `fetch` with the
//! request as JSON and the session cookie (`credentials: same-origin`; the
//! browser adds the `Origin` header a cookie-authenticated mutation needs),
//! the answer read into the same type the route wrote. The admin routes
//! live in the `server` crate, where the audit log and the admin proof
//! are, so the page speaks their REST API rather than server functions.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::etcd::wire::ErrorBody;

/// What a route answered: its HTTP status (0 when there was no answer or
/// it is unknown), its answer, and its refusal when it refused. A refusal
/// may carry an answer too (a defragmentation that stopped early).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub status: u16,
    pub answer: Option<T>,
    pub refusal: Option<ErrorBody>,
}

impl<T> Reply<T> {
    /// A 2xx answer that was read.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status) && self.answer.is_some()
    }

    /// The refusal in the route's own words.
    pub fn error(&self) -> Option<String> {
        self.refusal.as_ref().map(|r| r.error.clone())
    }

    /// An answer that never came.
    pub fn failed(why: impl Into<String>) -> Reply<T> {
        Reply {
            status: 0,
            answer: None,
            refusal: Some(ErrorBody {
                error: why.into(),
                ..ErrorBody::default()
            }),
        }
    }

    /// The answer as `f` makes it.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            status: self.status,
            answer: self.answer.map(f),
            refusal: self.refusal,
        }
    }
}

impl<T: DeserializeOwned> Reply<T> {
    /// A body as received. A refusal is `{"error": ...}` (or, from
    /// elsewhere, text, kept as it is); its status is the one the body
    /// names when `status` is unknown (0).
    pub fn from_text(status: u16, text: &str) -> Reply<T> {
        if (200..300).contains(&status) {
            return match serde_json::from_str(text) {
                Ok(answer) => Reply {
                    status,
                    answer: Some(answer),
                    refusal: None,
                },
                Err(e) => Reply {
                    status,
                    ..Reply::failed(format!("Patrol's answer did not read: {e}"))
                },
            };
        }
        let refusal = serde_json::from_str::<ErrorBody>(text).unwrap_or_else(|_| ErrorBody {
            error: text.to_owned(),
            ..ErrorBody::default()
        });
        Reply {
            status: match status {
                0 => refusal.status.unwrap_or(0),
                s => s,
            },
            answer: serde_json::from_str(text).ok(),
            refusal: Some(refusal),
        }
    }
}

/// `GET path`, read as a `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Reply<T> {
    send::<(), T>("GET", path, None).await
}

/// `method path` with `body` as JSON, read as a `T`.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
) -> Reply<T> {
    let body = match body.map(serde_json::to_string).transpose() {
        Ok(body) => body,
        Err(e) => return Reply::failed(format!("the request did not serialize: {e}")),
    };
    match fetch(method, path, body).await {
        Ok((status, text)) => Reply::from_text(status, &text),
        Err(e) => Reply::failed(format!("no answer from Patrol: {e}")),
    }
}

#[cfg(feature = "hydrate")]
use browser::fetch;

/// The server renders the page but never sends its requests.
#[cfg(not(feature = "hydrate"))]
async fn fetch(_method: &str, _path: &str, _body: Option<String>) -> Result<(u16, String), String> {
    Err("requests are sent from the browser".into())
}

#[cfg(feature = "hydrate")]
pub mod browser {
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{Headers, RequestCredentials, RequestInit, Response};

    /// `method path` with a JSON `body`: the status and the body's text.
    pub(super) async fn fetch(
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let window = web_sys::window().ok_or("no window")?;
        let init = RequestInit::new();
        init.set_method(method);
        init.set_credentials(RequestCredentials::SameOrigin);
        let headers = Headers::new().map_err(text)?;
        headers.set("accept", "application/json").map_err(text)?;
        if let Some(body) = body {
            headers
                .set("content-type", "application/json")
                .map_err(text)?;
            init.set_body(&JsValue::from_str(&body));
        }
        init.set_headers(&headers);
        let response: Response = settled(window.fetch_with_str_and_init(path, &init))
            .await
            .map_err(text)?
            .dyn_into()
            .map_err(text)?;
        let body = settled(response.text().map_err(text)?)
            .await
            .map_err(text)?
            .as_string()
            .unwrap_or_default();
        Ok((response.status(), body))
    }

    /// A JavaScript error in words.
    pub fn text(e: JsValue) -> String {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{e:?}"))
    }

    /// Waits for `promise` to settle.
    pub async fn settled(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
        wasm_bindgen_futures::JsFuture::from(promise).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::compact::Compacted;

    #[test]
    fn refusals_read_in_the_routes_words() {
        let a = Reply::<Compacted>::from_text(
            409,
            r#"{"error":"conflict: etcd is compacted up to revision 9 already"}"#,
        );
        assert!(!a.ok());
        assert_eq!(
            a.error().as_deref(),
            Some("conflict: etcd is compacted up to revision 9 already")
        );
        let html = Reply::<Compacted>::from_text(404, "<h1>Not found</h1>");
        assert_eq!(html.error().as_deref(), Some("<h1>Not found</h1>"));
        let body = r#"{"revision":5,"previous":null,"current_revision":9,"physical":false}"#;
        let done = Reply::<Compacted>::from_text(200, body);
        assert!(done.ok() && done.error().is_none());
        assert_eq!(done.answer.map(|c| c.revision), Some(5));
        assert_eq!(Reply::<Compacted>::failed("offline").status, 0);
    }

    #[test]
    fn a_refusal_read_from_a_frame_keeps_its_status() {
        // The snapshot form posts into a frame, which sees no status: the
        // body names it.
        for (body, status) in [
            (
                r#"{"error":"invalid request: type \"etcd\" to confirm","status":400}"#,
                400,
            ),
            (
                r#"{"error":"unavailable: no --audit-log","status":503}"#,
                503,
            ),
            (r#"{"error":"unauthorized: sign in","status":401}"#, 401),
            ("something else", 0),
        ] {
            assert_eq!(
                Reply::<Compacted>::from_text(0, body).status,
                status,
                "{body}"
            );
        }
        let override_needed =
            r#"{"error":"refused: removing etcd3 leaves ...","needs_override":true}"#;
        let r = Reply::<Compacted>::from_text(412, override_needed);
        assert!(r.refusal.is_some_and(|e| e.needs_override));
    }
}
