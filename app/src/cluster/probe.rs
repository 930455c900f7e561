//! PostgreSQL's version is not in etcd: Patrol asks each member's Patroni
//! REST API (`GET <api_url>`, which is `.../patroni`) for `server_version`.
//! Answers are cached per member and refreshed in the background, so a
//! page never waits on a dead node and many viewers make one request.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::patroni::Cluster;

/// A member answers within this or is asked again later.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How long an answer is kept; the version only changes with a restart.
const KEEP: Duration = Duration::from_secs(60);
/// How long a failure is kept before asking again.
const KEEP_FAILURE: Duration = Duration::from_secs(10);

#[derive(Clone, Default)]
struct Entry {
    /// When the last answer (or failure) came; `None` before the first.
    at: Option<Instant>,
    version: Option<String>,
    in_flight: bool,
}

/// Shared version prober. Cheap to clone.
#[derive(Clone)]
pub struct VersionProbe {
    http: reqwest::Client,
    cache: Arc<Mutex<HashMap<String, Entry>>>,
}

impl VersionProbe {
    pub fn new() -> VersionProbe {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .build()
            .unwrap_or_else(|e| {
                tracing::warn!("REST client setup failed ({e}); using defaults");
                reqwest::Client::new()
            });
        VersionProbe {
            http,
            cache: Arc::default(),
        }
    }

    /// The PostgreSQL versions known now, by member name; members whose
    /// answer is missing or stale are asked again in the background.
    pub fn versions(&self, cluster: &Cluster) -> BTreeMap<String, String> {
        let mut known = BTreeMap::new();
        let Ok(mut cache) = self.cache.lock() else {
            return known;
        };
        for m in &cluster.members {
            let Some(url) = m.api_url.clone() else {
                continue;
            };
            let entry = cache.entry(url.clone()).or_default();
            if let Some(v) = &entry.version {
                known.insert(m.name.clone(), v.clone());
            }
            let keep = if entry.version.is_some() {
                KEEP
            } else {
                KEEP_FAILURE
            };
            let fresh = entry.at.is_some_and(|at| at.elapsed() < keep);
            if entry.in_flight || fresh {
                continue;
            }
            entry.in_flight = true;
            let (http, cache) = (self.http.clone(), self.cache.clone());
            tokio::spawn(async move {
                let version = ask(&http, &url).await;
                if let Ok(mut c) = cache.lock() {
                    c.insert(
                        url,
                        Entry {
                            at: Some(Instant::now()),
                            version,
                            in_flight: false,
                        },
                    );
                }
            });
        }
        known
    }
}

impl Default for VersionProbe {
    fn default() -> Self {
        VersionProbe::new()
    }
}

async fn ask(http: &reqwest::Client, url: &str) -> Option<String> {
    let resp = http.get(url).send().await.ok()?;
    let body: serde_json::Value = resp.json().await.ok()?;
    body.get("server_version")
        .and_then(serde_json::Value::as_u64)
        .map(version_text)
}

/// `150010` → `15.10`; `90624` → `9.6.24`.
pub fn version_text(v: u64) -> String {
    if v >= 100_000 {
        format!("{}.{}", v / 10_000, v % 10_000)
    } else {
        format!("{}.{}.{}", v / 10_000, v / 100 % 100, v % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::version_text;

    #[test]
    fn server_versions() {
        assert_eq!(version_text(150010), "15.10");
        assert_eq!(version_text(170002), "17.2");
        assert_eq!(version_text(90624), "9.6.24");
    }
}
