//! TLS-only etcd with client certificates, as Pigsty-style deployments run it.
//! Certificates are made by the test with openssl.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{etcdctl, free_port, Etcd, Patrol, TempDir};

fn openssl(dir: &Path, args: &[&str]) {
    common::succeed(Command::new("openssl").current_dir(dir).args(args));
}

/// A CA, then a certificate for `name` signed by it (`san` for servers).
fn issue(dir: &Path, ca: &str, name: &str, san: Option<&str>) {
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    let ext = dir.join(format!("{name}.ext"));
    let usage = if san.is_some() {
        "serverAuth,clientAuth"
    } else {
        "clientAuth"
    };
    let mut text = format!("extendedKeyUsage={usage}\n");
    if let Some(san) = san {
        text.push_str(&format!("subjectAltName={san}\n"));
    }
    std::fs::write(&ext, text).expect("write ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-subj",
            &format!("/CN={name}"),
        ],
    );
}

struct Pki {
    dir: TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = TempDir::new("tls");
        make_ca(dir.path(), "ca");
        make_ca(dir.path(), "other-ca");
        issue(
            dir.path(),
            "ca",
            "server",
            Some("IP:127.0.0.1,DNS:localhost"),
        );
        issue(dir.path(), "ca", "client", None);
        Pki { dir }
    }
    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
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
    let pki = Pki::new();
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
    let pki = Pki::new();
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
    let pki = Pki::new();
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
