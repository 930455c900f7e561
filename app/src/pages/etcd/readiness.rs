//! The "Upgrade readiness" card: hashkv consistency, versions and the next
//! step, the v2 store, learners. Read-only, for everyone; refreshed every
//! [`crate::etcd::readiness::READINESS_EVERY`] from the one check all viewers share.

use leptos::prelude::*;

use crate::components::layout::{Card, Table};
use crate::components::ticker::ticker;
use crate::error::AppError;
use crate::etcd::readiness::{HashReading, Readiness};

/// `GET /api/v1/etcd/readiness` for the page: the check every viewer
/// shares, made afresh at most every [`crate::etcd::readiness::READINESS_EVERY`].
#[server(endpoint = "etcd_readiness", client = crate::fleet::client::ScopedClient)]
pub async fn get_etcd_readiness() -> Result<Readiness, AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::etcd::readiness::readiness(&state.etcd).await
}

/// The card, with its own refresh.
#[component]
pub fn ReadinessCard() -> impl IntoView {
    let tick = ticker(crate::etcd::readiness::READINESS_EVERY);
    let check = Resource::new(move || tick.get(), |_| get_etcd_readiness());
    view! {
        <div class="etcd-readiness" data-testid="etcd-readiness">
            <Card title="Upgrade readiness">
                <Transition fallback=|| view! { <p class="muted">"Checking…"</p> }>
                    {move || check.get().map(|r| match r {
                        Ok(r) => view! { <ReadinessBody readiness=r /> }.into_any(),
                        Err(e) => view! {
                            <p class="banner bad" role="alert" data-testid="readiness-error">{e.to_string()}</p>
                        }.into_any(),
                    })}
                </Transition>
            </Card>
        </div>
    }
}

#[component]
fn ReadinessBody(readiness: Readiness) -> impl IntoView {
    let alarm = readiness.hashes.alarm().map(|a| {
        view! { <p class="banner bad" role="alert" data-testid="hashkv-alarm">{a}</p> }
    });
    let warnings = readiness.warnings();
    let warnings = (!warnings.is_empty()).then(|| {
        view! {
            <div class="banner warn" role="status" data-testid="readiness-warnings">
                <ul>{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
            </div>
        }
    });
    let mismatch = !readiness.hashes.mismatches.is_empty();
    let mixed = readiness.versions.mixed();
    let v2_warn = readiness.v2.warning().is_some();
    let learners_full = readiness.learners.at_limit();
    let rows = readiness
        .hashes
        .readings
        .iter()
        .map(|r| {
            let version = readiness
                .versions
                .members
                .iter()
                .find(|v| v.member == r.member)
                .and_then(|v| v.version.clone());
            view! { <ReadingRow reading=r.clone() version /> }
        })
        .collect_view();
    view! {
        {alarm}
        {warnings}
        <dl class="facts">
            <dt>"Data (hashkv)"</dt>
            <dd data-testid="hashkv" class:bad=mismatch>{readiness.hashes.words()}</dd>
            <dt>"Cluster version"</dt>
            <dd data-testid="cluster-version">{readiness.versions.cluster_words()}</dd>
            <dt>"Next step"</dt>
            <dd data-testid="next-step" class:warn=mixed>{readiness.versions.next_step()}</dd>
            <dt>"v2 store"</dt>
            <dd data-testid="v2-store" class:warn=v2_warn>{readiness.v2.words()}</dd>
            <dt>"Learners"</dt>
            <dd data-testid="learners" class:warn=learners_full>{readiness.learners.words()}</dd>
        </dl>
        <Table columns=&["Member", "Version", "Hash", "Compact revision"] testid="readiness-members">
            {rows}
        </Table>
    }
}

#[component]
fn ReadingRow(reading: HashReading, version: Option<String>) -> impl IntoView {
    let checked = reading.hash.is_some();
    let hash = match (reading.hash, &reading.error) {
        (Some(h), _) => h.to_string(),
        (None, Some(e)) => format!("not checked: {e}"),
        (None, None) => "not checked".to_owned(),
    };
    view! {
        <tr data-testid="readiness-member" data-member=reading.member.clone() data-checked=checked.to_string()>
            <td data-label="Member">{reading.member.clone()}</td>
            <td data-label="Version">{version.unwrap_or_else(|| "–".into())}</td>
            <td data-label="Hash" class:muted=!checked data-testid="hash"><code>{hash}</code></td>
            <td data-label="Compact revision">
                {reading.compact_revision.map_or_else(|| "–".to_owned(), |c| c.to_string())}
            </td>
        </tr>
    }
}
