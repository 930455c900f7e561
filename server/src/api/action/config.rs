//! The dynamic configuration: read it (open to viewers), preview an edit
//! and apply it (admins).

use app::action::actor::Actor;
use app::action::edit_config::{edit_config, preview, show};
use app::action::services::Services;
use app::action::{ConfigPreview, ConfigView, EditConfigRequest};
use app::error::AppError;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::{respond, At, Body};

/// The proposed configuration: the JSON object itself, or its text.
#[derive(Deserialize)]
pub struct Proposal {
    config: Value,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    revision: i64,
}

impl Proposal {
    fn text(&self) -> String {
        match &self.config {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// `GET .../config`: the configuration and the revision to pin an edit to.
pub async fn show_config(svc: Services, at: At) -> Result<Json<ConfigView>, AppError> {
    Ok(Json(show(&svc.etcd, &at.target).await?))
}

/// `POST .../config/preview`: the diff, the checks and the patch.
pub async fn preview_config(
    _admin: Actor,
    svc: Services,
    at: At,
    Body(p): Body<Proposal>,
) -> Result<Json<ConfigPreview>, AppError> {
    Ok(Json(preview(&svc.etcd, &at.target, &p.text()).await?))
}

/// `PATCH .../config`: the edit, pinned to `revision`.
pub async fn edit(
    actor: Actor,
    svc: Services,
    at: At,
    Body(p): Body<Proposal>,
) -> Result<Response, AppError> {
    let req = EditConfigRequest {
        config: p.text(),
        confirm: p.confirm,
        revision: p.revision,
    };
    respond(edit_config(&svc, &actor, &at.target, req).await)
}
