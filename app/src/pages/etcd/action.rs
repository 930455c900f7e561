//! The actions the etcd admin panel offers, with the words each dialog
//! shows.

/// An action the panel offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtcdAction {
    Snapshot,
    Compact,
    Defragment,
    Disarm,
    MoveLeader,
    Promote,
    AddLearner,
    Remove,
}

impl EtcdAction {
    /// The dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => "Snapshot",
            EtcdAction::Compact => "Compact",
            EtcdAction::Defragment => "Defragment",
            EtcdAction::Disarm => "Disarm alarms",
            EtcdAction::MoveLeader => "Move the leader",
            EtcdAction::Promote => "Promote a learner",
            EtcdAction::AddLearner => "Add a learner",
            EtcdAction::Remove => "Remove a member",
        }
    }

    /// The submit button's words.
    pub fn button(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => "Download snapshot",
            EtcdAction::Compact => "Compact",
            EtcdAction::Defragment => "Defragment",
            EtcdAction::Disarm => "Disarm",
            EtcdAction::MoveLeader => "Move leader",
            EtcdAction::Promote => "Promote",
            EtcdAction::AddLearner => "Add learner",
            EtcdAction::Remove => "Remove member",
        }
    }

    /// A stable name for tests (`data-action`, `etcd-action-<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => "snapshot",
            EtcdAction::Compact => "compact",
            EtcdAction::Defragment => "defragment",
            EtcdAction::Disarm => "disarm",
            EtcdAction::MoveLeader => "move-leader",
            EtcdAction::Promote => "promote",
            EtcdAction::AddLearner => "add-learner",
            EtcdAction::Remove => "remove",
        }
    }

    /// What it does, in a sentence or two.
    pub fn summary(self) -> &'static str {
        match self {
            EtcdAction::Snapshot => {
                "Streams a consistent copy of etcd's database from the leader to a file \
                 your browser saves (etcdctl snapshot restore reads it)."
            }
            EtcdAction::Compact => {
                "Discards the history of every key before a revision. Older versions are gone \
                 for good: the keyspace browser and watches cannot reach them afterwards."
            }
            EtcdAction::Defragment => {
                "Gives the space freed by compaction back to the file system. A member is \
                 busy while defragmenting; all members go one at a time, the leader last."
            }
            EtcdAction::Disarm => {
                "Clears etcd's alarms. Free space first (compact, defragment) or a NOSPACE \
                 alarm comes straight back."
            }
            EtcdAction::MoveLeader => {
                "Hands raft leadership to another voting member. Requests pause briefly \
                 while the leader changes."
            }
            EtcdAction::Promote => {
                "Makes a learner a voting member. etcd refuses until the learner has caught \
                 up with the leader's log."
            }
            EtcdAction::AddLearner => {
                "Adds a member that receives the log but does not vote. You start it with \
                 the settings shown next, then promote it."
            }
            EtcdAction::Remove => {
                "Removes a member from the cluster for good; it must not be started again \
                 with its data."
            }
        }
    }
}
