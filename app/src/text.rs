//! Text helpers shared by pages and the server: shortening for display and
//! escaping for the few places that write HTML by hand.

/// `text` cut to `max` characters, with `…` marking the cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// Escapes the five characters that mean something in HTML text and
/// attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        let t = escape_html("</title><script>alert('x')</script>&\"");
        assert_eq!(
            t,
            "&lt;/title&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(500);
        let t = shorten(&long, 120);
        assert_eq!(t.chars().count(), 121);
        assert!(t.ends_with('…'));
        assert_eq!(shorten("short", 120), "short");
    }
}
