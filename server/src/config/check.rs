//! `patrol check-config`: loads the configuration as `patrol` would, checks
//! everything that can be checked without etcd, and shows each setting with
//! where it came from (secrets as `(hidden)`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use app::etcd::Gateway;
use app::patroni::rest::PatroniRest;

use super::{load, LoadError, Loaded};

/// Runs the check on `args` (the program name first, without `check-config`):
/// 0 and the settings on standard output, or 2 and one line on standard error.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString>,
{
    let loaded = match load(args) {
        Ok(loaded) => loaded,
        Err(LoadError::Exit(e)) => e.exit(),
        Err(LoadError::Invalid(message)) => return fail(&message),
    };
    if let Err(message) = check(&loaded) {
        return fail(&message);
    }
    let mut out = String::from("configuration OK\n");
    let width = loaded
        .origins
        .iter()
        .map(|o| o.key.len())
        .max()
        .unwrap_or(0);
    for o in &loaded.origins {
        out.push_str(&format!(
            "  {:width$}  {}  ({})\n",
            o.key, o.value, o.source
        ));
    }
    for w in &loaded.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// What start-up would refuse, short of connecting: etcd's TLS files and
/// endpoints, the Patroni REST file and CAs, and the places Patrol writes.
fn check(loaded: &Loaded) -> Result<(), String> {
    let config = &loaded.config;
    let _ = rustls::crypto::ring::default_provider().install_default();
    for site in config.sites()? {
        let named = |e: String| match site.from_flags {
            true => e,
            false => format!("etcd.{}: {e}", site.name),
        };
        Gateway::new(&site.etcd).map_err(|e| named(e.to_string()))?;
        PatroniRest::new(site.patroni_rest).map_err(named)?;
    }
    if let Some(log) = &config.audit_log {
        readable(log, "--audit-log")?;
    }
    let store = config.store().map_err(|e| e.to_string())?;
    if let Some(path) = store.sqlite_path() {
        writable(&path, "--store", false)?;
    }
    if let Some(dir) = &config.snapshot_dir {
        writable(dir, "--snapshot-dir", true)?;
    }
    Ok(())
}

/// An audit log file to import: missing is fine (nothing to import), but
/// one that is there must be a readable file.
fn readable(path: &Path, flag: &str) -> Result<(), String> {
    let shown = path.display();
    match std::fs::File::open(path) {
        Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => Ok(()),
        Ok(_) => Err(format!("{flag} {shown}: not a file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{flag} {shown}: {e}")),
    }
}

/// An existing `path` must be of the right kind; a missing one needs a
/// parent directory, unless that is also still to come (systemd creates
/// `StateDirectory=` when the service starts), which is not an error.
fn writable(path: &Path, flag: &str, dir: bool) -> Result<(), String> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(m) if dir && !m.is_dir() => Err(format!("{flag} {shown}: not a directory")),
        Ok(m) if !dir && !m.is_file() => Err(format!("{flag} {shown}: not a file")),
        Ok(m) if m.permissions().readonly() => Err(format!("{flag} {shown}: read-only")),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{flag} {shown}: {e}")),
    }
}
