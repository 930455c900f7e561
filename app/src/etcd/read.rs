//! Reads that a stuck etcd member cannot hold up.
//!
//! The shared client spreads requests over every endpoint; a member that is
//! frozen (stopped, swapping, partitioned) keeps its TCP connection open,
//! so a request sent to it hangs until the command timeout. Reads are safe
//! to send twice, so [`Gateway::call_read`] sends each one to a single
//! member, and when that member has not answered within [`HEDGE_AFTER`],
//! to the next one as well, taking whichever answers first. A member that
//! failed or was overtaken is tried last for [`SUSPECT_FOR`].

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use etcd_client::Client;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;

use super::{EtcdError, Gateway};

/// How long a read waits for one member before asking the next as well.
pub const HEDGE_AFTER: Duration = Duration::from_millis(300);
/// How long a read waits before asking every member again when all failed.
pub const RETRY_AFTER: Duration = Duration::from_millis(200);
/// How long a read waits for the members asked before asking them again.
pub const REASK_AFTER: Duration = Duration::from_secs(1);
/// How many times a read asks every member, at most.
pub const ROUNDS: usize = 3;
/// How long a member that failed or was slow is tried after the others.
pub const SUSPECT_FOR: Duration = Duration::from_secs(10);

/// How a read may be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    /// Through the leader: the latest committed state.
    Linearizable,
    /// From the member's own copy, without asking the leader.
    Serializable,
}

impl Consistency {
    /// `opts` asking for this consistency.
    pub fn get_options(self, opts: etcd_client::GetOptions) -> etcd_client::GetOptions {
        match self {
            Consistency::Linearizable => opts,
            Consistency::Serializable => opts.with_serializable(),
        }
    }
}

/// Per configured endpoint: until when it is suspect.
#[derive(Default)]
pub(super) struct Health(Mutex<Vec<Option<Instant>>>);

impl Health {
    /// Endpoint indexes in the order to try them: those not suspect first,
    /// starting at a rotating position so reads spread over the members.
    fn order(&self, n: usize, turn: usize) -> Vec<usize> {
        let now = Instant::now();
        let suspect = |i: usize| {
            self.0
                .lock()
                .ok()
                .and_then(|h| h.get(i).copied().flatten())
                .is_some_and(|until| until > now)
        };
        let mut order: Vec<usize> = (0..n).map(|k| (turn + k) % n.max(1)).collect();
        order.sort_by_key(|&i| suspect(i));
        order
    }

    fn mark(&self, i: usize, suspect: bool) {
        if let Ok(mut h) = self.0.lock() {
            if h.len() <= i {
                h.resize(i + 1, None);
            }
            h[i] = suspect.then(|| Instant::now() + SUSPECT_FOR);
        }
    }
}

