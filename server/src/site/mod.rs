//! The site the pages load — the wasm bundle, its JS, the stylesheet, the
//! icon — built into `patrol` (see build.rs), or read from the directory
//! given by --site-root, for development.

pub mod embedded;
pub mod negotiate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use app::app::SiteLinks;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Where the site's files come from.
#[derive(Clone, Debug)]
pub enum Site {
    /// Built in, under content-hashed names.
    Embedded,
    /// A directory, under plain names, asked for afresh on every load.
    Disk(Arc<PathBuf>),
    /// Neither: this `patrol` was built before the site; pages come without
    /// scripts and styles.
    Missing,
}

impl Site {
    /// The directory given by --site-root, else the built-in site.
    pub fn new(site_root: Option<PathBuf>) -> Site {
        match site_root {
            Some(dir) => Site::Disk(Arc::new(dir)),
            None if embedded::OUTPUT_NAME.is_some() => Site::Embedded,
            None => Site::Missing,
        }
    }

    /// Says at start where the site comes from; warns when there is none.
    pub fn report(&self) {
        match self {
            Site::Embedded => tracing::info!(
                files = embedded::FILES.len(),
                "site: built in ({})",
                self.output_name()
            ),
            Site::Disk(dir) => tracing::info!("site: served from {} (--site-root)", dir.display()),
            Site::Missing => tracing::warn!(
                "site: none built into this patrol and no --site-root given; pages will load \
                 without their scripts and styles (end2end/build.sh builds patrol with its site)"
            ),
        }
    }

    /// The stem of the JS and wasm names under /pkg, for Leptos' hydration script.
    pub fn output_name(&self) -> &'static str {
        match self {
            Site::Embedded => embedded::OUTPUT_NAME.unwrap_or("patrol"),
            Site::Disk(_) | Site::Missing => "patrol",
        }
    }

    /// The addresses the page shell links to.
    pub fn links(&self) -> SiteLinks {
        let name = |plain: &'static str| match self {
            Site::Embedded => embedded::hashed(plain).unwrap_or(plain),
            Site::Disk(_) | Site::Missing => plain,
        };
        SiteLinks {
            stylesheet: name("/pkg/patrol.css").to_owned(),
            icon: name("/favicon.svg").to_owned(),
        }
    }

    /// The file `request` asks for, if the site has it.
    pub async fn serve(&self, request: &Parts) -> Option<Response<Body>> {
        if request.method != Method::GET && request.method != Method::HEAD {
            return None;
        }
        match self {
            Site::Embedded => embedded::find(request.uri.path())
                .map(|(file, hashed)| embedded::respond(file, hashed, &request.headers)),
            Site::Disk(dir) => serve_dir(dir, request).await,
            Site::Missing => None,
        }
    }
}

async fn serve_dir(dir: &Path, request: &Parts) -> Option<Response<Body>> {
    let mut copy = Request::builder().method(&request.method).uri(&request.uri);
    for name in [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE] {
        if let Some(v) = request.headers.get(&name) {
            copy = copy.header(name, v);
        }
    }
    let copy = copy.body(Body::empty()).ok()?;
    let response = ServeDir::new(dir).oneshot(copy).await.ok()?;
    if response.status() == StatusCode::NOT_FOUND {
        return None;
    }
    let mut response = response.map(Body::new);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(embedded::REVALIDATE),
    );
    Some(response)
}

/// The media type by file extension; unknown ones are plain bytes, which
/// `nosniff` keeps from being run as anything.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_by_extension() {
        assert_eq!(content_type("/pkg/patrol.0123.wasm"), "application/wasm");
        assert_eq!(
            content_type("/pkg/patrol.0123.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("/pkg/patrol.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("/favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("/README"), "application/octet-stream");
    }

    #[test]
    fn a_given_directory_wins_over_the_built_in_site() {
        let site = Site::new(Some(PathBuf::from("/srv/site")));
        assert!(matches!(site, Site::Disk(_)));
        assert_eq!(site.output_name(), "patrol");
        assert_eq!(site.links().stylesheet, "/pkg/patrol.css");
    }

    #[test]
    fn built_in_links_name_files_that_are_built_in() {
        let site = Site::new(None);
        let links = site.links();
        if matches!(site, Site::Embedded) {
            for path in [&links.stylesheet, &links.icon] {
                let (_, hashed) = embedded::find(path).expect("linked file is embedded");
                assert!(hashed, "{path} is a hashed name");
            }
            let stem = site.output_name();
            for ext in ["js", "wasm"] {
                let path = format!("/pkg/{stem}.{ext}");
                assert!(
                    embedded::find(&path).is_some_and(|(_, h)| h),
                    "{path} is embedded"
                );
            }
        } else {
            assert!(matches!(site, Site::Missing));
            assert_eq!(links.stylesheet, "/pkg/patrol.css");
        }
    }
}
