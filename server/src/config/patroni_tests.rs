use super::*;

fn parse_ok(yaml: &str) -> FromPatroni {
    parse(yaml, Path::new("/etc/patroni")).expect("parses")
}

fn parse_err(yaml: &str) -> String {
    parse(yaml, Path::new("/etc/patroni")).expect_err("refused")
}

#[test]
fn hosts_as_a_list_or_a_string_with_protocol_and_port() {
    let p = parse_ok("scope: pg\nnamespace: /db/\netcd3:\n  hosts:\n  - 10.0.0.1:2379\n  - 10.0.0.2\n  port: 2399\n");
    assert_eq!(
        p.endpoints,
        ["http://10.0.0.1:2379", "http://10.0.0.2:2399"]
    );
    assert_eq!(p.endpoints_from, "etcd3.hosts");
    assert_eq!(p.namespace, "/db");
    assert_eq!(p.scope.as_deref(), Some("pg"));

    let p = parse_ok(
        "etcd3:\n  protocol: https\n  hosts: 'a.example:2379, b.example:2379,[::1]:2379,[::2]'\n",
    );
    assert_eq!(
        p.endpoints,
        [
            "https://a.example:2379",
            "https://b.example:2379",
            "https://[::1]:2379",
            "https://[::2]:2379"
        ]
    );
    assert_eq!(p.namespace, "/service", "Patroni's default namespace");
}

#[test]
fn host_url_and_proxy() {
    assert_eq!(
        parse_ok("etcd3:\n  host: 127.0.0.1\n").endpoints,
        ["http://127.0.0.1:2379"]
    );
    let p = parse_ok("etcd3:\n  url: https://patroni:s3cret@etcd.example:2390/\n");
    assert_eq!(p.endpoints, ["https://etcd.example:2390"]);
    let user = p.user.expect("the URL's login");
    assert_eq!(
        (user.name.as_str(), user.password.as_str()),
        ("patroni", "s3cret")
    );
    let p = parse_ok("etcd3:\n  proxy: http://proxy.example\n  hosts: [ignored:1]\n");
    assert_eq!(
        (p.endpoints_from, p.endpoints[0].as_str()),
        ("etcd3.proxy", "http://proxy.example:2379")
    );
}

#[test]
fn tls_files_and_logins() {
    let dir = std::env::temp_dir().join(format!("patrol-patroni-yml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in ["ca.pem", "client.pem", "rest-ca.pem"] {
        std::fs::write(dir.join(f), "pem").expect("write");
    }
    let yaml = "etcd3:\n  protocol: https\n  hosts: [e1:2379]\n  cacert: ca.pem\n  cert: client.pem\n  \
                username: patroni\n  password: 12345\nrestapi:\n  authentication:\n    username: rest\n    \
                password: r3st\n  cafile: rest-ca.pem\nctl:\n  certfile: client.pem\n  insecure: true\n";
    let p = parse(yaml, &dir).expect("parses");
    assert_eq!(p.cacert, Some(dir.join("ca.pem")));
    assert_eq!(p.cert, Some(dir.join("client.pem")));
    assert_eq!(
        p.key,
        Some(dir.join("client.pem")),
        "a cert without a key holds both"
    );
    let user = p.user.expect("etcd login");
    assert_eq!(
        (user.name.as_str(), user.password.as_str()),
        ("patroni", "12345")
    );
    let (rest, from) = p.rest_user.expect("REST login");
    assert_eq!(
        (rest.name.as_str(), rest.password.as_str(), from),
        ("rest", "r3st", "restapi.authentication")
    );
    assert_eq!(
        p.rest_cacert,
        Some((dir.join("rest-ca.pem"), "restapi.cafile"))
    );
    assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);

    // ctl's login and CA come before restapi's, as in patronictl.
    let yaml = "etcd3:\n  hosts: [e1:2379]\n  cacert: ca.pem\nrestapi:\n  auth: 'rest:r3st'\n  cafile: rest-ca.pem\n\
                ctl:\n  auth: 'ctl:c7l'\n  cacert: ca.pem\n";
    let p = parse(yaml, &dir).expect("parses");
    let (rest, from) = p.rest_user.expect("REST login");
    assert_eq!(
        (rest.name.as_str(), rest.password.as_str(), from),
        ("ctl", "c7l", "ctl.auth")
    );
    assert_eq!(p.rest_cacert, Some((dir.join("ca.pem"), "ctl.cacert")));
    // http endpoints: the TLS files are not used, and Patrol says so.
    assert_eq!(p.cacert, None);
    assert!(
        p.warnings[0].contains("protocol is http"),
        "{:?}",
        p.warnings
    );

    let err = parse(
        "etcd3:\n  protocol: https\n  hosts: [e1:2379]\n  cacert: missing.pem\n",
        &dir,
    )
    .expect_err("missing CA");
    assert!(err.starts_with("etcd3.cacert: cannot read"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refusals_name_the_key_and_never_a_password() {
    for (yaml, needle) in [
        ("etcd:\n  host: 127.0.0.1:2379\n", "v2 API"),
        ("consul:\n  host: 127.0.0.1:8500\n", "consul"),
        ("scope: x\n", "no etcd3 section"),
        ("etcd3:\n  srv: etcd.example\n", "etcd3.srv: DNS SRV"),
        ("etcd3:\n  protocol: http\n", "names no hosts"),
        ("etcd3:\n  hosts: {a: b}\n", "etcd3.hosts: expected a list"),
        ("etcd3:\n  hosts: [\"e1:notaport\"]\n", "etcd3.hosts:"),
        ("etcd3:\n  hosts: [e1]\n  port: 99999\n", "etcd3.port"),
        (
            "etcd3:\n  hosts: [e1]\n  username: u\n",
            "etcd3: needs both username and password",
        ),
        (
            "etcd3:\n  hosts: [e1]\n  password: TopSecret42\n",
            "etcd3: needs both",
        ),
        (
            "etcd3:\n  url: http://u@e1:2379\n",
            "etcd3.url: the URL's user info",
        ),
        (
            "etcd3:\n  hosts: [e1]\nrestapi:\n  auth: TopSecret42\n",
            "restapi.auth: expected user:password",
        ),
        (
            "etcd3:\n  hosts: [e1]\nnamespace: /\n",
            "namespace: must not be empty",
        ),
        ("etcd3: [\n", "not valid YAML"),
        ("- a\n- b\n", "not a YAML mapping"),
    ] {
        let err = parse_err(yaml);
        assert!(err.contains(needle), "{yaml:?}: {err}");
        assert!(!err.contains("TopSecret42"), "{err}");
    }
}
