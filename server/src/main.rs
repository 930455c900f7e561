//! `patrol`: parse the command line, bind, serve.

use std::process::ExitCode;

use app::etcd::SetupError;
use server::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("hash-password") => return hash_password(),
        Some("check-config") => {
            return server::config::check::run(
                std::env::args_os()
                    .enumerate()
                    .filter(|(i, _)| *i != 1)
                    .map(|(_, a)| a),
            )
        }
        _ => {}
    }
    let loaded = Config::from_args();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("PATROL_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    for warning in &loaded.warnings {
        tracing::warn!("--patroni-config: {warning}");
    }
    let config = loaded.config;
    if let Some(file) = &config.config {
        tracing::info!(file = %file.display(), "configuration file read");
    }
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {} (--listen): {e}", config.listen);
            return ExitCode::from(1);
        }
    };
    match listener.local_addr() {
        Ok(addr) => {
            tracing::info!(endpoints = ?config.endpoints, namespaces = ?config.namespaces, "patrol listening on http://{addr}")
        }
        Err(e) => tracing::warn!("listening, address unknown: {e}"),
    }
    match server::launch(config, listener, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<SetupError>() => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// `patrol hash-password`: reads a password from the first line of standard
/// input and prints its argon2 PHC hash for --admin-password-hash-file.
fn hash_password() -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut line) {
        eprintln!("error: cannot read the password from standard input: {e}");
        return ExitCode::from(1);
    }
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        eprintln!("error: empty password (give it on standard input)");
        return ExitCode::from(2);
    }
    match app::auth::password::hash(password) {
        Ok(phc) => {
            println!("{phc}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (how the test bed and service managers stop us).
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
