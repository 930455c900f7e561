//! The etcd clusters of the configuration: the one of the command line's
//! flags (`--endpoints` and the rest), and one per `[etcd.<name>]` table of
//! the `--config` file. A table holds only what differs between etcd
//! clusters ([`super::file::TABLE_KEYS`]); what it leaves out of
//! `namespace`, the timeouts and the Patroni REST settings it takes from
//! the flags.

use app::etcd::EtcdConfig;
use app::patroni::rest::PatroniRestConfig;

use super::Config;

/// Name of the flags' etcd cluster when `--etcd-name` gives none.
pub const DEFAULT_NAME: &str = "default";

/// One `[etcd.<name>]` table, parsed as the flags it stands for.
#[derive(Debug, Clone)]
pub struct EtcdTable {
    pub name: String,
    /// The keys it gives (`dial_timeout`), to tell what it inherits.
    pub keys: Vec<String>,
    pub config: Box<Config>,
}

/// One etcd cluster as Patrol will serve it.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub name: String,
    /// It is the etcd cluster of the command line's flags.
    pub from_flags: bool,
    pub etcd: EtcdConfig,
    pub namespaces: Vec<String>,
    pub patroni_rest: PatroniRestConfig,
}

impl Config {
    /// Every etcd cluster to serve, the home one first: the flags' etcd
    /// cluster unless the file names `[etcd.<name>]` tables and neither
    /// `--endpoints` nor `--etcd-name` (nor `--patroni-config`) was given,
    /// then each table in the file's order. Fails on a name used twice or
    /// an unreadable Patroni REST file.
    pub fn sites(&self) -> Result<Vec<SiteConfig>, String> {
        let mut sites = Vec::new();
        if self.etcd_tables.is_empty() || self.endpoints_given || self.etcd_name.is_some() {
            sites.push(SiteConfig {
                name: self
                    .etcd_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_NAME.to_owned()),
                from_flags: true,
                etcd: self.etcd(),
                namespaces: self.namespaces.clone(),
                patroni_rest: self.patroni_rest()?,
            });
        }
        for table in &self.etcd_tables {
            if sites.iter().any(|s| s.name == table.name) {
                return Err(format!(
                    "etcd.{0}: the etcd cluster of --endpoints is named {0} too; give it another --etcd-name",
                    table.name
                ));
            }
            let gives = |key: &str| table.keys.iter().any(|k| k == key);
            let own = &table.config;
            let mut etcd = own.etcd();
            if !gives("dial_timeout") {
                etcd.dial_timeout = self.dial_timeout;
            }
            if !gives("command_timeout") {
                etcd.command_timeout = self.command_timeout;
            }
            let rest_keys = [
                "patroni_rest",
                "patroni_user",
                "patroni_user_file",
                "patroni_cacert",
            ];
            let patroni_rest = if rest_keys.iter().any(|k| gives(k)) {
                own.patroni_rest()
                    .map_err(|e| format!("etcd.{}: {e}", table.name))?
            } else {
                self.patroni_rest()?
            };
            sites.push(SiteConfig {
                name: table.name.clone(),
                from_flags: false,
                etcd,
                namespaces: if gives("namespace") {
                    own.namespaces.clone()
                } else {
                    self.namespaces.clone()
                },
                patroni_rest,
            });
        }
        Ok(sites)
    }
}

#[cfg(test)]
#[path = "fleet_tests.rs"]
mod tests;
