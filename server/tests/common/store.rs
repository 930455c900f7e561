//! Stores for tests: a throwaway PostgreSQL 15 server of the test's own
//! (initdb into a temporary directory, run as user `postgres`, password
//! login for role `patrol`, 127.0.0.1 only, with or without TLS), and the
//! flags that point a Patrol at it or at a SQLite file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::pki::Pki;
use super::{free_port, percent_encode, succeed, TempDir};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The test-only password of role `patrol`.
pub const PASSWORD: &str = "patrol-store-secret";

/// Patrol's flags for a SQLite store at `path`.
pub fn sqlite_flags(path: &Path) -> Vec<String> {
    vec!["--store".into(), format!("sqlite:{}", path.display())]
}

/// A PostgreSQL server of the test's own; stopped and removed on drop.
pub struct Postgres {
    dir: TempDir,
    pub port: u16,
    /// Its certificates, when it was started with TLS.
    pki: Option<Pki>,
}

fn as_postgres(program: &str) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=postgres", "--regid=postgres", "--init-groups"])
        .arg(format!("{PG_BIN}/{program}"));
    cmd
}

impl Postgres {
    /// initdb and start; returns once it takes connections.
    pub fn start() -> Postgres {
        let pg = Postgres::init(None);
        pg.resume();
        pg
    }

    /// initdb and start with TLS, which TCP connections must use (pg_hba
    /// refuses them without it, so a connection that got in used TLS): a
    /// certificate for 127.0.0.1 and localhost signed by `ca.pem`, and
    /// `other-ca.pem`, a CA that signed nothing of it (see
    /// [`Postgres::tls_file`]). [`Postgres::url`] verifies it against `ca.pem`.
    pub fn start_tls() -> Postgres {
        let pki = Pki::new("store-pg-tls");
        let key = pki.dir.path().join("server.key");
        // PostgreSQL reads its key only when its own user owns it, 0600.
        succeed(
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pki.dir.path()),
        );
        succeed(Command::new("chmod").arg("600").arg(&key));
        let pg = Postgres::init(Some(pki));
        let hba = "local all all scram-sha-256\n\
                   hostssl all all 127.0.0.1/32 scram-sha-256\n\
                   hostnossl all all 127.0.0.1/32 reject\n";
        std::fs::write(pg.dir.path().join("data/pg_hba.conf"), hba).expect("pg_hba.conf");
        pg.resume();
        pg
    }

    /// initdb, with TLS on when given certificates; not started.
    fn init(pki: Option<Pki>) -> Postgres {
        let dir = TempDir::new("store-pg");
        let pw = dir.path().join("password");
        std::fs::write(&pw, format!("{PASSWORD}\n")).expect("password file");
        succeed(
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path()),
        );
        let data = dir.path().join("data");
        succeed(
            as_postgres("initdb")
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "patrol",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ])
                .arg(format!("--pwfile={}", pw.display()))
                .env("LC_ALL", "C"),
        );
        let port = free_port();
        // In the configuration file, so that a restart keeps them.
        let mut settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\n",
            dir.path().display()
        );
        if let Some(pki) = &pki {
            settings.push_str(&format!(
                "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
                pki.file("server.pem"),
                pki.file("server.key")
            ));
        }
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("postgresql.conf");
        Postgres { dir, port, pki }
    }

    /// `postgres://patrol@127.0.0.1:PORT/DB` (the password comes from
    /// [`Postgres::password_file`]); on a server started with TLS, with
    /// `?sslmode=verify-full&sslrootcert=` its CA.
    pub fn url(&self, db: &str) -> String {
        match &self.pki {
            Some(_) => self.url_with(db, &self.verify_full("ca.pem")),
            None => format!("postgres://patrol@127.0.0.1:{}/{db}", self.port),
        }
    }

    /// The URL of database `db` with `query` (`sslmode=disable`, ...).
    pub fn url_with(&self, db: &str, query: &str) -> String {
        format!("postgres://patrol@127.0.0.1:{}/{db}?{query}", self.port)
    }

    /// `sslmode=verify-full&sslrootcert=` the CA file `ca` of
    /// [`Postgres::tls_file`].
    pub fn verify_full(&self, ca: &str) -> String {
        let path = percent_encode(&self.tls_file(ca), "/");
        format!("sslmode=verify-full&sslrootcert={path}")
    }

    /// The path of certificate file `name` (`ca.pem`, `other-ca.pem`) of a
    /// server started with [`Postgres::start_tls`].
    pub fn tls_file(&self, name: &str) -> String {
        self.pki
            .as_ref()
            .expect("a server started with start_tls")
            .file(name)
    }

    /// A file whose first line is the password.
    pub fn password_file(&self) -> PathBuf {
        self.dir.path().join("password")
    }

    /// Patrol's flags for database `db` of this server.
    pub fn flags(&self, db: &str) -> Vec<String> {
        vec![
            "--store".into(),
            self.url(db),
            "--store-password-file".into(),
            self.password_file().to_string_lossy().into_owned(),
        ]
    }

    /// Runs `sql` with psql as `patrol` in database `db`; its output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = succeed(
            Command::new(format!("{PG_BIN}/psql"))
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "patrol",
                    "-d",
                    db,
                ])
                .args(["-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
                .env("PGPASSWORD", PASSWORD),
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A fresh database with a random name.
    pub fn create_db(&self) -> String {
        let name = format!("patrol_{}_{}", std::process::id(), free_port());
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Makes database `db` refuse writes, as a store failed over to a
    /// standby would: new transactions are read-only, and the connections
    /// open now are ended, so a Patrol's pool reconnects into that.
    pub fn make_read_only(&self, db: &str) {
        self.psql(
            db,
            &format!("ALTER DATABASE {db} SET default_transaction_read_only = on"),
        );
        self.psql(
            "postgres",
            &format!(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = '{db}' AND pid <> pg_backend_pid()"
            ),
        );
    }

    /// Stops the server (fast shutdown) to take the store away.
    pub fn stop(&self) {
        self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }

    /// Starts it again with the same data and port; waits until it answers.
    pub fn resume(&self) {
        self.pg_ctl(&["-w", "-t", "60", "start"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Command::new(format!("{PG_BIN}/pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .output()
            .map_or(true, |o| !o.status.success())
        {
            assert!(Instant::now() < deadline, "PostgreSQL did not come back");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let _ = as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("postgres.log"))
            .args(args)
            .output();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
