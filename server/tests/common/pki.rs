//! Throwaway certificates made with the openssl command: a CA, a second CA
//! that signed nothing of ours (for "wrong CA" tests), and a server
//! certificate for 127.0.0.1 and localhost.

use std::path::Path;
use std::process::Command;

use super::{succeed, TempDir};

fn openssl(dir: &Path, args: &[&str]) {
    succeed(Command::new("openssl").current_dir(dir).args(args));
}

/// A self-signed CA: `name.pem` and `name.key` in `dir`.
pub fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-subj",
            &format!("/CN={name}"),
        ],
    );
}

/// A certificate for `name` signed by the CA `ca` (`san` for servers):
/// `name.pem` and `name.key` in `dir`.
pub fn issue(dir: &Path, ca: &str, name: &str, san: Option<&str>) {
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    let usage = if san.is_some() {
        "serverAuth,clientAuth"
    } else {
        "clientAuth"
    };
    let mut text = format!("extendedKeyUsage={usage}\n");
    if let Some(san) = san {
        text.push_str(&format!("subjectAltName={san}\n"));
    }
    std::fs::write(dir.join(format!("{name}.ext")), text).expect("write ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

/// `ca.pem`, `other-ca.pem` and `server.pem` (IP 127.0.0.1, DNS localhost,
/// signed by `ca`) with their keys, in a temporary directory of their own.
pub struct Pki {
    pub dir: TempDir,
}

impl Pki {
    pub fn new(tag: &str) -> Pki {
        let dir = TempDir::new(tag);
        make_ca(dir.path(), "ca");
        make_ca(dir.path(), "other-ca");
        issue(
            dir.path(),
            "ca",
            "server",
            Some("IP:127.0.0.1,DNS:localhost"),
        );
        Pki { dir }
    }

    /// The path of `name` (`ca.pem`, `server.key`, ...).
    pub fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}
