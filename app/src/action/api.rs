//! Server functions for the cluster page's admin panel. Each is a public
//! endpoint: it takes the [`super::actor::Actor`] (proof of admin) from the
//! request itself, exactly as the REST routes do.

use leptos::prelude::*;

use super::{
    ActionOutcome, ConfirmRequest, FailoverRequest, Preflight, ReinitializeRequest, RestartRequest,
    SwitchoverRequest,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::action::actor::{from_context, Actor};
    pub use crate::action::target::Target;
    use crate::error::AppError;
    pub use crate::state::AppState;

    /// The state, the acting admin and the target, or why not, with the
    /// response's status set to match (401, 403, ...), as the REST API's.
    pub async fn guard(
        namespace: &str,
        scope: &str,
        group: Option<u32>,
    ) -> Result<(AppState, Actor, Target), AppError> {
        let state = leptos::prelude::expect_context::<AppState>();
        let checked = async {
            let actor = from_context(&state).await?;
            Ok((actor, Target::new(namespace, scope, group)?))
        };
        match checked.await {
            Ok((actor, target)) => Ok((state, actor, target)),
            Err(e) => Err(status(e)),
        }
    }

    /// Sets the response status for `e` and hands it back.
    pub fn status(e: AppError) -> AppError {
        if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(e.status());
        }
        e
    }
}

/// What a switchover would do, and what would refuse it.
#[server(endpoint = "actions/switchover-preflight")]
pub async fn switchover_preflight(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<Preflight, AppError> {
    use super::preflight::Kind;
    let state = expect_context::<ssr::AppState>();
    let target = ssr::Target::new(&namespace, &scope, group)?;
    super::gather::preflight(&state, Kind::Switchover, &target).await
}

/// What a failover would do, and what would refuse it.
#[server(endpoint = "actions/failover-preflight")]
pub async fn failover_preflight(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<Preflight, AppError> {
    use super::preflight::Kind;
    let state = expect_context::<ssr::AppState>();
    let target = ssr::Target::new(&namespace, &scope, group)?;
    super::gather::preflight(&state, Kind::Failover, &target).await
}

#[server(endpoint = "actions/switchover")]
pub async fn switchover(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: SwitchoverRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::switchover::switchover(&state, &actor, &target, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/cancel-switchover")]
pub async fn cancel_switchover(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::switchover::cancel(&state, &actor, &target, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/failover")]
pub async fn failover(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: FailoverRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::switchover::failover(&state, &actor, &target, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/pause")]
pub async fn pause(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::pause::set_paused(&state, &actor, &target, true, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/resume")]
pub async fn resume(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::pause::set_paused(&state, &actor, &target, false, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/restart")]
pub async fn restart_member(
    namespace: String,
    scope: String,
    group: Option<u32>,
    member: String,
    request: RestartRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::member::restart(&state, &actor, &target, &member, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/reinitialize")]
pub async fn reinitialize_member(
    namespace: String,
    scope: String,
    group: Option<u32>,
    member: String,
    request: ReinitializeRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::member::reinitialize(&state, &actor, &target, &member, request)
        .await
        .map_err(ssr::status)
}

#[server(endpoint = "actions/reload")]
pub async fn reload_member(
    namespace: String,
    scope: String,
    group: Option<u32>,
    member: String,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    let (state, actor, target) = ssr::guard(&namespace, &scope, group).await?;
    super::member::reload(&state, &actor, &target, &member, request)
        .await
        .map_err(ssr::status)
}
