//! `--patroni-config`: what `patronictl -c` takes from Patroni's YAML file,
//! so a DBA points Patrol at the file they already have. From `etcd3`:
//! `hosts` (a list or a comma-separated string), `host`, `url` or `proxy`,
//! with `protocol` and `port`; `cacert`, `cert`, `key`; `username` and
//! `password` (or a URL's user info). From the top: `namespace` (Patroni's
//! default `/service`). For the REST API, as patronictl: `ctl.authentication`
//! else `restapi.authentication` (or their `auth: user:password`), and
//! `ctl.cacert` else `restapi.cafile`.
//!
//! It only fills what flags, variables and `--config` keys leave unset.
//! Relative paths are taken from the YAML file's directory. Patroni's
//! `PATRONI_*` environment variables are not read. Errors name the file and
//! the YAML key, never a password.

use std::path::{Path, PathBuf};

use app::etcd::EtcdUser;
use app::patroni::rest::RestCredentials;
use clap::parser::ValueSource;
use clap::ArgMatches;
use yaml_rust2::{Yaml, YamlLoader};

use super::{parse_endpoint, readable_file, Config, Origin, PatroniUser};

/// What a Patroni configuration says, in Patrol's terms.
#[derive(Debug, Default)]
pub(super) struct FromPatroni {
    pub endpoints: Vec<String>,
    /// The YAML key the endpoints came from (`etcd3.hosts`).
    pub endpoints_from: &'static str,
    pub cacert: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub user: Option<EtcdUser>,
    pub namespace: String,
    pub scope: Option<String>,
    pub rest_user: Option<(PatroniUser, &'static str)>,
    pub rest_cacert: Option<(PathBuf, &'static str)>,
    pub warnings: Vec<String>,
}

/// Reads `path`; the error names the file and the key at fault.
pub(super) fn read(path: &Path) -> Result<FromPatroni, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, dir).map_err(|e| format!("{shown}: {e}"))
}

fn parse(text: &str, dir: &Path) -> Result<FromPatroni, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    let top = docs
        .first()
        .filter(|d| d.as_hash().is_some())
        .ok_or("not a YAML mapping")?;
    let etcd = &top["etcd3"];
    if etcd.as_hash().is_none() {
        return Err(missing_etcd3(top));
    }
    let mut p = FromPatroni::default();
    let protocol = scalar(etcd, "etcd3.protocol")?.unwrap_or_else(|| "http".into());
    let port = match &etcd["port"] {
        Yaml::BadValue | Yaml::Null => 2379,
        Yaml::Integer(n) => u16::try_from(*n).map_err(|_| "etcd3.port: not a port number")?,
        Yaml::String(s) => s.parse().map_err(|_| "etcd3.port: not a port number")?,
        _ => return Err("etcd3.port: not a port number".into()),
    };
    let mut url_user = None;
    let url_key = ["proxy", "url"]
        .into_iter()
        .find(|k| !etcd[*k].is_badvalue());
    if let Some(k) = url_key {
        p.endpoints_from = if k == "proxy" {
            "etcd3.proxy"
        } else {
            "etcd3.url"
        };
        let url = scalar(etcd, p.endpoints_from)?.unwrap_or_default();
        let (endpoint, user) = split_url(&url).map_err(|e| format!("{}: {e}", p.endpoints_from))?;
        p.endpoints.push(endpoint);
        url_user = user;
    } else if let Some(k) = ["srv", "srv_suffix", "discovery_srv", "srv_domain"]
        .into_iter()
        .find(|k| !etcd[*k].is_badvalue())
    {
        return Err(format!(
            "etcd3.{k}: DNS SRV discovery is not supported; give etcd's client URLs with --endpoints"
        ));
    } else if !etcd["hosts"].is_badvalue() {
        p.endpoints_from = "etcd3.hosts";
        let hosts = match &etcd["hosts"] {
            Yaml::String(s) => s.split(',').map(str::to_owned).collect(),
            Yaml::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or("etcd3.hosts: expected host:port strings")
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err("etcd3.hosts: expected a list or a comma-separated string".into()),
        };
        for host in hosts.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
            p.endpoints
                .push(with_port(&protocol, host, port).map_err(|e| format!("etcd3.hosts: {e}"))?);
        }
    } else if let Some(host) = scalar(etcd, "etcd3.host")? {
        p.endpoints_from = "etcd3.host";
        p.endpoints
            .push(with_port(&protocol, host.trim(), port).map_err(|e| format!("etcd3.host: {e}"))?);
    }
    if p.endpoints.is_empty() {
        return Err("etcd3 names no hosts, host, url or proxy".into());
    }
    for endpoint in &mut p.endpoints {
        *endpoint = parse_endpoint(endpoint).map_err(|e| format!("{}: {e}", p.endpoints_from))?;
    }

    let file = |key: &'static str| -> Result<Option<PathBuf>, String> {
        let Some(value) = scalar(top_or(etcd, top, key), key)? else {
            return Ok(None);
        };
        let path = dir.join(value);
        readable_file(&path.to_string_lossy()).map_err(|e| format!("{key}: {e}"))?;
        Ok(Some(path))
    };
    let tls = p.endpoints.iter().all(|e| e.starts_with("https://"));
    let (cacert, cert, key) = (
        file("etcd3.cacert")?,
        file("etcd3.cert")?,
        file("etcd3.key")?,
    );
    if tls {
        p.cacert = cacert;
        // Patroni takes a cert without a key as one PEM holding both.
        p.key = key.or_else(|| cert.clone());
        p.cert = cert;
    } else if cacert.is_some() || cert.is_some() {
        p.warnings.push(format!(
            "etcd3's TLS files are not used: etcd3.protocol is {protocol}, not https"
        ));
    }
    p.user = match url_user {
        Some(user) => Some(user),
        None => login(etcd, "etcd3")?.map(|(name, password)| EtcdUser { name, password }),
    };

    let namespace = scalar(top, "namespace")?.unwrap_or_else(|| "/service".into());
    p.namespace =
        app::patroni::normalize_namespace(&namespace).ok_or("namespace: must not be empty")?;
    p.scope = scalar(top, "scope")?;

    let ctl = &top["ctl"];
    let restapi = &top["restapi"];
    p.rest_user = match login(&ctl["authentication"], "ctl.authentication")? {
        Some(l) => Some((l, "ctl.authentication")),
        None => match auth_string(ctl, "ctl.auth")? {
            Some(l) => Some((l, "ctl.auth")),
            None => match login(&restapi["authentication"], "restapi.authentication")? {
                Some(l) => Some((l, "restapi.authentication")),
                None => auth_string(restapi, "restapi.auth")?.map(|l| (l, "restapi.auth")),
            },
        },
    }
    .map(|((name, password), from)| (PatroniUser { name, password }, from));
    p.rest_cacert = match file("ctl.cacert")? {
        Some(ca) => Some((ca, "ctl.cacert")),
        None => file("restapi.cafile")?.map(|ca| (ca, "restapi.cafile")),
    };
    if !ctl["certfile"].is_badvalue() {
        p.warnings.push("ctl.certfile is not used: Patrol presents no client certificate to Patroni's REST API, so admin actions fail where Patroni requires one".into());
    }
    if ctl["insecure"].as_bool() == Some(true) {
        p.warnings
            .push("ctl.insecure is not used: Patrol always verifies Patroni's certificate".into());
    }
    Ok(p)
}

