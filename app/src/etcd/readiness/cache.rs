//! One readiness check for every viewer: a check is handed out again for
//! [`READINESS_EVERY`], and callers that ask while one runs wait for it,
//! so N open pages never cost N × members `HashKV` requests.

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{check, Readiness, READINESS_EVERY};
use crate::error::AppError;
use crate::etcd::Gateway;

/// The last check and when it was made (kept by the [`Gateway`]).
#[derive(Default)]
pub struct Cache(Mutex<Option<(Instant, Result<Readiness, AppError>)>>);

impl Cache {
    /// The last check when it is young enough, else a new one.
    pub async fn get(&self, gateway: &Gateway) -> Result<Readiness, AppError> {
        // Held while checking: whoever asks meanwhile waits for this check.
        let mut last = self.0.lock().await;
        if let Some((at, result)) = last.as_ref() {
            if at.elapsed() < READINESS_EVERY {
                return result.clone();
            }
        }
        let result = check(gateway).await;
        if let Err(e) = &result {
            tracing::debug!("etcd readiness check failed: {e}");
        }
        *last = Some((Instant::now(), result.clone()));
        result
    }
}
