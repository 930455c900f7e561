//! Stores for tests: a throwaway PostgreSQL 15 server of the test's own
//! (initdb into a temporary directory, run as user `postgres`, password
//! login for role `patrol`, 127.0.0.1 only), and the flags that point a
//! Patrol at it or at a SQLite file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::{free_port, succeed, TempDir};

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
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\n",
            dir.path().display()
        );
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("postgresql.conf");
        let pg = Postgres { dir, port };
        pg.resume();
        pg
    }

    /// `postgres://patrol@127.0.0.1:PORT/DB` (the password comes from
    /// [`Postgres::password_file`]).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://patrol@127.0.0.1:{}/{db}", self.port)
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
