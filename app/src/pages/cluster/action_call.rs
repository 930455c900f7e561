//! A dialog's options, the request they make, and the server function
//! that carries it.

use leptos::prelude::*;

use super::action_kind::ActionKind;
use super::schedule::{scheduled_at, ScheduleInput};
use crate::action::api;
use crate::action::{
    ActionOutcome, ConfirmRequest, FailoverRequest, Preflight, ReinitializeRequest, RestartRequest,
    SwitchoverRequest,
};
use crate::error::AppError;

/// What the admin chose in the dialog.
#[derive(Clone, Copy)]
pub struct Options {
    /// Switchover/failover candidate; `None`: let Patroni choose.
    pub candidate: RwSignal<Option<String>>,
    /// `datetime-local` value; empty means now.
    pub schedule: RwSignal<String>,
    /// Restart only if Patroni says one is pending.
    pub pending_only: RwSignal<bool>,
    /// Reinitialize even if Patroni thinks the replica is busy.
    pub force: RwSignal<bool>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            candidate: RwSignal::new(None),
            schedule: RwSignal::new(String::new()),
            pending_only: RwSignal::new(false),
            force: RwSignal::new(false),
        }
    }
}

/// One server function call, ready to send.
#[derive(Debug, Clone)]
pub struct Call {
    namespace: String,
    scope: String,
    group: Option<u32>,
    request: Request,
}

#[derive(Debug, Clone)]
enum Request {
    Switchover(SwitchoverRequest),
    Failover(FailoverRequest),
    Pause(ConfirmRequest),
    Resume(ConfirmRequest),
    Cancel(ConfirmRequest),
    Restart(String, RestartRequest),
    Reinitialize(String, ReinitializeRequest),
    Reload(String, ConfirmRequest),
}

impl Options {
    /// The call `kind` makes with these options; `revision` is the
    /// preflight's, when there was one.
    pub fn build(
        &self,
        kind: &ActionKind,
        (namespace, scope, group): (String, String, Option<u32>),
        confirm: String,
        revision: Option<i64>,
    ) -> Result<Call, String> {
        let at = || scheduled_at(&self.schedule.get_untracked());
        let plain = || ConfirmRequest {
            confirm: confirm.clone(),
            revision,
        };
        let request = match kind {
            ActionKind::Switchover => Request::Switchover(SwitchoverRequest {
                candidate: self.candidate.get_untracked(),
                scheduled_at: at()?,
                confirm: confirm.clone(),
                revision: revision.ok_or("the preflight has not run")?,
            }),
            ActionKind::Failover => Request::Failover(FailoverRequest {
                candidate: self.candidate.get_untracked().ok_or("pick a candidate")?,
                confirm: confirm.clone(),
                revision: revision.ok_or("the preflight has not run")?,
            }),
            ActionKind::Pause => Request::Pause(plain()),
            ActionKind::Resume => Request::Resume(plain()),
            ActionKind::CancelSwitchover => Request::Cancel(plain()),
            ActionKind::Restart(m) => Request::Restart(
                m.clone(),
                RestartRequest {
                    confirm: confirm.clone(),
                    pending_only: self.pending_only.get_untracked(),
                    scheduled_at: at()?,
                    revision,
                },
            ),
            ActionKind::Reinitialize(m) => Request::Reinitialize(
                m.clone(),
                ReinitializeRequest {
                    confirm: confirm.clone(),
                    force: self.force.get_untracked(),
                    revision,
                },
            ),
            ActionKind::Reload(m) => Request::Reload(m.clone(), plain()),
        };
        Ok(Call {
            namespace,
            scope,
            group,
            request,
        })
    }
}

impl Options {
    /// What `kind` still lacks before it can be sent, given its preflight
    /// (`None` while that loads): a runnable preflight, an eligible
    /// candidate, a readable scheduled time.
    pub fn missing(
        &self,
        kind: &ActionKind,
        preflight: Option<&Preflight>,
    ) -> Option<&'static str> {
        let schedule_ok = || scheduled_at(&self.schedule.get()).is_ok();
        match kind {
            ActionKind::Switchover | ActionKind::Failover => {
                let Some(p) = preflight else {
                    return Some("Waiting for the preflight checks.");
                };
                let eligible = |c: &String| p.candidates.iter().any(|x| &x.name == c && x.eligible);
                if !p.blockers.is_empty() {
                    return Some("The preflight found what blocks this action.");
                }
                match (self.candidate.get(), kind) {
                    (None, ActionKind::Failover) => Some("Pick a candidate."),
                    (Some(c), _) if !eligible(&c) => Some("Pick an eligible candidate."),
                    _ => (!schedule_ok()).then_some("Fix the scheduled time."),
                }
            }
            ActionKind::Restart(_) => (!schedule_ok()).then_some("Fix the scheduled time."),
            _ => None,
        }
    }
}

/// Sends `c` to its server function.
pub async fn call(c: Call) -> Result<ActionOutcome, AppError> {
    let Call {
        namespace: ns,
        scope: sc,
        group: g,
        request,
    } = c;
    match request {
        Request::Switchover(r) => api::switchover(ns, sc, g, r).await,
        Request::Failover(r) => api::failover(ns, sc, g, r).await,
        Request::Pause(r) => api::pause(ns, sc, g, r).await,
        Request::Resume(r) => api::resume(ns, sc, g, r).await,
        Request::Cancel(r) => api::cancel_switchover(ns, sc, g, r).await,
        Request::Restart(m, r) => api::restart_member(ns, sc, g, m, r).await,
        Request::Reinitialize(m, r) => api::reinitialize_member(ns, sc, g, m, r).await,
        Request::Reload(m, r) => api::reload_member(ns, sc, g, m, r).await,
    }
}

/// The options `kind` takes, bound to `opts`.
#[component]
pub fn OptionFields(kind: ActionKind, opts: Options) -> impl IntoView {
    let check = |value: RwSignal<bool>, testid: &'static str, label: &'static str| {
        view! {
            <label class="check-field">
                <input type="checkbox" data-testid=testid prop:checked=move || value.get()
                    on:change=move |ev| value.set(event_target_checked(&ev)) />
                {label}
            </label>
        }
    };
    match kind {
        ActionKind::Switchover => {
            view! { <ScheduleInput value=opts.schedule id="action-schedule" /> }.into_any()
        }
        ActionKind::Restart(_) => view! {
            {check(opts.pending_only, "option-pending-only", "Only if a restart is pending")}
            <ScheduleInput value=opts.schedule id="action-schedule" />
        }
        .into_any(),
        ActionKind::Reinitialize(_) => check(
            opts.force,
            "option-force",
            "Force, even if Patroni thinks the replica is busy",
        )
        .into_any(),
        _ => ().into_any(),
    }
}
