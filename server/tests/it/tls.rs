//! TLS-only etcd with client certificates, as Pigsty-style deployments run it.
//! Certificates are made by the test with openssl.

use std::time::Duration;

use crate::common::pki::{issue, Pki};
use crate::common::{etcdctl, free_port, Etcd, Patrol};

/// The CAs and the server certificate, and a client certificate from `ca`.
fn pki() -> Pki {
    let pki = Pki::new("tls");
    issue(pki.dir.path(), "ca", "client", None);
    pki
}

fn tls_etcd(pki: &Pki) -> Etcd {
    let endpoint = format!("https://127.0.0.1:{}", free_port());
    let etcd = Etcd::launch(
        pki.dir.path(),
        endpoint,
        vec![
            format!("--cert-file={}", pki.file("server.pem")),
            format!("--key-file={}", pki.file("server.key")),
            format!("--trusted-ca-file={}", pki.file("ca.pem")),
            "--client-cert-auth".to_owned(),
        ],
    );
    let tls = [
        format!("--cacert={}", pki.file("ca.pem")),
        format!("--cert={}", pki.file("client.pem")),
        format!("--key={}", pki.file("client.key")),
    ];
    etcdctl(
        &etcd.endpoint,
        &tls,
        &["put", "/pg/tls-demo/leader", "tls-1"],
    );
    etcdctl(
        &etcd.endpoint,
        &tls,
        &[
            "put",
            "/pg/tls-demo/members/tls-1",
            r#"{"conn_url":"postgres://127.0.0.1:5999/postgres","api_url":"http://127.0.0.1:8999/patroni","state":"running","role":"primary","timeline":3}"#,
        ],
    );
    etcd
}

/// Patrol on `etcd` with the client certificate, trusting the CA in `ca`.
fn with_client_certificate(pki: &Pki, etcd: &Etcd, ca: &str) -> Patrol {
    let (ca, cert, key) = (pki.file(ca), pki.file("client.pem"), pki.file("client.key"));
    let endpoint = etcd.endpoint.as_str();
    Patrol::start(&[
        "--endpoints",
        endpoint,
        "--cacert",
        &ca,
        "--cert",
        &cert,
        "--key",
        &key,
    ])
}

#[tokio::test]
async fn connects_with_cacert_cert_and_key() {
    let pki = pki();
    let etcd = tls_etcd(&pki);
    let patrol = with_client_certificate(&pki, &etcd, "ca.pem");
    patrol.wait_reachable(Duration::from_secs(10)).await;
    let clusters = patrol.json("/api/v1/clusters").await;
    assert_eq!(clusters[0]["scope"], "tls-demo", "{clusters}");
    assert_eq!(clusters[0]["leader"], "tls-1");
    assert_eq!(clusters[0]["members"][0]["timeline"], 3);
}

/// The error Patrol reports for its etcd once it has one (15 s at most).
async fn etcd_error(patrol: &Patrol) -> String {
    let health = patrol
        .wait_health(Duration::from_secs(15), |h| !h["etcd"]["error"].is_null())
        .await;
    assert_eq!(health["etcd"]["reachable"], false);
    let error = health["etcd"]["error"].as_str().unwrap_or_default();
    error.to_owned()
}

#[tokio::test]
async fn a_wrong_ca_is_named_as_the_cause() {
    let pki = pki();
    let etcd = tls_etcd(&pki);
    let patrol = with_client_certificate(&pki, &etcd, "other-ca.pem");
    let error = etcd_error(&patrol).await;
    assert!(
        error.contains("not signed by the CA given with --cacert"),
        "{error}"
    );
    assert!(
        patrol.log().contains("--cacert"),
        "the log says it too:\n{}",
        patrol.log()
    );
}

#[tokio::test]
async fn a_missing_client_certificate_is_refused_plainly() {
    let pki = pki();
    let etcd = tls_etcd(&pki);
    let ca = pki.file("ca.pem");
    let patrol = Patrol::start(&["--endpoints", &etcd.endpoint, "--cacert", &ca]);
    let error = etcd_error(&patrol).await;
    // Depending on timing etcd's refusal arrives as an alert or as a closed
    // connection; either way the operator is pointed at --cert/--key.
    assert!(
        error.starts_with("TLS: etcd") && error.contains("--cert/--key"),
        "{error}"
    );
}
