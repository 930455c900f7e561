//! Unit tests of the REST client's pure parts; requests against a real
//! Patroni are in server/tests/patroni_rest.rs.

use super::*;

#[test]
fn base_url_drops_patroni() {
    for (api_url, base) in [
        ("http://h:8008/patroni", "http://h:8008"),
        ("http://h:8008/patroni/", "http://h:8008"),
        ("https://10.0.0.1:8008", "https://10.0.0.1:8008"),
        ("http://h:8008/", "http://h:8008"),
        (" http://h/proxy/patroni ", "http://h/proxy"),
    ] {
        assert_eq!(base_url(api_url).as_deref(), Ok(base), "{api_url}");
    }
}

#[test]
fn base_url_refuses_what_is_not_http() {
    for api_url in [
        "",
        "h:8008/patroni",
        "ftp://h/patroni",
        "file:///patroni",
        "http:///patroni",
        "http://h:8008/patroni?x=1",
    ] {
        assert!(base_url(api_url).is_err(), "{api_url}");
    }
    let err = base_url("http://u:s3cret@h:8008/patroni").expect_err("userinfo");
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn accepted_is_2xx() {
    let reply = |status| RestReply {
        url: "http://h/reload".into(),
        status,
        body: String::new(),
        error: None,
        timed_out: false,
    };
    assert!(reply(Some(200)).accepted());
    assert!(reply(Some(202)).accepted());
    assert!(!reply(Some(401)).accepted());
    assert!(!reply(Some(503)).accepted());
    assert!(!reply(None).accepted());
}

#[test]
fn unreadable_or_empty_ca_fails_naming_the_file() {
    // The default's CA, so no client without one is built: that would need
    // the process-wide TLS provider, which only the server installs.
    let with_ca = |path: &str| PatroniRestConfig {
        default: RestCredentials {
            cacert: Some(path.into()),
            ..RestCredentials::default()
        },
        ..PatroniRestConfig::default()
    };
    let err = PatroniRest::new(with_ca("/nonexistent/ca.pem")).expect_err("missing CA");
    assert!(
        err.contains("cannot read CA file /nonexistent/ca.pem"),
        "{err}"
    );

    let junk = std::env::temp_dir().join(format!("patrol-rest-{}-junk.pem", std::process::id()));
    std::fs::write(&junk, "not a certificate\n").expect("write junk");
    let err = PatroniRest::new(with_ca(&junk.to_string_lossy())).expect_err("junk CA");
    let _ = std::fs::remove_file(&junk);
    assert!(err.contains("no PEM certificate"), "{err}");
    assert!(err.contains(&*junk.to_string_lossy()), "{err}");
}
