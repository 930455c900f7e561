//! The real `patrol` binary's answers: security headers on pages, API
//! answers, event streams and 404s, and the site built into the binary
//! (content-hashed names, gzip and brotli, long caching). Needs the site
//! built in (end2end/build.sh) and the test bed's etcd (read only).

use crate::common;

use std::io::Read;
use std::time::Duration;

use common::{testbed_endpoints, Patrol, TempDir};
use reqwest::header::{HeaderMap, ACCEPT_ENCODING};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn start() -> Patrol {
    Patrol::start(&["--endpoints", &testbed_endpoints()])
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The headers every answer carries, with `frames` as its frame policy.
fn assert_protected(what: &str, h: &HeaderMap, frames: &str) {
    let csp = header(h, "content-security-policy");
    assert!(!csp.is_empty(), "{what}: no Content-Security-Policy");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    let ancestors = if frames == "DENY" { "'none'" } else { "'self'" };
    assert!(
        csp.contains(&format!("frame-ancestors {ancestors}")),
        "{what}: {csp}"
    );
    assert_eq!(header(h, "x-frame-options"), frames, "{what}");
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(h, "referrer-policy"), "same-origin", "{what}");
}

/// The nonce the Content-Security-Policy allows scripts by.
fn csp_nonce(h: &HeaderMap) -> String {
    let csp = header(h, "content-security-policy");
    let script = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {csp}"));
    assert_eq!(
        script
            .split_whitespace()
            .filter(|s| s.starts_with("'nonce-"))
            .count(),
        1,
        "{script}"
    );
    assert!(script.contains("'wasm-unsafe-eval'"), "{script}");
    let nonce = script
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_default();
    assert!(
        nonce.len() >= 16,
        "a nonce of {} characters: {script}",
        nonce.len()
    );
    nonce.to_owned()
}

/// The value of `attr` in every tag `<tag ...>` of `html`, in order.
fn attrs(html: &str, tag: &str, attr: &str) -> Vec<Option<String>> {
    html.split(&format!("<{tag}"))
        .skip(1)
        .filter(|t| t.starts_with([' ', '>']))
        .map(|t| {
            let open = &t[..t.find('>').unwrap_or(t.len())];
            let key = format!(" {attr}=\"");
            open.find(&key).map(|at| {
                let v = &open[at + key.len()..];
                v[..v.find('"').unwrap_or(v.len())].to_owned()
            })
        })
        .collect()
}

