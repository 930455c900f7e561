//! Disarming alarms.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::alarm::DisarmRequest;
use app::etcd::wire::Audited;
use app::etcd::{disarm as disarm_one, disarm_all, read_status, EtcdAlarm, EtcdAlarms};
use app::fleet::request::Scoped;
use axum::Json;
use serde_json::json;

use super::super::action::Body;
use super::{audited, entry, member};

/// `POST /alarms/disarm` `{ "confirm": "etcd", "member"?, "alarm"? }`:
/// every active alarm, or one; answers the alarms still active.
pub async fn disarm(
    actor: Actor,
    Scoped(state): Scoped,
    Body(req): Body<DisarmRequest>,
) -> Result<Json<Audited<EtcdAlarms>>, AppError> {
    confirm(&req.confirm, "etcd")?;
    let status = read_status(&state.etcd).await?;
    let one = match (&req.member, &req.alarm) {
        (Some(m), Some(a)) => Some(EtcdAlarm {
            member_id: member(&status, m)?.id.clone(),
            alarm: a.to_uppercase(),
        }),
        (None, None) => None,
        _ => {
            return Err(AppError::Invalid(
                "give both \"member\" and \"alarm\", or neither".into(),
            ))
        }
    };
    let entry = entry("disarm", "cluster", json!({ "alarm": one }), &status);
    match &one {
        Some(alarm) => audited(&state, &actor, entry, disarm_one(&state.etcd, alarm)).await,
        None => audited(&state, &actor, entry, disarm_all(&state.etcd)).await,
    }
}
