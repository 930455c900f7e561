//! What can go wrong with the store, classified by the back end's error
//! codes (SQLite's result codes, PostgreSQL's SQLSTATE), never by message
//! text.

/// Why the store could not be opened, read or written. The words go to the
/// server's log and start-up errors; the browser gets a shorter refusal.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or opened (down, refused, TLS, login,
    /// no such database, a file that cannot be opened).
    #[error("cannot reach the store: {0}")]
    Unreachable(String),
    /// The store was migrated by a newer Patrol.
    #[error("the store's schema is version {found}, newer than this Patrol knows ({known}): run a Patrol at least as new as the one that migrated it, or use another store")]
    SchemaNewer { found: i64, known: i64 },
    /// The database refuses writes (a read-only file, a read-only
    /// PostgreSQL transaction or standby).
    #[error("the store is read-only: {0}")]
    ReadOnly(String),
    /// No space left where the database writes.
    #[error("the store's disk is full: {0}")]
    DiskFull(String),
    /// Another writer held the database for longer than the busy timeout.
    #[error("the store is busy: {0}")]
    Busy(String),
    /// A setting of `--store` that cannot work.
    #[error("invalid store setting: {0}")]
    Config(String),
    /// The database holds something Patrol cannot read back.
    #[error("the store holds data Patrol cannot read: {0}")]
    Corrupt(String),
    /// Any other failed statement.
    #[error("a store query failed: {0}")]
    Query(String),
}

/// Which back end an error came from, for its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl StoreError {
    /// Whether [`Store::open`](super::Store::open) put the store's name in
    /// this error's words already: it does, through [`StoreError::naming`],
    /// for the kinds about where the store is (unreachable, read-only, full).
    pub fn names_store(&self) -> bool {
        matches!(
            self,
            StoreError::Unreachable(_) | StoreError::ReadOnly(_) | StoreError::DiskFull(_)
        )
    }

    /// This error with `name` in front of its detail, for the kinds
    /// [`StoreError::names_store`] lists; any other kind as it is.
    pub(crate) fn naming(self, name: &str) -> StoreError {
        match self {
            StoreError::Unreachable(d) => StoreError::Unreachable(format!("{name}: {d}")),
            StoreError::ReadOnly(d) => StoreError::ReadOnly(format!("{name}: {d}")),
            StoreError::DiskFull(d) => StoreError::DiskFull(format!("{name}: {d}")),
            other => other,
        }
    }

    /// Classifies an error of sqlx.
    pub fn from_sqlx(e: sqlx::Error) -> StoreError {
        use sqlx::Error as E;
        let text = e.to_string();
        match &e {
            E::Database(db) => {
                let kind = if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    Kind::Sqlite
                } else {
                    Kind::Postgres
                };
                classify(kind, db.code().as_deref().unwrap_or(""), text)
            }
            // sqlx hands a failed TLS handshake on as an I/O error that
            // wraps rustls' own, which says why.
            E::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
                Some(tls) => StoreError::Unreachable(format!("{} ({text})", tls_hint(tls))),
                None => match io.kind() {
                    std::io::ErrorKind::StorageFull => StoreError::DiskFull(text),
                    std::io::ErrorKind::ReadOnlyFilesystem => StoreError::ReadOnly(text),
                    _ => StoreError::Unreachable(text),
                },
            },
            E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Protocol(_) => {
                StoreError::Unreachable(text)
            }
            E::Configuration(_) => StoreError::Config(text),
            E::RowNotFound
            | E::TypeNotFound { .. }
            | E::ColumnIndexOutOfBounds { .. }
            | E::ColumnNotFound(_)
            | E::ColumnDecode { .. }
            | E::Decode(_) => StoreError::Corrupt(text),
            _ => StoreError::Query(text),
        }
    }

    /// True when the store could not take the write at all (so nothing was
    /// recorded), as opposed to a statement Patrol got wrong.
    pub fn is_outage(&self) -> bool {
        !matches!(self, StoreError::Query(_) | StoreError::Corrupt(_))
    }
}

/// What a failed TLS handshake with PostgreSQL means for the `--store` URL.
fn tls_hint(e: &rustls::Error) -> &'static str {
    use rustls::{CertificateError as C, Error as T};
    match e {
        T::InvalidCertificate(C::UnknownIssuer) => {
            "TLS: the PostgreSQL server's certificate is not signed by a CA Patrol trusts \
             (the sslrootcert file of --store, or the system's CAs)"
        }
        T::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "TLS: the PostgreSQL server's certificate does not name the host in --store"
        }
        T::InvalidCertificate(
            C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. },
        ) => "TLS: the PostgreSQL server's certificate has expired or is not valid yet",
        T::InvalidCertificate(_) => "TLS: the PostgreSQL server's certificate was not accepted",
        T::AlertReceived(_) => {
            "TLS: the PostgreSQL server refused the handshake (does it want a client \
             certificate, sslcert and sslkey in --store?)"
        }
        _ => "TLS: the handshake with the PostgreSQL server failed",
    }
}