async fn get(url: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header(ACCEPT_ENCODING, accept)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_page_allows_exactly_its_own_nonced_scripts() {
    let patrol = start();
    let resp = get(&format!("{}/", patrol.url), "identity").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_protected("page", &h, "DENY");
    assert_eq!(header(&h, "cache-control"), "no-store");
    let nonce = csp_nonce(&h);
    let html = resp.text().await.expect("body");
    let scripts = attrs(&html, "script", "nonce");
    assert!(!scripts.is_empty(), "no script in the page:\n{html}");
    for n in &scripts {
        assert_eq!(
            n.as_deref(),
            Some(nonce.as_str()),
            "a script without this answer's nonce"
        );
    }
    assert!(
        attrs(&html, "style", "nonce").is_empty(),
        "an inline <style> in the page"
    );
    assert!(
        !html.contains(" style=\""),
        "an inline style attribute in the page"
    );

    // Each answer has its own nonce.
    let again = get(&format!("{}/", patrol.url), "identity").await;
    assert_ne!(csp_nonce(again.headers()), nonce);
}

#[tokio::test]
async fn api_answers_and_event_streams_are_never_stored() {
    let patrol = start();
    let resp = get(&format!("{}/api/v1/clusters", patrol.url), "gzip").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_protected("API answer", resp.headers(), "DENY");
    assert_eq!(header(resp.headers(), "cache-control"), "no-store");

    let resp = get(&format!("{}/api/v1/nothing-here", patrol.url), "gzip").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_protected("API 404", resp.headers(), "DENY");
    assert_eq!(header(resp.headers(), "cache-control"), "no-store");

    // The stream comes uncompressed and its first event arrives at once.
    let mut resp = get(
        &format!("{}/api/v1/clusters/events", patrol.url),
        "gzip, br",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_protected("event stream", &h, "DENY");
    assert_eq!(header(&h, "cache-control"), "no-store");
    assert!(header(&h, "content-type").starts_with("text/event-stream"));
    assert_eq!(header(&h, "content-encoding"), "");
    let first = tokio::time::timeout(Duration::from_secs(5), resp.chunk())
        .await
        .expect("an event within 5 s")
        .expect("stream readable")
        .expect("a chunk");
    let first = String::from_utf8_lossy(&first);
    assert!(first.contains("event: overview"), "{first}");
}

#[tokio::test]
async fn unknown_addresses_get_the_not_found_page_with_its_headers() {
    let patrol = start();
    for path in [
        "/no/such/page",
        "/pkg/patrol.0000000000000000.wasm",
        "/pkg/../Cargo.toml",
    ] {
        let resp = get(&format!("{}{path}", patrol.url), "identity").await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        let h = resp.headers().clone();
        assert_protected(path, &h, "DENY");
        assert_eq!(header(&h, "cache-control"), "no-store", "{path}");
        let nonce = csp_nonce(&h);
        let html = resp.text().await.expect("body");
        assert!(html.contains("Not found"), "{path}: {html}");
        for n in attrs(&html, "script", "nonce") {
            assert_eq!(n.as_deref(), Some(nonce.as_str()), "{path}");
        }
    }
}

#[tokio::test]
async fn the_snapshot_answer_may_be_framed_by_patrols_own_page_only() {
    let patrol = start();
    let form = "application/x-www-form-urlencoded";
    let resp = patrol
        .post("/api/v1/etcd/snapshot", form, "confirm=etcd")
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_protected("snapshot refusal", resp.headers(), "SAMEORIGIN");
    assert_eq!(header(resp.headers(), "cache-control"), "no-store");
}

/// The `href` of every `<link>` on the overview page.
async fn page_links(patrol: &Patrol) -> Vec<String> {
    let html = get(&format!("{}/", patrol.url), "identity")
        .await
        .text()
        .await
        .expect("page");
    attrs(&html, "link", "href").into_iter().flatten().collect()
}

/// The page's links to the built-in site: JS, wasm, stylesheet, icon.
async fn linked_assets(patrol: &Patrol) -> Vec<String> {
    let links = page_links(patrol).await;
    assert!(
        links.iter().any(|l| l.ends_with(".wasm")),
        "the page links no wasm; is the site built in (end2end/build.sh)? {links:?}"
    );
    links
}

#[tokio::test]
async fn the_built_in_site_is_served_hashed_compressed_and_cached_for_good() {
    let patrol = start();
    let links = linked_assets(&patrol).await;
    let find = |ext: &str| {
        links
            .iter()
            .find(|l| l.starts_with("/pkg/patrol.") && l.ends_with(ext))
            .unwrap_or_else(|| panic!("no /pkg/patrol.<hash>{ext} in {links:?}"))
            .clone()
    };
    let (js, wasm, css) = (find(".js"), find(".wasm"), find(".css"));
    let icon = links
        .iter()
        .find(|l| l.starts_with("/favicon.") && l.ends_with(".svg"))
        .unwrap_or_else(|| panic!("no hashed icon in {links:?}"))
        .clone();

    let mut plain = Vec::new();
    for (path, media) in [
        (&js, "text/javascript"),
        (&wasm, "application/wasm"),
        (&css, "text/css"),
        (&icon, "image/svg+xml"),
    ] {
        let url = format!("{}{path}", patrol.url);
        let resp = get(&url, "identity").await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let h = resp.headers().clone();
        assert_protected(path, &h, "DENY");
        assert_eq!(header(&h, "cache-control"), IMMUTABLE, "{path}");
        assert!(header(&h, "content-type").starts_with(media), "{path}");
        assert_eq!(
            header(&h, "vary").to_ascii_lowercase(),
            "accept-encoding",
            "{path}"
        );
        assert_eq!(header(&h, "content-encoding"), "", "{path}");
        let body = resp.bytes().await.expect("body").to_vec();
        assert!(!body.is_empty(), "{path}");

        // The stored gzip and brotli forms hold the same bytes (the icon,
        // a few hundred bytes, may be stored plain only).
        let forms: &[_] = if path == &icon {
            &[]
        } else {
            &[("gzip", "gzip"), ("gzip, deflate, br", "br")]
        };
        for &(accept, encoding) in forms {
            let resp = get(&url, accept).await;
            let h = resp.headers().clone();
            assert_eq!(
                header(&h, "content-encoding"),
                encoding,
                "{path} for {accept}"
            );
            assert_eq!(header(&h, "cache-control"), IMMUTABLE, "{path}");
            assert_eq!(header(&h, "vary").to_ascii_lowercase(), "accept-encoding");
            let packed = resp.bytes().await.expect("body").to_vec();
            assert!(
                packed.len() < body.len(),
                "{path}: {encoding} is no smaller"
            );
            assert_eq!(
                unpack(encoding, &packed),
                body,
                "{path}: {encoding} differs"
            );
            // A browser holding it is told it is current, without the body.
            let etag = header(&h, "etag").to_owned();
            assert!(etag.starts_with('"'), "{path}: ETag {etag:?}");
            let resp = reqwest::Client::new()
                .get(&url)
                .header(ACCEPT_ENCODING, accept)
                .header("if-none-match", &etag)
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), StatusCode::NOT_MODIFIED, "{path}");
        }
        plain.push(body);
    }

    // The names carry the content's hash: the JS and the wasm share one
    // (Leptos names both from one stem), the others have their own.
    let hash_of = |path: &str| path.rsplit('.').nth(1).unwrap_or_default().to_owned();
    let short = |d: &[u8]| hex::encode(&d[..8]);
    let mut bundle = Sha256::new();
    bundle.update(Sha256::digest(&plain[0]));
    bundle.update(Sha256::digest(&plain[1]));
    assert_eq!(hash_of(&js), short(&bundle.finalize()));
    assert_eq!(hash_of(&wasm), hash_of(&js));
    assert_eq!(hash_of(&css), short(&Sha256::digest(&plain[2])));
    assert_eq!(hash_of(&icon), short(&Sha256::digest(&plain[3])));

    // The plain names serve the same bytes, asked for afresh each time.
    for (path, body) in [("/pkg/patrol.css", &plain[2]), ("/favicon.svg", &plain[3])] {
        let resp = get(&format!("{}{path}", patrol.url), "identity").await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(resp.headers(), "cache-control"),
            "no-cache",
            "{path}"
        );
        assert_eq!(&resp.bytes().await.expect("body").to_vec(), body, "{path}");
    }
}

