//! How a value is shown: a JSON object or array pretty and highlighted,
//! other UTF-8 as plain text, anything else as a hex dump.

use std::fmt::Write as _;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// What a piece of highlighted JSON is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tok {
    /// An object's key, quotes included.
    Key,
    /// Any other string, quotes included.
    Str,
    /// A number, spelled as stored.
    Num,
    /// `true` or `false`.
    Bool,
    Null,
    /// One of `{ } [ ] , :`, or an empty `{}` / `[]`.
    Punct,
    /// Line breaks, indentation and the space after `:`.
    Space,
}

impl Tok {
    /// CSS class that colours the piece.
    pub fn class(self) -> &'static str {
        match self {
            Tok::Key => "t-key",
            Tok::Str => "t-str",
            Tok::Num => "t-num",
            Tok::Bool | Tok::Null => "t-lit",
            Tok::Punct | Tok::Space => "t-p",
        }
    }
}

/// A value ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Rendered {
    /// A JSON object or array, pretty-printed: the pieces' texts joined
    /// give the whole text.
    Json(Vec<(Tok, String)>),
    /// UTF-8 text that is not a JSON object or array, as it is.
    Text(String),
    /// Bytes that are not UTF-8.
    Hex(Vec<HexRow>),
}

/// Sixteen bytes of a hex dump.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HexRow {
    /// Position of the row's first byte in the value.
    pub offset: usize,
    /// The bytes as `7b 22 72 ...`, a wider gap after the eighth, padded
    /// with spaces so a short last row lines up with the others.
    pub hex: String,
    /// Printable ASCII as it is, any other byte as `.`.
    pub ascii: String,
}

/// Deepest nesting shown as JSON, the limit serde_json parses to.
const MAX_DEPTH: usize = 128;

/// Decides how to show `bytes`. Only objects and arrays count as JSON:
/// Patroni keeps plain words and numbers (the leader's name, the cluster
/// ID) in keys of their own, and those read best as text.
pub fn render(bytes: &[u8]) -> Rendered {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Rendered::Hex(hex_dump(bytes));
    };
    match pretty_json(text) {
        Some(pieces) => Rendered::Json(pieces),
        None => Rendered::Text(text.to_string()),
    }
}

/// Dumps `bytes` sixteen to a row.
pub fn hex_dump(bytes: &[u8]) -> Vec<HexRow> {
    let rows = bytes.chunks(16).enumerate().map(|(row, chunk)| {
        let mut hex = String::with_capacity(48);
        for column in 0..16 {
            hex.push_str(match column {
                0 => "",
                8 => "  ",
                _ => " ",
            });
            match chunk.get(column) {
                // Writing to a String cannot fail.
                Some(byte) => _ = write!(hex, "{byte:02x}"),
                None => hex.push_str("  "),
            }
        }
        let printable = |b: u8| b == b' ' || b.is_ascii_graphic();
        let ascii = chunk
            .iter()
            .map(|&b| char::from(if printable(b) { b } else { b'.' }))
            .collect();
        HexRow {
            offset: row * 16,
            hex,
            ascii,
        }
    });
    rows.collect()
}

/// Lays out a JSON object or array two spaces to a level, from the text
/// itself rather than a parsed value: key order, duplicate keys, number
/// spellings and string escapes stay exactly as stored.
fn pretty_json(text: &str) -> Option<Vec<(Tok, String)>> {
    if !text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    // Validates only; the layout below trusts the syntax.
    serde_json::from_str::<IgnoredAny>(text).ok()?;
    // Deep indentation could blow a value up; past this it stays text.
    let budget = text.len().saturating_mul(8).max(1 << 20);
    let mut out = Layout::default();
    let mut pieces = lex(text)?.into_iter().peekable();
    while let Some((tok, piece)) = pieces.next() {
        let next = pieces.peek().map(|&(_, p)| p);
        match piece {
            "{" | "[" if next == Some(if piece == "{" { "}" } else { "]" }) => {
                pieces.next();
                out.push(Tok::Punct, if piece == "{" { "{}" } else { "[]" });
            }
            "{" | "[" => {
                out.depth += 1;
                out.push(Tok::Punct, piece);
                out.newline();
            }
            "}" | "]" => {
                out.depth = out.depth.saturating_sub(1);
                out.newline();
                out.push(Tok::Punct, piece);
            }
            "," => {
                out.push(Tok::Punct, piece);
                out.newline();
            }
            ":" => {
                out.push(Tok::Punct, piece);
                out.push(Tok::Space, " ");
            }
            _ if tok == Tok::Str && next == Some(":") => out.push(Tok::Key, piece),
            _ => out.push(tok, piece),
        }
        if out.depth > MAX_DEPTH || out.size > budget {
            return None;
        }
    }
    Some(out.pieces)
}

