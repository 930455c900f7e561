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
use crate::action::{DemoteClusterRequest, PromoteClusterRequest};
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
    /// The source a demote follows: host, port, slot, restore command.
    pub source: [RwSignal<String>; 4],
}

impl Default for Options {
    fn default() -> Options {
        Options {
            candidate: RwSignal::new(None),
            schedule: RwSignal::new(String::new()),
            pending_only: RwSignal::new(false),
            force: RwSignal::new(false),
            source: std::array::from_fn(|_| RwSignal::new(String::new())),
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
    Demote(DemoteClusterRequest),
    Promote(PromoteClusterRequest),
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
            ActionKind::DemoteCluster => {
                let text = |i: usize| {
                    let v = self.source[i].get_untracked().trim().to_owned();
                    (!v.is_empty()).then_some(v)
                };
                Request::Demote(DemoteClusterRequest {
                    host: text(0),
                    port: text(1).map(|p| port(&p)).transpose()?,
                    primary_slot_name: text(2),
                    restore_command: text(3),
                    confirm: confirm.clone(),
                    revision: revision.ok_or("the preflight has not run")?,
                })
            }
            ActionKind::PromoteCluster => Request::Promote(PromoteClusterRequest {
                confirm: confirm.clone(),
                revision: revision.ok_or("the preflight has not run")?,
            }),
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
            ActionKind::DemoteCluster | ActionKind::PromoteCluster => {
                let Some(p) = preflight else {
                    return Some("Waiting for the preflight checks.");
                };
                if !p.blockers.is_empty() {
                    return Some("The preflight found what blocks this action.");
                }
                if *kind != ActionKind::DemoteCluster {
                    return None;
                }
                let [host, port_text, _, restore] = self.source.map(|s| s.get());
                if [&host, &port_text, &restore]
                    .iter()
                    .all(|s| s.trim().is_empty())
                {
                    Some("Name the source: a host, a port or a restore command.")
                } else if !port_text.trim().is_empty() && port(port_text.trim()).is_err() {
                    Some("The port must be a number from 1 to 65535.")
                } else {
                    None
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
        Request::Demote(r) => api::demote_cluster(ns, sc, g, r).await,
        Request::Promote(r) => api::promote_cluster(ns, sc, g, r).await,
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
        ActionKind::DemoteCluster => view! { <SourceFields source=opts.source /> }.into_any(),
        ActionKind::Reinitialize(_) => check(
            opts.force,
            "option-force",
            "Force, even if Patroni thinks the replica is busy",
        )
        .into_any(),
        _ => ().into_any(),
    }
}

/// A port as typed: 1–65535.
fn port(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p),
        _ => Err(format!("port {text:?}: must be a number from 1 to 65535")),
    }
}

/// The source a demoted cluster is to follow, as `patronictl
/// demote-cluster` asks for it.
#[component]
fn SourceFields(source: [RwSignal<String>; 4]) -> impl IntoView {
    let fields = [
        ("source-host", "Host of the source", "e.g. 10.0.0.5"),
        ("source-port", "Port", "5432"),
        (
            "source-slot",
            "Replication slot on the source (optional)",
            "none",
        ),
        (
            "source-restore",
            "Restore command (optional)",
            "e.g. cp /archive/%f %p",
        ),
    ];
    view! {
        <fieldset class="source-fields" data-testid="standby-source-fields">
            <legend>"Follow"</legend>
            {fields.into_iter().zip(source).map(|((id, label, hint), value)| view! {
                <label class="text-field" for=id>{label}</label>
                <input type="text" id=id data-testid=id placeholder=hint autocomplete="off"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            }).collect_view()}
        </fieldset>
    }
}
