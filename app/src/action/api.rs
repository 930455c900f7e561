//! Server functions for the cluster page's admin panel. Each is a public
//! endpoint: it takes the [`super::actor::Actor`] (proof of admin) from the
//! request itself, exactly as the REST routes do.

use leptos::prelude::*;

use super::{
    ActionOutcome, ConfigPreview, ConfigView, ConfirmRequest, EditConfigRequest, FailoverRequest,
    FlushOutcome, FlushPreflight, FlushRequest, FlushWhat, Preflight, ReinitializeRequest,
    RestartRequest, SwitchoverRequest,
};
use super::{DemoteClusterRequest, PromoteClusterRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use axum::extract::FromRef;

    use crate::action::actor::{from_context, Actor};
    pub use crate::action::preflight::Kind;
    use crate::action::services::Services;
    pub use crate::action::target::Target;
    use crate::action::Preflight;
    use crate::error::AppError;
    use crate::state::AppState;

    /// The preflight of `kind` for the cluster named.
    pub async fn preflight(
        kind: Kind,
        namespace: &str,
        scope: &str,
        group: Option<u32>,
    ) -> Result<Preflight, AppError> {
        let svc = Services::from_ref(&leptos::prelude::expect_context::<AppState>());
        let target = Target::new(namespace, scope, group)?;
        crate::action::gather::preflight(&svc, kind, &target).await
    }

    /// Runs `action` once the request has proved an acting admin and named
    /// a valid target; any refusal leaves with its own status (401, 403,
    /// 409, ...), as the REST API's.
    pub async fn act<T>(
        namespace: &str,
        scope: &str,
        group: Option<u32>,
        action: impl AsyncFnOnce(&Services, &Actor, &Target) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let state = leptos::prelude::expect_context::<AppState>();
        let checked = async {
            let actor = from_context(&state).await?;
            let target = Target::new(namespace, scope, group)?;
            action(&Services::from_ref(&state), &actor, &target).await
        };
        checked.await.map_err(AppError::answered)
    }

    /// What a flush of `what` would cancel on the cluster named.
    pub async fn flush_preflight(
        namespace: &str,
        scope: &str,
        group: Option<u32>,
        what: crate::action::FlushWhat,
    ) -> Result<crate::action::FlushPreflight, AppError> {
        let svc = Services::from_ref(&leptos::prelude::expect_context::<AppState>());
        let target = Target::new(namespace, scope, group)?;
        crate::action::flush::preflight(&svc, &target, what).await
    }

    /// The target named, with the services, for a read that changes nothing.
    pub fn open(
        namespace: &str,
        scope: &str,
        group: Option<u32>,
    ) -> Result<(Services, Target), AppError> {
        let svc = Services::from_ref(&leptos::prelude::expect_context::<AppState>());
        Ok((svc, Target::new(namespace, scope, group)?))
    }

    /// Whether the cluster named can change its role now.
    pub async fn role_preflight(
        change: crate::action::cluster_role::Change,
        namespace: &str,
        scope: &str,
        group: Option<u32>,
    ) -> Result<Preflight, AppError> {
        let svc = Services::from_ref(&leptos::prelude::expect_context::<AppState>());
        let target = Target::new(namespace, scope, group)?;
        crate::action::cluster_role::preflight(&svc, change, &target).await
    }
}

/// What a switchover would do, and what would refuse it.
#[server(endpoint = "actions/switchover-preflight", client = crate::fleet::client::ScopedClient)]
pub async fn switchover_preflight(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<Preflight, AppError> {
    ssr::preflight(ssr::Kind::Switchover, &namespace, &scope, group).await
}

/// What a failover would do, and what would refuse it.
#[server(endpoint = "actions/failover-preflight", client = crate::fleet::client::ScopedClient)]
pub async fn failover_preflight(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<Preflight, AppError> {
    ssr::preflight(ssr::Kind::Failover, &namespace, &scope, group).await
}

#[server(endpoint = "actions/switchover", client = crate::fleet::client::ScopedClient)]
pub async fn switchover(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: SwitchoverRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::switchover::switchover(svc, actor, target, request).await
    })
    .await
}

#[server(endpoint = "actions/cancel-switchover", client = crate::fleet::client::ScopedClient)]
pub async fn cancel_switchover(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::switchover::cancel(svc, actor, target, request).await
    })
    .await
}

#[server(endpoint = "actions/failover", client = crate::fleet::client::ScopedClient)]
pub async fn failover(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: FailoverRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::failover::failover(svc, actor, target, request).await
    })
    .await
}

