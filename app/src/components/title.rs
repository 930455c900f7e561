//! The document title. `leptos_meta` writes a `<Title>`'s text into the
//! server-rendered `<head>` without escaping it, and page titles carry text
//! from the URL and from etcd (key names, scopes), so every title passes
//! through [`format_title`], installed once as the root `<Title formatter>`.

use crate::text::{escape_html, shorten};

/// Longest title, in characters; a title names the page, it does not hold a
/// 16 KB key.
pub const MAX_TITLE_CHARS: usize = 120;

/// The root title formatter: shortens `text` to [`MAX_TITLE_CHARS`] and, on
/// the server, escapes it for HTML. In the browser it is set as
/// `document.title`, which is text already.
pub fn format_title(text: String) -> String {
    let short = shorten(&text, MAX_TITLE_CHARS);
    if cfg!(feature = "ssr") {
        escape_html(&short)
    } else {
        short
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_server_formatter_escapes_and_shortens() {
        let t = format_title(format!("</title><script>{}", "a".repeat(1000)));
        assert!(t.starts_with("&lt;/title&gt;&lt;script&gt;"), "{t}");
        assert!(!t.contains('<'));
        assert!(t.len() < 200, "{}", t.len());
    }
}