fn unpack(encoding: &str, packed: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(packed).read_to_end(&mut out),
        "br" => brotli::Decompressor::new(packed, 4096).read_to_end(&mut out),
        other => panic!("unexpected encoding {other}"),
    }
    .expect("decompress");
    out
}

#[tokio::test]
async fn a_site_root_directory_is_served_instead_under_plain_names() {
    let dir = TempDir::new("site-root");
    std::fs::create_dir_all(dir.path().join("pkg")).expect("mkdir");
    std::fs::write(dir.path().join("pkg/patrol.css"), "body { color: teal }\n").expect("write");
    let root = dir.path().to_str().expect("UTF-8 path");
    let patrol = Patrol::start(&["--endpoints", &testbed_endpoints(), "--site-root", root]);

    let links = page_links(&patrol).await;
    for want in ["/pkg/patrol.js", "/pkg/patrol.wasm", "/pkg/patrol.css"] {
        assert!(
            links.iter().any(|l| l == want),
            "{want} not linked: {links:?}"
        );
    }
    let resp = get(&format!("{}/pkg/patrol.css", patrol.url), "identity").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_protected("file from --site-root", resp.headers(), "DENY");
    assert_eq!(header(resp.headers(), "cache-control"), "no-cache");
    assert_eq!(resp.text().await.expect("body"), "body { color: teal }\n");
    // The built-in files are not served beside a --site-root.
    let resp = get(&format!("{}/pkg/patrol.wasm", patrol.url), "identity").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(patrol.log().contains("--site-root"), "{}", patrol.log());
}
