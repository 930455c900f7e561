//! The guarded actions the cluster page offers, named once for the panel,
//! its dialog, the call and the outcome.

/// An action the panel offers; member actions name their member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    Switchover,
    Failover,
    Pause,
    Resume,
    CancelSwitchover,
    DemoteCluster,
    PromoteCluster,
    Restart(String),
    Reinitialize(String),
    Reload(String),
}

impl ActionKind {
    /// The dialog's title.
    pub fn title(&self) -> String {
        match self {
            ActionKind::Switchover => "Switchover".into(),
            ActionKind::Failover => "Failover".into(),
            ActionKind::Pause => "Pause (maintenance mode)".into(),
            ActionKind::Resume => "Resume (leave maintenance mode)".into(),
            ActionKind::CancelSwitchover => "Cancel the scheduled switchover".into(),
            ActionKind::DemoteCluster => "Demote to a standby cluster".into(),
            ActionKind::PromoteCluster => "Promote the standby cluster".into(),
            ActionKind::Restart(m) => format!("Restart {m}"),
            ActionKind::Reinitialize(m) => format!("Reinitialize {m}"),
            ActionKind::Reload(m) => format!("Reload {m}"),
        }
    }

    /// What the admin must type: the scope, or the member's name.
    pub fn confirm_word(&self, scope: &str) -> String {
        match self {
            ActionKind::Restart(m) | ActionKind::Reinitialize(m) | ActionKind::Reload(m) => {
                m.clone()
            }
            _ => scope.to_owned(),
        }
    }

    /// A stable name for tests (`data-action`).
    pub fn slug(&self) -> &'static str {
        match self {
            ActionKind::Switchover => "switchover",
            ActionKind::Failover => "failover",
            ActionKind::Pause => "pause",
            ActionKind::Resume => "resume",
            ActionKind::CancelSwitchover => "cancel-switchover",
            ActionKind::DemoteCluster => "demote-cluster",
            ActionKind::PromoteCluster => "promote-cluster",
            ActionKind::Restart(_) => "restart",
            ActionKind::Reinitialize(_) => "reinitialize",
            ActionKind::Reload(_) => "reload",
        }
    }
}
