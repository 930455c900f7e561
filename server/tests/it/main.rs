//! Patrol's integration tests, one binary: each file here was a test binary
//! of its own and is now a module, so the server is linked once instead of
//! once per file. nextest still runs every test in a process of its own,
//! which several rely on (one `patrol` child per test process).
//! `.config/nextest.toml` names the modules whose tests change the test bed.
//!
//! A new file of tests goes here as a module (`mod <file>;`) using the kit
//! as `crate::common`; a file left in `server/tests/` with `mod common;`
//! still builds as a binary of its own.

#[path = "../common/mod.rs"]
mod common;
mod prefix;
mod scratch;

mod actions;
mod audit_store;
mod auth;
mod cli;
mod cluster;
mod config_file;
mod edit_config;
mod etcd;
mod etcd_actions;
mod etcd_maintenance;
mod etcd_readiness;
mod etcd_status_shared;
mod fleet;
mod flush;
mod guard;
mod hostile;
mod kv;
mod kv_write;
mod lag_history;
mod limits;
mod member_actions;
mod patroni_config;
mod patroni_rest;
mod quorum;
mod recovery;
mod router;
mod sessions_shared;
mod site;
mod standby;
mod store;
mod store_failover;
mod store_faults;
mod store_tls;
mod testbed;
mod tls;