/// The error for a back end's `code` (SQLite's extended result code in
/// decimal, PostgreSQL's SQLSTATE), with `text` as its detail.
pub fn classify(kind: Kind, code: &str, text: String) -> StoreError {
    match kind {
        Kind::Sqlite => {
            // The primary result code is the low byte of the extended one.
            match code.parse::<i32>().map(|c| c & 0xff) {
                Ok(8) => StoreError::ReadOnly(text),          // SQLITE_READONLY
                Ok(13) => StoreError::DiskFull(text),         // SQLITE_FULL
                Ok(5 | 6) => StoreError::Busy(text),          // SQLITE_BUSY, SQLITE_LOCKED
                Ok(10 | 14) => StoreError::Unreachable(text), // SQLITE_IOERR, SQLITE_CANTOPEN
                Ok(11 | 26) => StoreError::Corrupt(text),     // SQLITE_CORRUPT, SQLITE_NOTADB
                _ => StoreError::Query(text),
            }
        }
        Kind::Postgres => match code {
            "53100" => StoreError::DiskFull(text),
            "25006" => StoreError::ReadOnly(text),
            "53300" | "57P01" | "57P02" | "57P03" | "3D000" => StoreError::Unreachable(text),
            c if c.starts_with("08") || c.starts_with("28") => StoreError::Unreachable(text),
            "40001" | "40P01" | "55P03" => StoreError::Busy(text),
            _ => StoreError::Query(text),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_not_words_decide() {
        let t = || "some words".to_owned();
        assert!(matches!(
            classify(Kind::Sqlite, "8", t()),
            StoreError::ReadOnly(_)
        ));
        // SQLITE_READONLY_DBMOVED (1032) is a read-only error too.
        assert!(matches!(
            classify(Kind::Sqlite, "1032", t()),
            StoreError::ReadOnly(_)
        ));
        assert!(matches!(
            classify(Kind::Sqlite, "13", t()),
            StoreError::DiskFull(_)
        ));
        assert!(matches!(
            classify(Kind::Sqlite, "517", t()),
            StoreError::Busy(_)
        ));
        assert!(matches!(
            classify(Kind::Sqlite, "14", t()),
            StoreError::Unreachable(_)
        ));
        assert!(matches!(
            classify(Kind::Sqlite, "19", t()),
            StoreError::Query(_)
        ));
        assert!(matches!(
            classify(Kind::Postgres, "53100", t()),
            StoreError::DiskFull(_)
        ));
        assert!(matches!(
            classify(Kind::Postgres, "25006", t()),
            StoreError::ReadOnly(_)
        ));
        assert!(matches!(
            classify(Kind::Postgres, "08006", t()),
            StoreError::Unreachable(_)
        ));
        assert!(matches!(
            classify(Kind::Postgres, "28P01", t()),
            StoreError::Unreachable(_)
        ));
        assert!(matches!(
            classify(Kind::Postgres, "42P01", t()),
            StoreError::Query(_)
        ));
        assert!(matches!(
            classify(Kind::Postgres, "", t()),
            StoreError::Query(_)
        ));
    }

    /// A handshake error as sqlx returns it: rustls' inside an I/O error.
    fn handshake(e: rustls::Error) -> StoreError {
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        StoreError::from_sqlx(sqlx::Error::Io(io))
    }

    #[test]
    fn a_failed_tls_handshake_says_what_to_check() {
        use rustls::CertificateError as C;
        let words = |e| match handshake(rustls::Error::InvalidCertificate(e)) {
            StoreError::Unreachable(d) => d,
            other => panic!("{other}"),
        };
        let issuer = words(C::UnknownIssuer);
        assert!(
            issuer.starts_with("TLS: the PostgreSQL server's certificate is not signed")
                && issuer.contains("sslrootcert")
                && issuer.contains("UnknownIssuer"),
            "{issuer}"
        );
        let name = words(C::NotValidForName);
        assert!(name.contains("does not name the host"), "{name}");
        let expired = words(C::Expired);
        assert!(expired.contains("has expired"), "{expired}");
        // Other I/O errors keep their plain classification.
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(matches!(
            StoreError::from_sqlx(sqlx::Error::Io(refused)),
            StoreError::Unreachable(d) if !d.contains("TLS")
        ));
    }

    #[test]
    fn outages_are_told_apart_from_mistakes() {
        assert!(StoreError::ReadOnly(String::new()).is_outage());
        assert!(StoreError::Unreachable(String::new()).is_outage());
        assert!(!StoreError::Query(String::new()).is_outage());
    }
}
