//! `/clusters/<namespace>/<scope>`: one cluster, live.

mod action_call;
mod action_dialog;
mod action_kind;
mod actions;
mod changes;
mod config_dialog;
mod facts;
mod flush_dialog;
mod follow_through;
pub mod lag_chart;
mod lag_history;
mod lease;
mod live;
mod members;
mod outcome;
mod page;
mod preflight_view;
mod schedule;
mod scheduled;
pub mod topology;
mod verdict;

pub use page::ClusterPage;
