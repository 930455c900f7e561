//! `/audit`: the admin actions Patrol has carried out, newest first, and
//! whether the log's hash chain still verifies.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::audit::{AuditPage as Page, AuditRecord, Verification};
use crate::components::layout::Table;
use crate::components::loaded::loaded;
use crate::components::time::utc;
use crate::error::AppError;

/// A page of the audit log (same answer as `GET /api/v1/audit`).
#[server(endpoint = "audit", client = crate::fleet::client::ScopedClient)]
pub async fn get_audit(limit: Option<usize>, before: Option<u64>) -> Result<Page, AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::audit::log::page(&state.audit, limit, before).await
}

/// The audit log page; `?before=` pages to older records.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .with(|q| q.get("before"))
            .and_then(|b| b.parse::<u64>().ok())
    };
    let page = Resource::new(before, |before| get_audit(None, before));
    view! {
        <Title text="Audit log · Patrol" />
        <h1>"Audit log"</h1>
        {loaded(move || page.get(), |p| view! { <AuditBody page=p /> }.into_any())}
    }
}

#[component]
fn AuditBody(page: Page) -> impl IntoView {
    let Page {
        configured,
        records,
        verified,
        next_before,
    } = page;
    if !configured {
        return view! {
            <p class="muted" data-testid="audit-unconfigured">
                "The audit log is not available."
            </p>
        }
        .into_any();
    }
    let empty = records.is_empty().then(
        || view! { <p class="muted" data-testid="audit-empty">"No records on this page."</p> },
    );
    let more = next_before.map(|b| format!("/audit?before={b}"));
    view! {
        <ChainBanner verified />
        {empty}
        <Table class="audit" testid="audit" columns=&[
            "Seq", "Time", "Actor", "Source", "Action", "Target", "Phase", "Status"
        ]>
            {records.into_iter().map(|r| view! { <AuditRow record=r /> }).collect_view()}
        </Table>
        {more.map(|m| view! { <p><a href=m data-testid="more">"Older…"</a></p> })}
    }
    .into_any()
}

/// "chain verified", or in red where the chain breaks and why.
#[component]
fn ChainBanner(verified: Verification) -> impl IntoView {
    let Verification {
        ok,
        records,
        broken,
    } = verified;
    match broken {
        None if ok => view! {
            <p class="banner" data-testid="audit-verified" data-ok="true">
                {format!("chain verified ({records} records)")}
            </p>
        }
        .into_any(),
        b => {
            let detail = b.map_or_else(
                || "the chain does not verify".to_owned(),
                |b| {
                    format!(
                        "chain broken at seq {} (line {}): {}",
                        b.seq, b.line, b.reason
                    )
                },
            );
            view! {
                <p class="banner bad" role="alert" data-testid="audit-verified" data-ok="false">
                    <strong>"The audit log has been tampered with or damaged. "</strong>
                    {detail}
                </p>
            }
            .into_any()
        }
    }
}

#[component]
fn AuditRow(record: AuditRecord) -> impl IntoView {
    let AuditRecord {
        seq,
        time_ms,
        entry: record,
        prev_hash,
        hash,
    } = record;
    let status = match &record.outcome {
        Some(o) => match (o.status, &o.error) {
            (Some(s), _) => s.to_string(),
            (None, Some(_)) => "error".into(),
            (None, None) => "–".into(),
        },
        None => "–".into(),
    };
    let failed = record
        .outcome
        .as_ref()
        .is_some_and(|o| o.error.is_some() || o.status.is_some_and(|s| s >= 400));
    let revisions = format!(
        "etcd revision before {}, after {}",
        record
            .revision_before
            .map_or_else(|| "–".into(), |r| r.to_string()),
        record
            .revision_after
            .map_or_else(|| "–".into(), |r| r.to_string()),
    );
    let params = pretty(&record.params);
    let preflight = record.preflight.as_ref().map(pretty);
    let outcome = record.outcome.clone();
    view! {
        <tr data-testid="audit-row" data-seq=seq data-phase=record.phase.as_str()>
            <td>{seq}</td>
            <td>{utc(time_ms)}</td>
            <td>{record.actor}</td>
            <td><code>{record.source}</code></td>
            <td>{record.action}</td>
            <td><code>{record.target}</code></td>
            <td>{record.phase.as_str()}</td>
            <td class:bad=failed>{status}</td>
        </tr>
        <tr class="audit-details">
            <td colspan="8">
                <details>
                    <summary class="muted small">"Details"</summary>
                    <p class="muted small">{revisions}</p>
                    <h4>"Parameters"</h4>
                    <pre>{params}</pre>
                    {preflight.map(|p| view! { <h4>"Preflight"</h4><pre>{p}</pre> })}
                    {outcome.map(|o| view! {
                        <h4>"Patroni's answer"</h4>
                        {o.error.map(|e| view! { <p class="bad">{e}</p> })}
                        <pre>{o.body}</pre>
                    })}
                    <p class="muted small"><code>{format!("hash {hash} · prev {prev_hash}")}</code></p>
                </details>
            </td>
        </tr>
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}