/// Pretty JSON being built, with its size and current nesting.
#[derive(Default)]
struct Layout {
    pieces: Vec<(Tok, String)>,
    size: usize,
    depth: usize,
}

impl Layout {
    fn push(&mut self, tok: Tok, text: &str) {
        self.size += text.len();
        self.pieces.push((tok, text.to_string()));
    }

    fn newline(&mut self) {
        let indent = format!("\n{}", "  ".repeat(self.depth));
        self.push(Tok::Space, &indent);
    }
}

/// Splits valid JSON into its pieces, whitespace dropped.
fn lex(text: &str) -> Option<Vec<(Tok, &str)>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    while let Some(&first) = bytes.get(start) {
        let (tok, end) = match first {
            b' ' | b'\t' | b'\n' | b'\r' => {
                start += 1;
                continue;
            }
            b'{' | b'}' | b'[' | b']' | b',' | b':' => (Tok::Punct, start + 1),
            b'"' => {
                let mut end = start + 1;
                while let Some(&b) = bytes.get(end) {
                    end += match b {
                        b'\\' => 2,
                        b'"' => break,
                        _ => 1,
                    };
                }
                (Tok::Str, end + 1)
            }
            _ => {
                let len = bytes
                    .get(start..)?
                    .iter()
                    .position(|b| !b"+-.0123456789Eaeflnrstu".contains(b));
                let tok = match first {
                    b't' | b'f' => Tok::Bool,
                    b'n' => Tok::Null,
                    _ => Tok::Num,
                };
                (tok, len.map_or(bytes.len(), |len| start + len.max(1)))
            }
        };
        pieces.push((tok, text.get(start..end)?));
        start = end;
    }
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER: &str = r#"{"conn_url":"postgres://127.0.0.1:54322/postgres","api_url":"http://127.0.0.1:8009/patroni","state":"running","role":"replica","version":"4.1.5","xlog_location":67417048,"replay_lsn":67417048,"receive_lsn":67417048,"replication_state":"streaming","timeline":1}"#;

    fn json(text: &str) -> Vec<(Tok, String)> {
        match render(text.as_bytes()) {
            Rendered::Json(pieces) => pieces,
            other => panic!("not JSON: {other:?}"),
        }
    }

    fn joined(pieces: &[(Tok, String)]) -> String {
        pieces.iter().map(|(_, p)| p.as_str()).collect()
    }

    fn of(pieces: &[(Tok, String)], kind: Tok) -> Vec<&str> {
        pieces
            .iter()
            .filter(|(t, _)| *t == kind)
            .map(|(_, p)| p.as_str())
            .collect()
    }

    #[test]
    fn patroni_member_keeps_its_key_order() {
        let pieces = json(MEMBER);
        let keys = r#""conn_url" "api_url" "state" "role" "version" "xlog_location" "replay_lsn" "receive_lsn" "replication_state" "timeline""#;
        assert_eq!(of(&pieces, Tok::Key).join(" "), keys);
        assert_eq!(
            of(&pieces, Tok::Num).join(" "),
            "67417048 67417048 67417048 1"
        );
        let pretty = joined(&pieces);
        assert!(pretty.starts_with("{\n  \"conn_url\": \"postgres://127.0.0.1:54322/postgres\",\n"));
        let parse = |text| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
        assert_eq!(parse(&pretty), parse(MEMBER));
    }

    #[test]
    fn layout_matches_serde_json_pretty() {
        // Sorted keys, so serde_json's own order cannot differ from ours.
        let text =
            r#" {"a":[1,[2,3],[],{}],"b":{"c":null,"d":[true,false]},"e":"x:{,}","f":-1.5e3}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        let expected = serde_json::to_string_pretty(&value).unwrap_or_default();
        let pieces = json(text);
        assert_eq!(joined(&pieces), expected.replace("-1500.0", "-1.5e3"));
        assert_eq!(of(&pieces, Tok::Key).join(""), r#""a""b""c""d""e""f""#);
        assert_eq!(of(&pieces, Tok::Str), ["\"x:{,}\""]);
        assert_eq!(of(&pieces, Tok::Bool), ["true", "false"]);
        assert_eq!(of(&pieces, Tok::Null), ["null"]);
        assert!(of(&pieces, Tok::Space).concat().trim().is_empty());
        assert_eq!(
            of(&pieces, Tok::Punct).concat(),
            "{:[,[,],[],{}],:{:,:[,]},:,:}"
        );
    }

    #[test]
    fn strings_and_numbers_stay_as_stored() {
        let text =
            r#"[{"z":"caf\u00e9 \"q\" \\","a":"😀"},12345678901234567890123,1.0,{"k":1,"k":2}]"#;
        let pretty = joined(&json(text));
        assert_eq!(
            pretty,
            "[\n  {\n    \"z\": \"caf\\u00e9 \\\"q\\\" \\\\\",\n    \"a\": \"😀\"\n  },\n  \
             12345678901234567890123,\n  1.0,\n  {\n    \"k\": 1,\n    \"k\": 2\n  }\n]"
        );
    }

    #[test]
    fn scalars_and_other_text_render_as_text() {
        assert_eq!(render(b""), Rendered::Text(String::new()));
        for text in "pg-meta-1|7710963214869708827|\"x\"|null| [1]x|{bad|[1,]|{} {}".split('|') {
            assert_eq!(
                render(text.as_bytes()),
                Rendered::Text(text.into()),
                "{text}"
            );
        }
    }

    #[test]
    fn binary_renders_as_hex() {
        let bytes: Vec<u8> = (0u8..=20).chain([b'{', 0xff, b' ', b'~']).collect();
        let Rendered::Hex(rows) = render(&bytes) else {
            panic!("not hex")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].offset, 0);
        assert_eq!(
            rows[0].hex,
            "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f"
        );
        assert_eq!(rows[0].ascii, "................");
        assert_eq!(rows[1].offset, 16);
        assert_eq!(
            rows[1].hex,
            format!("10 11 12 13 14 7b ff 20  7e{}", " ".repeat(21))
        );
        assert_eq!(rows[1].hex.len(), rows[0].hex.len());
        assert_eq!(rows[1].ascii, ".....{. ~");
        assert!(hex_dump(b"").is_empty());
    }

    #[test]
    fn big_values_render() {
        let item = r#"{"name":"pg-meta-1","lsn":67417048,"tags":["a","b"]},"#;
        let mut text = String::from("[");
        while text.len() < 1 << 20 {
            text.push_str(item);
        }
        text.push_str("null]");
        assert_eq!(
            joined(&json(&text)).matches("pg-meta-1").count(),
            text.len() / item.len()
        );
        let binary: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8 | 0x80).collect();
        assert!(matches!(render(&binary), Rendered::Hex(rows) if rows.len() == 1 << 16));
    }

    #[test]
    fn deep_nesting_falls_back_to_text() {
        let nest = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        assert!(matches!(
            render(nest(MAX_DEPTH).as_bytes()),
            Rendered::Json(_)
        ));
        let deep = nest(MAX_DEPTH + 1);
        assert_eq!(render(deep.as_bytes()), Rendered::Text(deep.clone()));
        // Within the depth limit, but indenting it would take over 100 times its size.
        let wide = format!(
            "{}{}0{}",
            "[".repeat(120),
            "0,".repeat(1 << 16),
            "]".repeat(120)
        );
        assert!(matches!(render(wide.as_bytes()), Rendered::Text(_)));
        let deeper = nest(1 << 19);
        assert!(matches!(render(deeper.as_bytes()), Rendered::Text(_)));
    }
}
