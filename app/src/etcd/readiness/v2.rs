//! What etcd's HTTP side tells, asked only at the endpoints the operator
//! configured (never at URLs learned from etcd's member list) and only
//! over plain `http://`: the cluster version (`GET /version`) and whether
//! the v2 API is on and holds keys (`GET /v2/keys/?recursive=true`).

use std::time::Duration;

use serde_json::Value;

use super::V2Store;

/// Each request's time limit.
const TIMEOUT: Duration = Duration::from_millis(1500);
/// How much of a v2 listing is read; past it the count is a lower bound.
const BODY_CAP: usize = 1 << 20;

/// What the HTTP side said.
pub(super) struct Http {
    pub cluster_version: Option<String>,
    pub v2: V2Store,
}

/// Asks the configured endpoints in turn until one answers.
pub(super) async fn probe(endpoints: &[String]) -> Http {
    let plain: Vec<&String> = endpoints
        .iter()
        .filter(|e| e.starts_with("http://"))
        .collect();
    if plain.is_empty() {
        return Http {
            cluster_version: None,
            v2: V2Store::NotChecked {
                why: "Patrol asks the v2 API over plain http:// endpoints only".into(),
            },
        };
    }
    let http = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            return Http {
                cluster_version: None,
                v2: V2Store::NotChecked {
                    why: format!("no HTTP client: {e}"),
                },
            }
        }
    };
    let mut last = String::from("no endpoint answered");
    for endpoint in plain {
        let base = endpoint.trim_end_matches('/');
        match v2_state(&http, base).await {
            Ok(v2) => {
                return Http {
                    cluster_version: cluster_version(&http, base).await,
                    v2,
                }
            }
            Err(e) => last = format!("{base}: {e}"),
        }
    }
    Http {
        cluster_version: None,
        v2: V2Store::NotChecked { why: last },
    }
}

/// `etcdcluster` of `GET /version`.
async fn cluster_version(http: &reqwest::Client, base: &str) -> Option<String> {
    let resp = http.get(format!("{base}/version")).send().await.ok()?;
    let (body, _) = read_capped(resp, 4096).await.ok()?;
    let body: Value = serde_json::from_slice(&body).ok()?;
    let version = body.get("etcdcluster")?.as_str()?;
    // Shown on the page: a version, nothing else.
    let plausible = version.len() <= 32 && version.chars().all(|c| c.is_ascii_digit() || c == '.');
    plausible.then(|| version.to_owned())
}

/// 404 means the v2 API is off; a listing is counted.
async fn v2_state(http: &reqwest::Client, base: &str) -> Result<V2Store, String> {
    let endpoint = base.to_owned();
    let resp = http
        .get(format!("{base}/v2/keys/?recursive=true"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match resp.status().as_u16() {
        404 => return Ok(V2Store::Off { endpoint }),
        200 => {}
        other => return Err(format!("/v2/keys answered HTTP {other}")),
    }
    let (body, more) = read_capped(resp, BODY_CAP).await?;
    if more {
        let keys = count_keys_in_text(&body);
        return Ok(V2Store::Data {
            endpoint,
            keys,
            more,
        });
    }
    let listing: Value =
        serde_json::from_slice(&body).map_err(|e| format!("/v2/keys is not JSON: {e}"))?;
    Ok(match count_nodes(listing.get("node")) {
        0 => V2Store::Empty { endpoint },
        keys => V2Store::Data {
            endpoint,
            keys,
            more,
        },
    })
}

/// At most `cap` bytes of the body, and whether there was more.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<(Vec<u8>, bool), String> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > cap {
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Keys and directories below a v2 node (not counting the node itself).
pub(super) fn count_nodes(node: Option<&Value>) -> u64 {
    let Some(children) = node.and_then(|n| n.get("nodes")).and_then(Value::as_array) else {
        return 0;
    };
    children.iter().map(|c| 1 + count_nodes(Some(c))).sum()
}

/// A lower bound on the keys in a listing cut short: each node has one
/// `"key":` field.
fn count_keys_in_text(body: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(body);
    // The root node has a "key" only when it is not the root listing.
    text.matches("\"key\":").count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v2_listing_counts_every_key_and_directory_below_the_root() {
        let listing: Value = serde_json::from_str(
            r#"{"action":"get","node":{"dir":true,"nodes":[
                {"key":"/a","value":"1","modifiedIndex":4,"createdIndex":4},
                {"key":"/d","dir":true,"nodes":[{"key":"/d/x","value":"2"}]},
                {"key":"/e","dir":true}
            ]}}"#,
        )
        .expect("json");
        assert_eq!(count_nodes(listing.get("node")), 4);
        let empty: Value =
            serde_json::from_str(r#"{"action":"get","node":{"dir":true}}"#).expect("json");
        assert_eq!(count_nodes(empty.get("node")), 0);
        assert_eq!(count_nodes(None), 0);
        assert_eq!(count_keys_in_text(br#"[{"key":"/a"},{"key":"/b""#), 2);
    }
}
