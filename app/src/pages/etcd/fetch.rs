//! The etcd admin routes live in the `server` crate, not behind server
//! functions, so the panel calls `/api/v1/etcd/...` itself: `fetch` with
//! JSON and the session cookie (`credentials: same-origin`; the browser
//! adds the `Origin` header a cookie-authenticated mutation needs).

use leptos::prelude::*;
use serde_json::Value;

/// What a route answered: its HTTP status (0 when there was no answer or
/// it is unknown) and its body, JSON when it was JSON, else the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// A 2xx answer.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The route's `{"error": ...}` in its own words, if it refused.
    pub fn error(&self) -> Option<String> {
        if self.ok() {
            return None;
        }
        Some(match &self.body {
            Value::Object(map) => match map.get("error") {
                Some(Value::String(e)) => e.clone(),
                _ => self.body.to_string(),
            },
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    /// An answer that never came.
    pub fn failed(why: impl Into<String>) -> Answer {
        Answer {
            status: 0,
            body: serde_json::json!({ "error": why.into() }),
        }
    }

    /// A body as received: JSON if it parses, else the text itself.
    pub fn from_text(status: u16, text: &str) -> Answer {
        let body = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
        Answer { status, body }
    }
}

/// One request a dialog sends, and what came back.
#[derive(Clone, Copy)]
pub struct Call {
    pub pending: RwSignal<bool>,
    pub answer: RwSignal<Option<Answer>>,
}

impl Default for Call {
    fn default() -> Call {
        Call {
            pending: RwSignal::new(false),
            answer: RwSignal::new(None),
        }
    }
}

impl Call {
    /// Sends `method path` with `body` as JSON; the answer lands in
    /// `self.answer`.
    pub fn send(self, method: &'static str, path: String, body: Option<Value>) {
        self.pending.set(true);
        self.answer.set(None);
        leptos::task::spawn_local(async move {
            let answer = send(method, &path, body.as_ref()).await;
            self.answer.set(Some(answer));
            self.pending.set(false);
        });
    }

    /// The answer, when it is a success.
    pub fn accepted(self) -> Option<Answer> {
        self.answer.get().filter(Answer::ok)
    }
}

/// `method path` with `body` as JSON, from the browser.
#[cfg(feature = "hydrate")]
pub async fn send(method: &str, path: &str, body: Option<&Value>) -> Answer {
    match browser::fetch(method, path, body).await {
        Ok(answer) => answer,
        Err(e) => Answer::failed(format!("no answer from Patrol: {e}")),
    }
}

/// The server renders the panel but never sends its requests.
#[cfg(not(feature = "hydrate"))]
pub async fn send(_method: &str, _path: &str, _body: Option<&Value>) -> Answer {
    Answer::failed("requests are sent from the browser")
}

#[cfg(feature = "hydrate")]
pub mod browser {
    use serde_json::Value;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{Headers, RequestCredentials, RequestInit, Response};

    use super::Answer;

    pub(super) async fn fetch(
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
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
            init.set_body(&JsValue::from_str(&body.to_string()));
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
        Ok(Answer::from_text(response.status(), &body))
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

    #[test]
    fn refusals_read_in_the_routes_words() {
        let a = Answer::from_text(
            409,
            r#"{"error":"conflict: etcd is compacted up to revision 9 already"}"#,
        );
        assert!(!a.ok());
        assert_eq!(
            a.error().as_deref(),
            Some("conflict: etcd is compacted up to revision 9 already")
        );
        let html = Answer::from_text(404, "<h1>Not found</h1>");
        assert_eq!(html.error().as_deref(), Some("<h1>Not found</h1>"));
        let done = Answer::from_text(200, r#"{"revision":5}"#);
        assert!(done.ok() && done.error().is_none());
        assert_eq!(Answer::failed("offline").status, 0);
    }
}