#[server(endpoint = "actions/pause", client = crate::fleet::client::ScopedClient)]
pub async fn pause(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::pause::set_paused(svc, actor, target, true, request).await
    })
    .await
}

#[server(endpoint = "actions/resume", client = crate::fleet::client::ScopedClient)]
pub async fn resume(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::pause::set_paused(svc, actor, target, false, request).await
    })
    .await
}

#[server(endpoint = "actions/restart", client = crate::fleet::client::ScopedClient)]
pub async fn restart_member(
    namespace: String,
    scope: String,
    group: Option<u32>,
    member: String,
    request: RestartRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::restart::restart(svc, actor, target, &member, request).await
    })
    .await
}

#[server(endpoint = "actions/reinitialize", client = crate::fleet::client::ScopedClient)]
pub async fn reinitialize_member(
    namespace: String,
    scope: String,
    group: Option<u32>,
    member: String,
    request: ReinitializeRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::reinitialize::reinitialize(svc, actor, target, &member, request).await
    })
    .await
}

#[server(endpoint = "actions/reload", client = crate::fleet::client::ScopedClient)]
pub async fn reload_member(
    namespace: String,
    scope: String,
    group: Option<u32>,
    member: String,
    request: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::reload::reload(svc, actor, target, &member, request).await
    })
    .await
}

/// What a flush would cancel; it changes nothing.
#[server(endpoint = "actions/flush-preflight", client = crate::fleet::client::ScopedClient)]
pub async fn preflight_flush(
    namespace: String,
    scope: String,
    group: Option<u32>,
    what: FlushWhat,
) -> Result<FlushPreflight, AppError> {
    ssr::flush_preflight(&namespace, &scope, group, what).await
}

#[server(endpoint = "actions/flush", client = crate::fleet::client::ScopedClient)]
pub async fn flush(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: FlushRequest,
) -> Result<FlushOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::flush::flush(svc, actor, target, request).await
    })
    .await
}

/// The dynamic configuration as the editor opens it; changes nothing.
#[server(endpoint = "actions/config", client = crate::fleet::client::ScopedClient)]
pub async fn read_config(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<ConfigView, AppError> {
    let (svc, target) = ssr::open(&namespace, &scope, group)?;
    super::edit_config::show(&svc.etcd, &target).await
}

/// What sending `config` would change; changes nothing, but only an
/// admin edits, so only an admin asks.
#[server(endpoint = "actions/config-preview", client = crate::fleet::client::ScopedClient)]
pub async fn preview_config(
    namespace: String,
    scope: String,
    group: Option<u32>,
    config: String,
) -> Result<ConfigPreview, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, _actor, target| {
        super::edit_config::preview(&svc.etcd, target, &config).await
    })
    .await
}

#[server(endpoint = "actions/edit-config", client = crate::fleet::client::ScopedClient)]
pub async fn edit_config(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: EditConfigRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::edit_config::edit_config(svc, actor, target, request).await
    })
    .await
}

/// Whether the cluster can be demoted to a standby cluster now.
#[server(endpoint = "actions/demote-preflight", client = crate::fleet::client::ScopedClient)]
pub async fn demote_preflight(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<Preflight, AppError> {
    use crate::action::cluster_role::Change;
    ssr::role_preflight(Change::Demote, &namespace, &scope, group).await
}

/// Whether the standby cluster can be promoted now.
#[server(endpoint = "actions/promote-preflight", client = crate::fleet::client::ScopedClient)]
pub async fn promote_preflight(
    namespace: String,
    scope: String,
    group: Option<u32>,
) -> Result<Preflight, AppError> {
    use crate::action::cluster_role::Change;
    ssr::role_preflight(Change::Promote, &namespace, &scope, group).await
}

#[server(endpoint = "actions/demote-cluster", client = crate::fleet::client::ScopedClient)]
pub async fn demote_cluster(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: DemoteClusterRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::demote_cluster::demote_cluster(svc, actor, target, request).await
    })
    .await
}

#[server(endpoint = "actions/promote-cluster", client = crate::fleet::client::ScopedClient)]
pub async fn promote_cluster(
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: PromoteClusterRequest,
) -> Result<ActionOutcome, AppError> {
    ssr::act(&namespace, &scope, group, async |svc, actor, target| {
        super::promote_cluster::promote_cluster(svc, actor, target, request).await
    })
    .await
}