/// The section a dotted key lives in: `etcd3.cacert` in `etcd3`, `ctl.cacert`
/// in `ctl`, and so on.
fn top_or<'a>(etcd: &'a Yaml, top: &'a Yaml, key: &str) -> &'a Yaml {
    match key.split_once('.') {
        Some(("etcd3", _)) => etcd,
        Some((section, _)) => &top[section],
        None => top,
    }
}

/// A scalar at the last part of `key` in `section`, as text.
fn scalar(section: &Yaml, key: &str) -> Result<Option<String>, String> {
    let last = key.rsplit('.').next().unwrap_or(key);
    match &section[last] {
        Yaml::BadValue | Yaml::Null => Ok(None),
        Yaml::String(s) => Ok(Some(s.clone())),
        Yaml::Integer(n) => Ok(Some(n.to_string())),
        Yaml::Real(r) => Ok(Some(r.clone())),
        Yaml::Boolean(b) => Ok(Some(b.to_string())),
        _ => Err(format!("{key}: expected a single value")),
    }
}

/// `username` and `password` in `section`; both or neither.
fn login(section: &Yaml, name: &str) -> Result<Option<(String, String)>, String> {
    let user = scalar(section, "username")?;
    let password = scalar(section, "password")
        .map_err(|_| format!("{name}.password: expected a single value"))?;
    match (user, password) {
        (Some(u), Some(p)) if !u.is_empty() => Ok(Some((u, p))),
        (None, None) => Ok(None),
        _ => Err(format!("{name}: needs both username and password")),
    }
}

