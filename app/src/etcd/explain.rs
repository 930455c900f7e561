//! etcd errors in words an operator can act on.

use std::error::Error;

/// The whole cause chain of `err`, with a hint in front when the cause is
/// one operators meet often (an untrusted CA, a refused client certificate,
/// a refused connection).
pub fn explain(err: &(dyn Error + 'static)) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !chain.contains(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = cause.source();
    }
    match hint(&chain) {
        Some(hint) => format!("{hint} ({chain})"),
        None => chain,
    }
}

fn hint(chain: &str) -> Option<&'static str> {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("invalid peer certificate")
    {
        Some("TLS: etcd's certificate is not signed by the CA given with --cacert")
    } else if [
        "certificate required",
        "certificaterequired",
        "bad certificate",
        "badcertificate",
    ]
    .iter()
    .any(|s| lower.contains(s))
    {
        Some("TLS: etcd refused Patrol's client certificate (--cert/--key)")
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        Some("TLS: etcd's certificate does not name the host in --endpoints")
    } else if lower.contains("authentication failed") || lower.contains("invalid auth token") {
        Some("etcd refused the credentials given with --user")
    } else if lower.contains("connection refused") {
        Some("nothing listens at the etcd endpoint")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl std::fmt::Display for E {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for E {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn chain_and_hint() {
        let e = E(
            "transport error",
            Some(Box::new(E("invalid peer certificate: UnknownIssuer", None))),
        );
        let text = explain(&e);
        assert!(
            text.starts_with("TLS: etcd's certificate is not signed by the CA given with --cacert"),
            "{text}"
        );
        assert!(
            text.contains("transport error: invalid peer certificate"),
            "{text}"
        );
    }

    #[test]
    fn plain_errors_pass_through() {
        assert_eq!(explain(&E("boom", None)), "boom");
    }
}
