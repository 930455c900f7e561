//! Alarms: `NOSPACE` and `CORRUPT` stop etcd taking writes until they are
//! disarmed. `POST /api/v1/etcd/alarms/disarm` clears one or all.

use serde::{Deserialize, Serialize};

/// `POST /alarms/disarm` `{ "confirm": "etcd", "member"?, "alarm"? }`:
/// every active alarm, or one member's (both fields, or neither).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisarmRequest {
    pub confirm: String,
    /// With `alarm`: disarm only this member's alarm (name or hex ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm: Option<String>,
}

#[cfg(feature = "ssr")]
pub use ssr::{disarm, disarm_all};

#[cfg(feature = "ssr")]
mod ssr {
    use etcd_client::{AlarmAction, AlarmOptions, AlarmType};

    use crate::error::AppError;
    use crate::etcd::status::read_alarms;
    use crate::etcd::{parse_hex_id, EtcdAlarm, EtcdAlarms, Gateway};

    /// Disarms one alarm (after the cause is fixed: space freed, data
    /// checked); returns the alarms still active.
    pub async fn disarm(gateway: &Gateway, alarm: &EtcdAlarm) -> Result<EtcdAlarms, AppError> {
        let kind = match alarm.alarm.as_str() {
            "NOSPACE" => AlarmType::Nospace,
            "CORRUPT" => AlarmType::Corrupt,
            other => return Err(AppError::Invalid(format!("unknown alarm {other:?}"))),
        };
        let member = parse_hex_id(&alarm.member_id)?;
        let options = move || {
            let mut options = AlarmOptions::new();
            options.with_member(member);
            Some(options)
        };
        gateway
            .call_shared(
                |mut c| async move { c.alarm(AlarmAction::Deactivate, kind, options()).await },
            )
            .await?;
        read_alarms(gateway).await
    }

    /// Disarms every active alarm, as `etcdctl alarm disarm` does.
    pub async fn disarm_all(gateway: &Gateway) -> Result<EtcdAlarms, AppError> {
        let active = read_alarms(gateway).await?;
        for alarm in &active.alarms {
            disarm(gateway, alarm).await?;
        }
        read_alarms(gateway).await
    }
}
