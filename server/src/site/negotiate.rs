//! Which stored encoding of a file to send, and whether the browser's copy is
//! still good: the two request headers an asset answer depends on.

/// A stored form of an embedded file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }

    /// What the entity tag of this form ends with, so that each form has its own.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "-br",
            Encoding::Gzip => "-gz",
            Encoding::Identity => "",
        }
    }
}

/// Picks the encoding from `Accept-Encoding` among those stored: brotli
/// unless the browser prefers gzip, then gzip, then the plain bytes.
/// `q=0` refuses an encoding; `*` stands for any not named.
pub fn choose(accept: Option<&str>, has_brotli: bool, has_gzip: bool) -> Encoding {
    let (mut br, mut gz, mut any) = (None, None, None);
    for item in accept.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gz = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let br = if has_brotli {
        br.or(any).unwrap_or(0.0)
    } else {
        0.0
    };
    let gz = if has_gzip {
        gz.or(any).unwrap_or(0.0)
    } else {
        0.0
    };
    if br > 0.0 && br >= gz {
        Encoding::Brotli
    } else if gz > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether `If-None-Match` names `etag` (or is `*`): the browser's copy is current.
pub fn not_modified(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| {
        v.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::*;

    /// `Accept-Encoding`, whether brotli and gzip forms are stored, and the
    /// encoding chosen.
    const CHOICES: &[(Option<&str>, bool, bool, Encoding)] = &[
        // brotli first, then gzip, then plain
        (Some("gzip, deflate, br, zstd"), true, true, Brotli),
        (Some("gzip, deflate"), true, true, Gzip),
        (Some("deflate"), true, true, Identity),
        (None, true, true, Identity),
        (Some(""), true, true, Identity),
        // only stored forms are chosen
        (Some("br, gzip"), false, true, Gzip),
        (Some("br"), false, true, Identity),
        (Some("br, gzip"), false, false, Identity),
        // quality values are honoured
        (Some("br;q=0, gzip"), true, true, Gzip),
        (Some("br;q=0.5, gzip;q=0.9"), true, true, Gzip),
        (Some("br;q=0.9, gzip;q=0.9"), true, true, Brotli),
        (Some("gzip;q=0, br;q=0"), true, true, Identity),
        (Some("GZIP ; q=1"), true, true, Gzip),
        (Some("br;q=nonsense"), true, true, Brotli),
        // a star stands for the unnamed
        (Some("*"), true, true, Brotli),
        (Some("br;q=0, *"), true, true, Gzip),
        (Some("*;q=0"), true, true, Identity),
    ];

    #[test]
    fn brotli_then_gzip_then_plain_by_quality_among_stored_forms() {
        for &(accept, br, gz, want) in CHOICES {
            assert_eq!(choose(accept, br, gz), want, "{accept:?} br={br} gz={gz}");
        }
    }

    #[test]
    fn entity_tags_match_strong_weak_and_star() {
        assert!(not_modified(Some("\"abc-br\""), "\"abc-br\""));
        assert!(not_modified(Some("\"x\", W/\"abc-br\""), "\"abc-br\""));
        assert!(not_modified(Some("*"), "\"abc\""));
        assert!(!not_modified(Some("\"abc\""), "\"abc-br\""));
        assert!(!not_modified(None, "\"abc\""));
    }
}
