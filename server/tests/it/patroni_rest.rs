//! The Patroni REST client against the real test bed, whose mycluster
//! (namespace /db) wants basic auth for unsafe requests and pg-meta (/pg)
//! does not; plus a few hostile endpoints made up here. Start the test bed
//! with end2end/testbed/start.sh; it writes the credentials file used here.

use crate::common;

use std::time::{Duration, Instant};

use app::patroni::rest::{PatroniRest, PatroniRestConfig, RestCredentials, BODY_CAP};
use common::testbed::{patroni_rest_file, rest_url};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The client as Patrol runs it against the test bed.
fn configured() -> PatroniRest {
    common::install_tls_provider();
    let path = patroni_rest_file();
    let config = PatroniRestConfig::from_file(path.as_ref())
        .unwrap_or_else(|e| panic!("{e} (run end2end/testbed/start.sh)"));
    PatroniRest::new(config).expect("client")
}

fn without(config: PatroniRestConfig) -> PatroniRest {
    common::install_tls_provider();
    PatroniRest::new(config).expect("client")
}

/// The `n`th member of each test bed cluster: namespace, scope, member
/// name and its Patroni API URL.
fn members(n: u8) -> [(&'static str, &'static str, String, String); 2] {
    [("/db", "mycluster"), ("/pg", "pg-meta")].map(|(namespace, scope)| {
        let member = format!("{scope}-{n}");
        let api_url = format!("{}/patroni", rest_url(&member));
        (namespace, scope, member, api_url)
    })
}

#[tokio::test]
async fn status_of_live_members() {
    let rest = configured();
    for (namespace, scope, member, api_url) in members(1) {
        let status = rest
            .status(namespace, scope, &api_url)
            .await
            .expect(&member);
        assert!(status["state"].is_string(), "{member}: {status}");
        assert_eq!(status["patroni"]["scope"], scope, "{status}");
    }
}

#[tokio::test]
async fn status_of_a_closed_port_says_so_quickly() {
    let rest = configured();
    let api_url = format!("http://127.0.0.1:{}/patroni", common::free_port());
    let t0 = Instant::now();
    let err = rest
        .status("/db", "mycluster", &api_url)
        .await
        .expect_err("closed port");
    assert_eq!(err, "connection refused");
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn reload_with_credentials_is_accepted() {
    let rest = configured();
    for (namespace, scope, member, api_url) in members(2) {
        let reply = rest
            .send(namespace, scope, &api_url, Method::POST, "/reload", None)
            .await;
        assert_eq!(reply.status, Some(202), "{member}: {reply:?}");
        assert!(reply.accepted() && reply.error.is_none(), "{reply:?}");
        assert_eq!(reply.url, format!("{}/reload", rest_url(&member)));
    }
}

#[tokio::test]
async fn reload_without_or_with_wrong_credentials_is_refused() {
    let api_url = format!("{}/patroni", rest_url("mycluster-1"));
    let wrong = RestCredentials {
        username: Some("patrol-rest".into()),
        password: Some("not-the-password".into()),
        cacert: None,
    };
    for (rest, body) in [
        (
            without(PatroniRestConfig::default()),
            "no auth header received",
        ),
        (
            without(PatroniRestConfig {
                default: wrong,
                ..Default::default()
            }),
            "not authenticated",
        ),
    ] {
        let reply = rest
            .send("/db", "mycluster", &api_url, Method::POST, "/reload", None)
            .await;
        assert_eq!(reply.status, Some(401), "{reply:?}");
        assert_eq!(reply.body, body);
        assert!(!reply.accepted() && reply.error.is_none(), "{reply:?}");
    }
}

#[tokio::test]
async fn unreadable_ca_fails_start_up_naming_the_file() {
    common::install_tls_provider();
    let dir = common::TempDir::new("patroni-rest-ca");
    let mut config = PatroniRestConfig::default();
    for (key, ca) in [
        ("/db/mycluster", "/nonexistent/patroni-ca.pem".into()),
        ("/pg", dir.path().to_path_buf()),
    ] {
        config.clusters = [(
            key.to_owned(),
            RestCredentials {
                cacert: Some(ca),
                ..Default::default()
            },
        )]
        .into();
        let err = PatroniRest::new(config.clone()).expect_err("bad CA");
        let shown = config.clusters[key].cacert.clone().unwrap_or_default();
        assert!(err.contains(&*shown.to_string_lossy()), "{err}");
    }
}

/// A made-up endpoint answering every request with `response` (or never,
/// when it is `None`), for what Patroni itself does not do.
async fn fake(response: Option<Vec<u8>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                match response {
                    Some(r) => {
                        let _ = conn.write_all(&r).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    format!("http://{addr}/patroni")
}

fn http(status: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

#[tokio::test]
async fn hostile_endpoints_are_contained() {
    let rest = without(PatroniRestConfig::default());

    let huge = fake(Some(http("200 OK", &vec![b'x'; 1 << 20]))).await;
    let reply = rest
        .send("/pg", "x", &huge, Method::POST, "/restart", None)
        .await;
    assert_eq!(reply.body.len(), BODY_CAP, "{:?}", reply.status);
    assert!(reply.accepted());

    let busy = fake(Some(http(
        "503 Service Unavailable",
        b"{\"state\":\"starting\"}",
    )))
    .await;
    let err = rest.status("/pg", "x", &busy).await.expect_err("503");
    assert_eq!(err, "HTTP 503: {\"state\":\"starting\"}");

    let html = fake(Some(http("200 OK", b"<html>"))).await;
    let err = rest.status("/pg", "x", &html).await.expect_err("not JSON");
    assert!(err.starts_with("not JSON: "), "{err}");

    let silent = fake(None).await;
    let t0 = Instant::now();
    let err = rest.status("/pg", "x", &silent).await.expect_err("silent");
    assert_eq!(err, "timed out after 2 s");
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());

    let reply = rest
        .send("/pg", "x", "ftp://h/patroni", Method::POST, "/reload", None)
        .await;
    assert!(reply.status.is_none() && reply.error.is_some(), "{reply:?}");
}
