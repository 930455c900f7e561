//! What can go wrong talking to etcd, as one enum callers match on. It is
//! made in one place, [`EtcdError::classify`], from etcd-client's error:
//! by gRPC status code where etcd gives one, by etcd's own words only
//! where one code covers several meanings.

use std::time::Duration;

use tonic::Code;

use crate::error::AppError;

/// An etcd request that failed. `Display` gives the words an operator
/// reads (etcd's own, with a hint in front where one helps).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EtcdError {
    /// No connection within the dial timeout; `to` is `etcd` or the URLs.
    #[error("no connection to {to} within {after:?} (--dial-timeout)")]
    DialTimeout { to: String, after: Duration },
    /// No answer within `limit`; `flag` names the setting behind it.
    #[error("{}", timeout_words(*limit, *flag))]
    Timeout {
        limit: Duration,
        flag: Option<&'static str>,
    },
    /// A member added but not started has no client URLs to ask.
    #[error("the member has no client URLs yet (not started)")]
    NotStarted,
    /// No connection could be opened, so etcd never saw the request.
    #[error("{0}")]
    NotConnected(String),
    /// The way to etcd broke, or etcd says it cannot serve right now.
    #[error("{0}")]
    Unreachable(String),
    /// TLS failed: an untrusted CA, a refused client certificate, a name.
    #[error("{0}")]
    Tls(String),
    /// Patrol's etcd user lacks the right, or its credentials are refused.
    #[error("{0}")]
    PermissionDenied(String),
    /// The revision asked for is compacted away.
    #[error("{0}")]
    Compacted(String),
    /// The revision asked for is newer than etcd's.
    #[error("{0}")]
    FutureRevision(String),
    /// etcd refuses as things stand: a learner not in sync, an unhealthy
    /// cluster, not the leader, no such member.
    #[error("{0}")]
    Refused(String),
    /// Anything else, in etcd's words.
    #[error("{0}")]
    Other(String),
}

fn timeout_words(limit: Duration, flag: Option<&'static str>) -> String {
    match flag {
        Some(flag) => format!("etcd did not answer within {limit:?} ({flag})"),
        None => format!("no answer within {limit:?}"),
    }
}

/// etcd's words for refusals that share a gRPC code with other errors
/// (`FailedPrecondition`, `Unavailable`, `NotFound`).
const REFUSALS: [&str; 5] = [
    "in sync",
    "unhealthy",
    "learner",
    "not leader",
    "member not found",
];

impl EtcdError {
    /// Sorts `err` into a variant; `words` is how it reads (see
    /// [`super::explain`]).
    pub fn classify(err: &etcd_client::Error, words: String) -> EtcdError {
        let refusal = |text: &str| REFUSALS.iter().any(|r| text.contains(r));
        match err {
            etcd_client::Error::GRpcStatus(status) => {
                let message = status.message();
                match status.code() {
                    Code::OutOfRange if message.contains("compacted") => {
                        EtcdError::Compacted(words)
                    }
                    Code::OutOfRange if message.contains("future revision") => {
                        EtcdError::FutureRevision(words)
                    }
                    Code::PermissionDenied | Code::Unauthenticated => {
                        EtcdError::PermissionDenied(words)
                    }
                    // etcd answers a missing or wrong login this way.
                    Code::InvalidArgument
                        if message.contains("user name is empty")
                            || message.contains("authentication failed") =>
                    {
                        EtcdError::PermissionDenied(words)
                    }
                    _ if refusal(message) => EtcdError::Refused(words),
                    Code::Unavailable
                    | Code::DeadlineExceeded
                    | Code::Unknown
                    | Code::Cancelled => EtcdError::transport(words),
                    _ => EtcdError::Other(words),
                }
            }
            etcd_client::Error::TransportError(_) | etcd_client::Error::IoError(_) => {
                EtcdError::transport(words)
            }
            _ if words.contains("authentication failed") => EtcdError::PermissionDenied(words),
            _ => EtcdError::Other(words),
        }
    }

    /// A failure on the way to etcd, sorted by how it reads: TLS (the
    /// hint [`super::explain`] puts in front), never connected, or broken.
    fn transport(words: String) -> EtcdError {
        let never_sent = [
            "tcp connect error",
            "Connection refused",
            "connection refused",
        ];
        if words.starts_with("TLS:") {
            EtcdError::Tls(words)
        } else if never_sent.iter().any(|s| words.contains(s)) {
            EtcdError::NotConnected(words)
        } else {
            EtcdError::Unreachable(words)
        }
    }