impl Gateway {
    /// Runs the read `request` against one member at a time, asking the
    /// next one as well whenever the members asked so far have neither
    /// answered nor failed within [`HEDGE_AFTER`]; the first answer wins.
    /// The first member is asked for a linearizable read, the others for a
    /// [`Consistency::Serializable`] one: with the leader frozen, a
    /// follower holds linearizable reads for etcd's request timeout (about
    /// 7 s), past the election that replaces the leader, while it answers a
    /// serializable read from its own copy at once (no write can commit
    /// without a leader, so that copy is as current as any). Once every
    /// member was asked, it asks them all again after [`REASK_AFTER`], at
    /// most [`ROUNDS`] times. etcd's own refusals (compacted, permission
    /// denied, ...) come back at once; transport failures move on to the
    /// next member. Bounded by the command timeout. Only for requests that
    /// change nothing.
    pub async fn call_read<T, F, Fut>(&self, mut request: F) -> Result<T, EtcdError>
    where
        F: FnMut(Client, Consistency) -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        let endpoints = self.inner.endpoints.clone();
        let n = endpoints.len();
        if n < 2 {
            let client = self.client().await?;
            return self.call(request(client, Consistency::Linearizable)).await;
        }
        let health = &self.inner.read_health;
        let turn = self.inner.read_turn.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + self.inner.command_timeout;
        let mut round = 0;
        let mut order = health.order(n, turn).into_iter();
        let mut running = FuturesUnordered::new();
        // Members asked that have not answered yet.
        let mut pending: Vec<usize> = Vec::new();
        let mut last_error = None;
        loop {
            if let Some(i) = order.next() {
                match self.member_client(&endpoints[i..=i]).await {
                    Ok(client) => {
                        let consistency = if pending.is_empty() && round == 0 {
                            Consistency::Linearizable
                        } else {
                            Consistency::Serializable
                        };
                        let attempt = request(client, consistency);
                        pending.push(i);
                        running.push(async move { (i, attempt.await) });
                    }
                    Err(e) => {
                        health.mark(i, true);
                        last_error = Some(e);
                        continue;
                    }
                }
            }
            let more_rounds = round + 1 < ROUNDS;
            let ask_again = match (order.len() > 0, more_rounds, running.is_empty()) {
                (true, _, _) => Some(HEDGE_AFTER),
                (false, true, true) => Some(RETRY_AFTER),
                (false, true, false) => Some(REASK_AFTER),
                (false, false, _) => None,
            };
            let wait_until = ask_again.map_or(deadline, |d| (Instant::now() + d).min(deadline));
            loop {
                match tokio::time::timeout_at(wait_until, running.next()).await {
                    Ok(Some((i, Ok(answer)))) => {
                        health.mark(i, false);
                        return Ok(answer);
                    }
                    Ok(Some((i, Err(e)))) if is_transport(&e) => {
                        pending.retain(|&p| p != i);
                        health.mark(i, true);
                        tracing::debug!(endpoint = %endpoints[i], "etcd read failed, asking another member: {e}");
                        last_error = Some(self.error(&e));
                        if running.is_empty() && order.len() > 0 {
                            break;
                        }
                    }
                    Ok(Some((_, Err(e)))) => return Err(self.error(&e)),
                    // Nothing under way: ask the next member now, or pause
                    // before the next round.
                    Ok(None) => {
                        if order.len() == 0 {
                            tokio::time::sleep_until(wait_until).await;
                        }
                        break;
                    }
                    Err(_) => {
                        // Slow or stuck: tried last for a while.
                        for &p in &pending {
                            health.mark(p, true);
                        }
                        break;
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(match (pending.is_empty(), last_error) {
                    (true, Some(e)) => e,
                    _ => EtcdError::Timeout {
                        limit: self.inner.command_timeout,
                        flag: Some("--command-timeout"),
                    },
                });
            }
            if order.len() == 0 {
                if !more_rounds && running.is_empty() {
                    return Err(last_error
                        .unwrap_or_else(|| EtcdError::Other("no etcd endpoint to ask".into())));
                }
                if more_rounds {
                    round += 1;
                    order = health.order(n, turn + round).into_iter();
                }
            }
        }
    }
}

/// Whether `e` is the way to the member failing, rather than etcd's answer.
fn is_transport(e: &etcd_client::Error) -> bool {
    use tonic::Code;
    match e {
        etcd_client::Error::GRpcStatus(status) => matches!(
            status.code(),
            Code::Unavailable | Code::DeadlineExceeded | Code::Unknown | Code::Cancelled
        ),
        etcd_client::Error::TransportError(_) | etcd_client::Error::IoError(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspect_members_are_asked_last_and_reads_rotate() {
        let h = Health::default();
        assert_eq!(h.order(3, 0), [0, 1, 2]);
        assert_eq!(h.order(3, 1), [1, 2, 0]);
        h.mark(1, true);
        assert_eq!(h.order(3, 1), [2, 0, 1]);
        assert_eq!(h.order(3, 0), [0, 2, 1]);
        h.mark(1, false);
        assert_eq!(h.order(3, 1), [1, 2, 0]);
    }
}
