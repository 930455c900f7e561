//! Cluster maintenance: compaction (with its preflight), defragmentation
//! one member at a time, alarms, and moving the raft leader.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::maintenance as etcd;
use app::etcd::status::read_status;
use app::etcd_cluster::maintenance::{CompactTo, DefragReport};
use app::etcd_cluster::EtcdAlarm;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::super::action::Body;
use super::{audited, entry, member};

/// `revision` or `keep`: exactly one.
#[derive(Debug, Deserialize)]
pub struct CompactQuery {
    revision: Option<i64>,
    keep: Option<i64>,
}

impl CompactQuery {
    fn to(&self) -> Result<CompactTo, AppError> {
        match (self.revision, self.keep) {
            (Some(r), None) => Ok(CompactTo::Revision(r)),
            (None, Some(n)) => Ok(CompactTo::KeepLast(n)),
            _ => Err(AppError::Invalid(
                "give either \"revision\" (compact up to it) or \"keep\" (the last N revisions)"
                    .into(),
            )),
        }
    }
}

/// What a compaction would do, before it is done.
#[derive(Debug, Serialize)]
pub struct CompactPreflight {
    pub current_revision: i64,
    /// Revisions before this are gone already.
    pub compact_revision: Option<i64>,
    /// Revisions before this would be gone afterwards.
    pub target: i64,
    /// Revisions of history the keyspace browser could show now and
    /// could not afterwards.
    pub revisions_lost: i64,
    /// Why the compaction would be refused, if it would.
    pub refusal: Option<String>,
}

/// `GET /compact/preflight?revision=|keep=`: open to viewers.
pub async fn compact_preflight(
    State(state): State<AppState>,
    Query(q): Query<CompactQuery>,
) -> Result<Json<CompactPreflight>, AppError> {
    let status = read_status(&state.etcd).await?;
    let target = q.to()?.target(status.revision)?;
    let from = status.compact_revision.unwrap_or(1);
    let refusal = (target <= from && status.compact_revision.is_some())
        .then(|| format!("etcd is compacted up to revision {from} already"));
    Ok(Json(CompactPreflight {
        current_revision: status.revision,
        compact_revision: status.compact_revision,
        target,
        revisions_lost: (target - from).max(0),
        refusal,
    }))
}

#[derive(Debug, Deserialize)]
pub struct CompactRequest {
    #[serde(flatten)]
    to: CompactQuery,
    #[serde(default)]
    physical: bool,
    confirm: String,
}

/// `POST /compact` `{ "revision" | "keep", "physical", "confirm": "etcd" }`.
pub async fn compact(
    actor: Actor,
    State(state): State<AppState>,
    Body(req): Body<CompactRequest>,
) -> Result<Json<Value>, AppError> {
    confirm(&req.confirm, "etcd")?;
    let to = req.to.to()?;
    let status = read_status(&state.etcd).await?;
    let params = json!({ "to": to, "physical": req.physical });
    let entry = entry("compact", "cluster", params, &status);
    let call = etcd::compact(&state.etcd, to, req.physical);
    audited(&state, &actor, entry, call).await
}

#[derive(Debug, Deserialize)]
pub struct DefragRequest {
    member: Option<String>,
    confirm: String,
}

/// `POST /defragment` `{ "member"?, "confirm" }`: that member (name or
/// hex ID, confirmed by its name), or every member one at a time, the
/// leader last (confirmed by `etcd`). 409 when it stopped early.
pub async fn defragment(
    actor: Actor,
    State(state): State<AppState>,
    Body(req): Body<DefragRequest>,
) -> Result<Response, AppError> {
    let status = read_status(&state.etcd).await?;
    let gw = &state.etcd;
    let Json(body) = match &req.member {
        Some(text) => {
            let m = member(&status, text)?;
            confirm(&req.confirm, m.label())?;
            let entry = entry("defragment", m.label(), json!({ "member": m.id }), &status);
            let call = async {
                Ok::<_, AppError>(DefragReport {
                    done: vec![etcd::defragment(gw, &m.id).await?],
                    stopped: None,
                })
            };
            audited(&state, &actor, entry, call).await?
        }
        None => {
            confirm(&req.confirm, "etcd")?;
            let entry = entry("defragment", "cluster", json!({ "member": "all" }), &status);
            audited(&state, &actor, entry, etcd::defragment_all(gw)).await?
        }
    };
    Ok(match body["stopped"].as_str() {
        Some(why) => {
            let mut body = body.clone();
            body["error"] = Value::String(format!("defragmentation stopped: {why}"));
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
        None => Json(body).into_response(),
    })
}

#[derive(Debug, Deserialize)]
pub struct DisarmRequest {
    confirm: String,
    /// With `alarm`: disarm only this member's alarm.
    member: Option<String>,
    alarm: Option<String>,
}

/// `POST /alarms/disarm` `{ "confirm": "etcd", "member"?, "alarm"? }`:
/// every active alarm, or one; answers the alarms still active.
pub async fn disarm(
    actor: Actor,
    State(state): State<AppState>,
    Body(req): Body<DisarmRequest>,
) -> Result<Json<Value>, AppError> {
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
        Some(alarm) => audited(&state, &actor, entry, etcd::disarm(&state.etcd, alarm)).await,
        None => audited(&state, &actor, entry, etcd::disarm_all(&state.etcd)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct MoveLeaderRequest {
    /// The member to lead: name or hex ID.
    to: String,
    /// Its name.
    confirm: String,
}

/// `POST /move-leader` `{ "to", "confirm" }`.
pub async fn move_leader(
    actor: Actor,
    State(state): State<AppState>,
    Body(req): Body<MoveLeaderRequest>,
) -> Result<Json<Value>, AppError> {
    let status = read_status(&state.etcd).await?;
    let to = member(&status, &req.to)?;
    confirm(&req.confirm, to.label())?;
    let entry = entry("move-leader", to.label(), json!({ "to": to.id }), &status);
    audited(
        &state,
        &actor,
        entry,
        etcd::move_leader(&state.etcd, &to.id),
    )
    .await
}