    /// The request never reached etcd, so sending it again is safe.
    pub fn never_sent(&self) -> bool {
        matches!(self, EtcdError::NotConnected(_) | EtcdError::NotStarted)
    }

    /// The way to the member failed, rather than etcd answering: another
    /// member may do better.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            EtcdError::NotConnected(_)
                | EtcdError::Unreachable(_)
                | EtcdError::Timeout { .. }
                | EtcdError::DialTimeout { .. }
                | EtcdError::NotStarted
        )
    }
}

/// How a refusal reaches the caller: Patrol's etcd user lacking a right is
/// forbidden (403, never taken for an outage), a refusal as things stand
/// a conflict (409), anything else etcd being unavailable (503).
impl From<EtcdError> for AppError {
    fn from(e: EtcdError) -> AppError {
        match e {
            EtcdError::PermissionDenied(words) => {
                AppError::Forbidden(format!("etcd refused Patrol's etcd user: {words}"))
            }
            EtcdError::Compacted(words)
            | EtcdError::FutureRevision(words)
            | EtcdError::Refused(words) => AppError::Conflict(words),
            other => AppError::Unavailable(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grpc(code: Code, message: &str) -> EtcdError {
        let e = etcd_client::Error::GRpcStatus(tonic::Status::new(code, message));
        EtcdError::classify(&e, format!("etcd says: {message}"))
    }

    #[test]
    fn grpc_codes_sort_errors() {
        let table = [
            (
                Code::OutOfRange,
                "etcdserver: mvcc: required revision has been compacted",
                "Compacted",
            ),
            (
                Code::OutOfRange,
                "etcdserver: mvcc: required revision is a future revision",
                "FutureRevision",
            ),
            (
                Code::PermissionDenied,
                "etcdserver: permission denied",
                "PermissionDenied",
            ),
            (
                Code::InvalidArgument,
                "etcdserver: user name is empty",
                "PermissionDenied",
            ),
            (
                Code::FailedPrecondition,
                "etcdserver: can only promote a learner member which is in sync with leader",
                "Refused",
            ),
            (
                Code::Unavailable,
                "etcdserver: unhealthy cluster",
                "Refused",
            ),
            (Code::NotFound, "etcdserver: member not found", "Refused"),
            (
                Code::Unavailable,
                "error trying to connect: tcp connect error: Connection refused",
                "NotConnected",
            ),
            (
                Code::Unavailable,
                "etcdserver: leader changed",
                "Unreachable",
            ),
            (
                Code::InvalidArgument,
                "etcdserver: key is not provided",
                "Other",
            ),
        ];
        for (code, message, want) in table {
            let got = grpc(code, message);
            let name = format!("{got:?}");
            assert!(name.starts_with(want), "{message}: {name}");
            assert_eq!(got.to_string(), format!("etcd says: {message}"));
        }
    }

    #[test]
    fn timeouts_and_lost_connections_read_as_before() {
        let down = EtcdError::NotConnected("connection refused".into());
        assert!(down.never_sent() && down.is_transport());
        let slow = EtcdError::Timeout {
            limit: Duration::from_secs(5),
            flag: Some("--command-timeout"),
        };
        assert_eq!(
            slow.to_string(),
            "etcd did not answer within 5s (--command-timeout)"
        );
        let probe = EtcdError::Timeout {
            limit: Duration::from_millis(1500),
            flag: None,
        };
        assert_eq!(probe.to_string(), "no answer within 1.5s");
    }

    #[test]
    fn refusals_are_conflicts() {
        let e = grpc(
            Code::OutOfRange,
            "etcdserver: mvcc: required revision has been compacted",
        );
        assert!(matches!(AppError::from(e), AppError::Conflict(_)));
        let e = EtcdError::classify(
            &etcd_client::Error::IoError(std::io::ErrorKind::ConnectionRefused.into()),
            "connection refused".into(),
        );
        assert!(matches!(AppError::from(e), AppError::Unavailable(_)));
        let e = etcd_client::Error::GRpcStatus(tonic::Status::new(
            Code::PermissionDenied,
            "etcdserver: permission denied",
        ));
        let denied = EtcdError::classify(
            &e,
            "grpc-status: PermissionDenied, etcdserver: permission denied".into(),
        );
        assert_eq!(
            AppError::from(denied).to_string(),
            "forbidden: etcd refused Patrol's etcd user: \
             grpc-status: PermissionDenied, etcdserver: permission denied"
        );
    }

    #[test]
    fn tls_reads_from_the_hint() {
        let e = EtcdError::transport("TLS: etcd's certificate is not signed (x)".into());
        assert!(matches!(e, EtcdError::Tls(_)));
    }
}
