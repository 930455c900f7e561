//! Secrets in the configuration: a value whose `Debug` never shows it, and
//! the first line of a secret file.

/// A secret string (the admin's password hash); `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The first line of the file at `path`, without its line ending. Errors
/// name the file, never its content.
pub(super) fn first_line(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    match text.lines().next().map(|l| l.trim_end_matches('\r')) {
        Some(line) if !line.trim().is_empty() => Ok(line.to_owned()),
        _ => Err(format!("{path}: its first line is empty")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let shown = format!("{:?}", Some(Secret::new("$argon2id$v=19$s3cret")));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn first_line_only_and_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("patrol-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("s");
        std::fs::write(&file, "root:pw\r\nsecond line\n").expect("write");
        let path = file.to_string_lossy().into_owned();
        assert_eq!(first_line(&path).as_deref(), Ok("root:pw"));

        std::fs::write(&file, "\nhidden:below\n").expect("write");
        let err = first_line(&path).expect_err("empty first line");
        assert!(err.contains(&path) && !err.contains("hidden"), "{err}");

        let missing = dir.join("missing").to_string_lossy().into_owned();
        assert!(first_line(&missing)
            .expect_err("missing")
            .contains(&missing));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
