//! The certificate files a PostgreSQL store's URL names (`sslrootcert`,
//! `sslcert`, `sslkey`), checked before connecting: sqlx reads them in the
//! middle of the handshake, and a missing one then comes out as "error
//! communicating with database: No such file or directory", naming no file.

use super::StoreError;

/// The query keys sqlx reads a file from, each alias included.
const KEYS: [&str; 7] = [
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
];

/// Fails, naming the key and the file, when a file `url` names cannot be
/// opened for reading. A PEM given inline is not a file; a URL that does
/// not parse is left for sqlx to refuse.
pub(super) fn check(url: &str) -> Result<(), StoreError> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(());
    };
    for (key, value) in parsed.query_pairs() {
        // sqlx's test for a PEM in the URL rather than a path.
        let inline = value.trim().starts_with("-----BEGIN");
        if !KEYS.contains(&key.as_ref()) || inline {
            continue;
        }
        if let Err(e) = std::fs::File::open(value.as_ref()) {
            return Err(StoreError::Config(format!("{key}={value}: {e}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named() {
        let url = "postgres://p@h:5432/db?sslmode=verify-full&sslrootcert=/nonexistent/ca%20x.pem";
        match check(url) {
            Err(StoreError::Config(why)) => assert!(
                why.starts_with("sslrootcert=/nonexistent/ca x.pem: ")
                    && why.contains("No such file"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        let key = "postgres://p@h/db?ssl-key=/nonexistent/k.pem";
        assert!(matches!(check(key), Err(StoreError::Config(w)) if w.starts_with("ssl-key=")));
    }

    #[test]
    fn readable_files_and_other_settings_pass() {
        let here = std::env::current_exe().expect("the test binary");
        let url = format!(
            "postgres://p@h/db?sslmode=verify-full&sslrootcert={}&application_name=x",
            here.display()
        );
        assert!(check(&url).is_ok());
        assert!(check("postgres://p@h/db?sslrootcert=-----BEGIN%20CERTIFICATE-----").is_ok());
        assert!(check("postgres://p@h/db").is_ok());
    }
}
