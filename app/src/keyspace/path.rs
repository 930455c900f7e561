//! etcd keys as paths: arbitrary bytes where `/` separates directories.
//! Turns them into page URLs, readable text and breadcrumbs, and back.

use std::fmt::Write as _;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Percent-encodes `key` for a URL path: every byte except ASCII letters,
/// digits and `- . _ ~ / : @ = , +` becomes `%XX`.
pub fn encode_url_path(key: &[u8]) -> String {
    let mut out = String::with_capacity(key.len());
    for &b in key {
        if b.is_ascii_alphanumeric() || b"-._~/:@=,+".contains(&b) {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Escapes what a query string value must not hold raw.
pub fn query_escape(s: &str) -> String {
    encode_url_path(s.as_bytes())
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D")
}

/// Decodes `%XX` escapes back to raw bytes. A `%` not followed by two hex
/// digits is kept as it is, so any input decodes.
pub fn decode_url_path(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex_value(hi).zip(hex_value(lo)),
            _ => None,
        };
        match escaped {
            Some((hi, lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Shows a key as text: valid UTF-8 as it is, but invalid bytes and the
/// bytes of control characters as `\xNN`, and `\` as `\\`, so two different
/// keys never look the same.
pub fn display_key(key: &[u8]) -> String {
    let mut out = String::with_capacity(key.len());
    for chunk in key.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else if c.is_control() {
                let mut buf = [0; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .for_each(|b| escape(&mut out, b));
            } else {
                out.push(c);
            }
        }
        chunk.invalid().iter().for_each(|&b| escape(&mut out, b));
    }
    out
}

fn escape(out: &mut String, byte: u8) {
    let _ = write!(out, "\\x{byte:02x}");
}

/// etcd's range end for every key starting with `prefix`: the prefix with
/// its last byte below `0xff` raised by one. For an empty or all-`0xff`
/// prefix it is `[0]`, which etcd reads as "to the end of the keyspace".
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// One step of a breadcrumb trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    /// The segment, as [`display_key`] shows it, at most
    /// [`MAX_CRUMB_CHARS`] characters; `…` stands for segments left out.
    pub name: String,
    /// The directory (ending in `/`) or, for the last step, the key.
    pub path: Vec<u8>,
}

/// Segments a trail shows after the root before it leaves some out.
pub const HEAD_CRUMBS: usize = 2;
/// Segments a trail shows at its end when it leaves some out.
pub const TAIL_CRUMBS: usize = 4;
/// Longest segment name a crumb shows, in characters.
pub const MAX_CRUMB_CHARS: usize = 64;

/// The breadcrumb trail from the root `/` down to a key or directory:
/// `/pg/pg-meta/leader` gives `/`, `pg` (`/pg/`), `pg-meta`
/// (`/pg/pg-meta/`) and `leader` (`/pg/pg-meta/leader`).
///
/// A deep key keeps its first [`HEAD_CRUMBS`] and last [`TAIL_CRUMBS`]
/// segments, with one `…` crumb (to the directory just above the tail) for
/// the rest, so a trail holds at most eight crumbs whatever the depth: a key
/// of thousands of segments must not make a page of its square.
pub fn crumbs(key_or_dir: &[u8]) -> Vec<Crumb> {
    let mut trail = vec![Crumb {
        name: "/".to_string(),
        path: b"/".to_vec(),
    }];
    let rest = key_or_dir.strip_prefix(b"/").unwrap_or(key_or_dir);
    let start = key_or_dir.len() - rest.len();
    // (segment, end of its crumb's path) for every segment, without copying.
    let mut steps: Vec<(&[u8], usize)> = Vec::new();
    let mut end = start;
    let mut segments = rest.split(|&b| b == b'/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        // A directory's trail ends at its trailing slash, not at an empty name.
        if last && segment.is_empty() {
            break;
        }
        end += segment.len() + usize::from(!last);
        steps.push((segment, end));
    }
    let path = |end: usize| key_or_dir.get(..end).unwrap_or(key_or_dir).to_vec();
    let crumb = |(segment, end): (&[u8], usize)| Crumb {
        name: crate::text::shorten(&display_key(segment), MAX_CRUMB_CHARS),
        path: path(end),
    };
    if steps.len() <= HEAD_CRUMBS + TAIL_CRUMBS + 1 {
        trail.extend(steps.into_iter().map(crumb));
        return trail;
    }
    let tail_from = steps.len() - TAIL_CRUMBS;
    trail.extend(steps[..HEAD_CRUMBS].iter().copied().map(crumb));
    trail.push(Crumb {
        name: format!("… {} more", tail_from - HEAD_CRUMBS),
        path: path(steps[tail_from - 1].1),
    });
    trail.extend(steps[tail_from..].iter().copied().map(crumb));
    trail
}

/// Whether `path` names a directory: it ends in `/` or is empty.
pub fn is_dir(path: &[u8]) -> bool {
    path.is_empty() || path.ends_with(b"/")
}

/// The directory a key or directory lives in: `/pg/pg-meta/leader` and
/// `/pg/pg-meta/x/` are in `/pg/pg-meta/`; `/` and keys without a slash are
/// in `/`.
pub fn parent_dir(key: &[u8]) -> Vec<u8> {
    let own = key.strip_suffix(b"/").unwrap_or(key);
    match own.iter().rposition(|&b| b == b'/') {
        Some(slash) => own.get(..=slash).unwrap_or(b"/").to_vec(),
        None => b"/".to_vec(),
    }
}

/// Standard base64, padded.
pub fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes base64 in the standard or the URL-safe alphabet, padded or not.
pub fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    // The alphabets differ only in `+/` against `-_`; the one the text uses
    // decides, so the error names the symbol that is really out of place.
    let alphabet = if s.contains(['-', '_']) {
        &alphabet::URL_SAFE
    } else {
        &alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config)
        .decode(s)
        .map_err(|e| format!("not valid base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edge cases (written `|`-separated) and pseudo-random byte strings.
    fn samples() -> Vec<Vec<u8>> {
        let edges = b"|/|/pg/x|\0|%|%%|%2|%zz|%41|a?b#c d|1% /x+y=z|\\|\n\t\x7f|\xff\xfe|\xc3\x28\xa0|/\x80/|\xf0\x9f\x98\x80";
        let mut all: Vec<Vec<u8>> = edges.split(|&b| b == b'|').map(<[u8]>::to_vec).collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..300 {
            let mut bytes = Vec::new();
            for _ in 0..len % 40 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(state.to_le_bytes()[0]);
            }
            all.push(bytes);
        }
        all
    }

    #[test]
    fn url_paths_round_trip() {
        for key in samples() {
            let url = encode_url_path(&key);
            assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{url}");
            assert!(!url.contains(['?', '#', ' ', '\\']), "{url}");
            assert_eq!(decode_url_path(&url), key, "{url}");
        }
    }

    #[test]
    fn url_encoding_keeps_path_characters() {
        assert_eq!(encode_url_path(b"/pg/pg-meta/leader"), "/pg/pg-meta/leader");
        assert_eq!(encode_url_path(b"a-._~/:@=,+Z9"), "a-._~/:@=,+Z9");
        assert_eq!(encode_url_path(b"a b%?#\x00\xff"), "a%20b%25%3F%23%00%FF");
        assert_eq!(encode_url_path("é".as_bytes()), "%C3%A9");
    }

    #[test]
    fn url_decoding_tolerates_stray_percents() {
        assert_eq!(decode_url_path("%"), b"%");
        assert_eq!(decode_url_path("a%2"), b"a%2");
        assert_eq!(decode_url_path("%zz%4"), b"%zz%4");
        assert_eq!(decode_url_path("%%41"), b"%A");
        assert_eq!(decode_url_path("%c3%A9"), "é".as_bytes());
        assert_eq!(decode_url_path("%é"), "%é".as_bytes());
        assert_eq!(decode_url_path("a+b"), b"a+b");
    }

    #[test]
    fn display_escapes_what_is_not_plain_text() {
        assert_eq!(display_key(b"/pg/pg-meta/leader"), "/pg/pg-meta/leader");
        assert_eq!(display_key("/ключ/😀".as_bytes()), "/ключ/😀");
        assert_eq!(display_key(b"a\nb\tc\x00\x7f"), "a\\x0ab\\x09c\\x00\\x7f");
        assert_eq!(display_key(b"\xff/\xc3\x28"), "\\xff/\\xc3(");
        assert_eq!(display_key("\u{85}".as_bytes()), "\\xc2\\x85");
        assert_eq!(display_key(b"a\\xff"), "a\\\\xff");
        assert_ne!(display_key(b"\\xff"), display_key(b"\xff"));
    }

    #[test]
    fn display_is_unambiguous() {
        let mut seen = std::collections::HashMap::new();
        for key in samples() {
            if let Some(other) = seen.insert(display_key(&key), key.clone()) {
                assert_eq!(other, key);
            }
        }
    }

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"/pg/"), b"/pg0");
        assert_eq!(prefix_end(b"a"), b"b");
        assert_eq!(prefix_end(&[b'a', 0xff, 0xff]), b"b");
        assert_eq!(prefix_end(&[0x00]), [0x01]);
        assert_eq!(prefix_end(&[0xff, 0xff]), [0]);
        assert_eq!(prefix_end(b""), [0]);
    }

    /// The trail as `name=path` pairs, paths shown by [`display_key`].
    fn trail(key: &[u8]) -> String {
        let pairs: Vec<_> = crumbs(key)
            .iter()
            .map(|c| format!("{}={}", c.name, display_key(&c.path)))
            .collect();
        pairs.join(" ")
    }

    #[test]
    fn crumbs_lead_from_the_root() {
        assert_eq!(trail(b"/pg/pg-meta/"), "/=/ pg=/pg/ pg-meta=/pg/pg-meta/");
        let key = "/=/ pg=/pg/ pg-meta=/pg/pg-meta/ leader=/pg/pg-meta/leader";
        assert_eq!(trail(b"/pg/pg-meta/leader"), key);
        assert_eq!(trail(b"/"), "/=/");
        assert_eq!(trail(b""), "/=/");
    }

    #[test]
    fn crumbs_handle_odd_keys() {
        assert_eq!(trail(b"//a"), "/=/ =// a=//a");
        assert_eq!(trail(b"a/b"), "/=/ a=a/ b=a/b");
        assert_eq!(trail(b"a"), "/=/ a=a");
        assert_eq!(
            trail(b"/\xff/k\n"),
            "/=/ \\xff=/\\xff/ k\\x0a=/\\xff/k\\x0a"
        );
        for key in samples() {
            let all = crumbs(&key);
            let below_root = all.get(1..).unwrap_or_default();
            assert!(below_root.iter().all(|c| key.starts_with(&c.path)));
            assert!(below_root.iter().rev().skip(1).all(|c| is_dir(&c.path)));
            match below_root.last() {
                Some(last) => assert_eq!(last.path, key),
                None => assert!(key.is_empty() || key == b"/"),
            }
        }
    }

    #[test]
    fn deep_keys_keep_a_short_trail() {
        // 8,000 segments: the trail stays at eight crumbs, and their paths
        // together hold a few copies of the key, not eight thousand.
        let key: Vec<u8> = (0..8000)
            .flat_map(|i| format!("/s{i}").into_bytes())
            .collect();
        let trail = crumbs(&key);
        assert_eq!(trail.len(), 1 + HEAD_CRUMBS + 1 + TAIL_CRUMBS);
        let names: Vec<&str> = trail.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "/",
                "s0",
                "s1",
                "… 7994 more",
                "s7996",
                "s7997",
                "s7998",
                "s7999"
            ]
        );
        assert_eq!(trail[3].path, [&key[..key.len() - 24], b"/"].concat());
        assert!(is_dir(&trail[3].path) && key.starts_with(&trail[3].path));
        assert_eq!(
            trail.last().map(|c| c.path.as_slice()),
            Some(key.as_slice())
        );
        let bytes: usize = trail.iter().map(|c| c.path.len() + c.name.len()).sum();
        assert!(bytes < 8 * key.len(), "{bytes}");
        // Seven segments are shown whole; eight are not.
        assert_eq!(crumbs(b"/a/b/c/d/e/f/g").len(), 8);
        assert_eq!(crumbs(b"/a/b/c/d/e/f/g/h")[3].name, "… 2 more");
    }

    #[test]
    fn long_segment_names_are_shortened() {
        let key = format!("/pg/{}", "x".repeat(10_000));
        let trail = crumbs(key.as_bytes());
        assert_eq!(trail[2].name.chars().count(), MAX_CRUMB_CHARS + 1);
        assert_eq!(trail[2].path, key.as_bytes());
    }

    #[test]
    fn dirs_and_parents() {
        assert!(is_dir(b"") && is_dir(b"/") && is_dir(b"/pg/"));
        assert!(!is_dir(b"/pg") && !is_dir(b"/pg/leader"));
        assert_eq!(parent_dir(b"/pg/pg-meta/leader"), b"/pg/pg-meta/");
        assert_eq!(parent_dir(b"/pg/pg-meta/"), b"/pg/");
        assert_eq!(parent_dir(b"/pg"), b"/");
        assert_eq!(parent_dir(b"/"), b"/");
        assert_eq!(parent_dir(b""), b"/");
        assert_eq!(parent_dir(b"a"), b"/");
        assert_eq!(parent_dir(b"a/b/"), b"a/");
        assert_eq!(parent_dir(b"//"), b"/");
        assert_eq!(parent_dir(b"//a"), b"//");
    }

    #[test]
    fn base64_accepts_both_alphabets() {
        let bytes = [0xfb, 0xff, 0xbf, 0x00, b'k'];
        assert_eq!(b64_encode(&bytes), "+/+/AGs=");
        for text in ["+/+/AGs=", "+/+/AGs", "-_-_AGs=", "-_-_AGs"] {
            assert_eq!(b64_decode(text), Ok(bytes.to_vec()), "{text}");
        }
        assert_eq!(b64_decode(""), Ok(Vec::new()));
        for key in samples() {
            assert_eq!(b64_decode(&b64_encode(&key)), Ok(key));
        }
    }

    #[test]
    fn base64_errors_are_clear() {
        for bad in ["a", "ab$d", "+/-_", "ab=d", " YQ=="] {
            let err = b64_decode(bad).err().unwrap_or_default();
            assert!(err.starts_with("not valid base64: "), "{bad}: {err}");
        }
    }
}
