//! Reading a `text/event-stream`: one parser, read either event by event
//! with a deadline (tests) or in a task of its own that stamps each event
//! with its arrival time (benchmarks).

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Bytes received so far, cut into events at each blank line.
#[derive(Default)]
pub struct Parser {
    buf: Vec<u8>,
}

impl Parser {
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// The next whole event as `(name, data as JSON)` (data that is not
    /// JSON comes as a string); keep-alive comments are skipped. `None`
    /// until a whole event has arrived.
    pub fn take_event(&mut self) -> Option<(String, Value)> {
        while let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = self.buf.drain(..end + 2).collect();
            let block = String::from_utf8_lossy(&block);
            let Some(name) = block.lines().find_map(|l| l.strip_prefix("event:")) else {
                continue; // keep-alive comment
            };
            let data: Vec<&str> = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            let data = data.join("\n");
            let data = serde_json::from_str(&data).unwrap_or(Value::String(data));
            return Some((name.trim().to_owned(), data));
        }
        None
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// Opens `url` with `http`, expecting `200 text/event-stream` within 10 s (a
/// server that never flushes must fail the test, not hang it).
async fn open(http: &reqwest::Client, url: &str) -> ByteStream {
    let resp = tokio::time::timeout(Duration::from_secs(10), http.get(url).send())
        .await
        .unwrap_or_else(|_| panic!("{url}: no response headers within 10 s"))
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200, "{url}");
    assert_eq!(resp.headers()["content-type"], "text/event-stream", "{url}");
    Box::pin(resp.bytes_stream())
}

/// A `text/event-stream` being read event by event.
pub struct Events {
    stream: ByteStream,
    parser: Parser,
}

impl Events {
    /// Opens `url` (see [`open`]).
    pub async fn open(url: &str) -> Events {
        Events {
            stream: open(&reqwest::Client::new(), url).await,
            parser: Parser::default(),
        }
    }

    /// The next event as `(name, data)`; `None` at `deadline` or when the
    /// stream ends.
    pub async fn next(&mut self, deadline: Instant) -> Option<(String, Value)> {
        loop {
            if let Some(event) = self.parser.take_event() {
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .expect("event stream chunk");
            self.parser.push(&chunk);
        }
    }
}

/// Events as `(name, data, arrival time)`.
pub type Timed = UnboundedReceiver<(String, Value, std::time::Instant)>;

/// Opens `url` and reads it in a task of its own, so events are timed as
/// they arrive rather than when the reader gets to them. Aborting the task
/// closes the stream.
pub async fn timed(http: &reqwest::Client, url: &str) -> (Timed, JoinHandle<()>) {
    let mut stream = open(http, url).await;
    let (tx, rx) = unbounded_channel();
    let reader = tokio::spawn(async move {
        let mut parser = Parser::default();
        while let Some(Ok(chunk)) = stream.next().await {
            let now = std::time::Instant::now();
            parser.push(&chunk);
            while let Some((name, data)) = parser.take_event() {
                let _ = tx.send((name, data, now));
            }
        }
    });
    (rx, reader)
}

/// The next timed event; panics after 10 s without one.
pub async fn next_timed(events: &mut Timed) -> (String, Value, std::time::Instant) {
    let next = tokio::time::timeout(Duration::from_secs(10), events.recv()).await;
    let next = next.expect("no SSE event within 10 s");
    next.expect("the event stream ended")
}
