//! What an action reaches, and nothing more: etcd to read and pin the
//! cluster, Patroni's REST API to act, the audit log to record it.

use crate::audit::log::AuditLog;
use crate::etcd::Gateway;
use crate::patroni::rest::PatroniRest;

/// The services of the actions. Cheap to clone; axum handlers take it as
/// `State<Services>`, server functions make it from the state in context.
#[derive(Clone)]
pub struct Services {
    pub etcd: Gateway,
    pub patroni: PatroniRest,
    /// Where actions are recorded; one that cannot be recorded does not run.
    pub audit: AuditLog,
}