/// `auth: user:password`.
fn auth_string(section: &Yaml, key: &str) -> Result<Option<(String, String)>, String> {
    let Some(auth) =
        scalar(section, "auth").map_err(|_| format!("{key}: expected user:password"))?
    else {
        return Ok(None);
    };
    match auth.split_once(':') {
        Some((u, p)) if !u.is_empty() => Ok(Some((u.to_owned(), p.to_owned()))),
        _ => Err(format!("{key}: expected user:password")),
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port` as a URL, with `port` when it has none.
fn with_port(protocol: &str, host: &str, port: u16) -> Result<String, String> {
    let bare = host
        .strip_prefix('[')
        .map_or(host, |h| h.rsplit_once(']').map_or(h, |(_, rest)| rest));
    match bare.rsplit_once(':') {
        None => Ok(format!("{protocol}://{host}:{port}")),
        Some((h, p)) if !h.contains(':') || host.starts_with('[') => {
            p.parse::<u16>()
                .map_err(|_| format!("'{p}' is not a port number"))?;
            Ok(format!("{protocol}://{host}"))
        }
        Some(_) => Err("write IPv6 addresses in brackets, as [::1]:2379".into()),
    }
}

/// `scheme://[user:password@]host[:port]` as an endpoint and its login.
fn split_url(url: &str) -> Result<(String, Option<EtcdUser>), String> {
    let (scheme, rest) = url.split_once("://").ok_or("expected scheme://host:port")?;
    let rest = rest.trim_end_matches('/');
    let (user, host) = match rest.rsplit_once('@') {
        Some((info, host)) => match info.split_once(':') {
            Some((name, password)) if !name.is_empty() => (
                Some(EtcdUser {
                    name: name.to_owned(),
                    password: password.to_owned(),
                }),
                host,
            ),
            _ => return Err("the URL's user info must be user:password".into()),
        },
        None => (None, rest),
    };
    Ok((with_port(scheme, host, 2379)?, user))
}

fn missing_etcd3(top: &Yaml) -> String {
    if !top["etcd"].is_badvalue() {
        return "its etcd section is for etcd's v2 API; Patrol reads Patroni's keys through the v3 API, which Patroni uses with an etcd3 section".into();
    }
    for dcs in ["consul", "zookeeper", "exhibitor", "kubernetes", "raft"] {
        if !top[dcs].is_badvalue() {
            return format!("Patroni keeps its state in {dcs} here; Patrol reads it from etcd (an etcd3 section)");
        }
    }
    "no etcd3 section".into()
}

/// Fills from `path` what flags, variables and the `--config` file left at
/// their defaults, noting each in `origins`; returns what goes unused.
pub(super) fn apply(
    config: &mut Config,
    matches: &ArgMatches,
    path: &Path,
    origins: &mut Vec<Origin>,
) -> Result<Vec<String>, String> {
    let p = read(path)?;
    let unset = |id: &str| {
        matches!(
            matches.value_source(id),
            None | Some(ValueSource::DefaultValue)
        )
    };
    let mut note = |key: &str, value: String, from: &str| {
        let origin = Origin {
            key: key.to_owned(),
            value,
            source: format!("--patroni-config {} ({from})", path.display()),
        };
        match origins.iter_mut().find(|o| o.key == key) {
            Some(o) => *o = origin,
            None => origins.push(origin),
        }
    };
    if unset("endpoints") {
        note("endpoints", p.endpoints.join(","), p.endpoints_from);
        config.endpoints = p.endpoints;
    }
    // TLS files only where the endpoints Patrol ends up with are https.
    let tls = config.endpoints.iter().all(|e| e.starts_with("https://"));
    if tls && unset("cacert") {
        if let Some(ca) = p.cacert {
            note("cacert", ca.display().to_string(), "etcd3.cacert");
            config.cacert = Some(ca);
        }
    }
    if tls && unset("cert") && unset("key") {
        if let (Some(cert), Some(key)) = (p.cert, p.key) {
            note("cert", cert.display().to_string(), "etcd3.cert");
            note("key", key.display().to_string(), "etcd3.key");
            config.cert = Some(cert);
            config.key = Some(key);
        }
    }
    if unset("user") && unset("user_file") {
        if let Some(user) = p.user {
            note(
                "user",
                format!("{}:(hidden)", user.name),
                "etcd3.username, etcd3.password",
            );
            config.user = Some(user);
        }
    }
    if unset("namespaces") {
        note("namespace", p.namespace.clone(), "namespace");
        config.namespaces = vec![p.namespace];
    }
    let mut rest = RestCredentials::default();
    if let Some((user, from)) = p.rest_user {
        if unset("patroni_user") && unset("patroni_user_file") {
            note("patroni_user", format!("{}:(hidden)", user.name), from);
            rest.username = Some(user.name);
            rest.password = Some(user.password);
        }
    }
    if let Some((ca, from)) = p.rest_cacert {
        if unset("patroni_cacert") {
            note("patroni_cacert", ca.display().to_string(), from);
            rest.cacert = Some(ca);
        }
    }
    config.patroni_config_rest = rest;
    Ok(p.warnings)
}

#[cfg(test)]
#[path = "patroni_tests.rs"]
mod tests;
