//! The frame every page shares: product, the etcd cluster Patrol watches,
//! navigation, the access badge with sign-in or sign-out, and the
//! connection indicator.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::access::{provide_access, use_access};
use crate::auth::Access;
use crate::components::sign_in_out::SignInOut;
use crate::components::stream::StreamState;
use crate::fleet::{at, rel_between, use_etcd};
use crate::live::use_live;
use crate::model::EtcdConnection;

/// Page frame with the top bar; `children` is the routed page.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    provide_access();
    let etcd = use_etcd();
    let here = move || etcd.get();
    // Within the page's etcd cluster: client-side. To the fleet or the
    // audit log (no etcd cluster) from a named one: a full page load.
    let out = move || rel_between(here().as_deref(), None);
    view! {
        <header class="topbar">
            <a href="/" class="brand" rel=out>
                "Patrol"
            </a>
            <Transition fallback=|| ()>
                {move || {
                    let fleet = use_live().fleet().and_then(Result::ok)?;
                    let site = fleet.site(here().as_deref())?.clone();
                    let named = fleet.is_fleet() || site.name != "default";
                    Some(view! { <EtcdIdentity etcd=site.overview.etcd name=named.then_some(site.name) /> })
                }}
            </Transition>
            <nav class="nav" aria-label="Main">
                <A href=move || at(here().as_deref(), "/clusters")>"Clusters"</A>
                <A href=move || at(here().as_deref(), "/keys/")>"Keys"</A>
                <A href=move || at(here().as_deref(), "/etcd")>"etcd"</A>
                <a href="/audit" rel=out>"Audit"</a>
            </nav>
            <AccessBadge />
            <SignInOut />
            <ConnectionIndicator />
        </header>
        <main class="page">{children()}</main>
    }
}

/// Who is looking: an admin by name, or the read-only operator view.
#[component]
fn AccessBadge() -> impl IntoView {
    let access = use_access();
    let text = move || match access.get() {
        Some(Access {
            admin: Some(name),
            read_only: false,
            ..
        }) => (
            format!("admin: {name}"),
            "Signed in: admin actions are available",
        ),
        Some(Access {
            admin: Some(name),
            read_only: true,
            ..
        }) => (
            format!("admin: {name} (admin actions off)"),
            "Patrol runs with --read-only: admin actions are off",
        ),
        Some(Access {
            read_only: true, ..
        }) => (
            "read-only: admin actions off".to_owned(),
            "Patrol runs with --read-only: admin actions are off",
        ),
        Some(Access {
            sign_in_available: false,
            ..
        }) => (
            "read-only".to_owned(),
            "No admin credentials are configured: Patrol is read-only",
        ),
        _ => (
            "read-only".to_owned(),
            "Operator view: sign in as admin to act",
        ),
    };
    view! {
        <Transition fallback=|| view! { <span class="badge access" data-testid="access">"read-only"</span> }>
            <span class="badge access" data-testid="access" title=move || text().1>{move || text().0}</span>
        </Transition>
    }
}

/// Which etcd this is, so production is never mistaken for staging.
#[component]
fn EtcdIdentity(etcd: EtcdConnection, name: Option<String>) -> impl IntoView {
    let id = etcd.cluster_id.unwrap_or_else(|| "unknown".into());
    let endpoints = etcd.endpoints.join(", ");
    let title = format!("etcd endpoints: {endpoints}");
    view! {
        <span class="etcd-id" data-testid="etcd-identity" title=title>
            <span class="label">"etcd"</span>
            {name.map(|n| view! { <strong class="etcd-name" data-testid="etcd-name">{n}</strong> })}
            <code data-testid="cluster-id">{id}</code>
            <span class="endpoints">{endpoints}</span>
        </span>
    }
}

/// Whether what is on screen is live: the browser's stream to Patrol and
/// Patrol's link to etcd, in one dot and a word.
#[component]
fn ConnectionIndicator() -> impl IntoView {
    let live = use_live();
    let etcd = use_etcd();
    let status = move || {
        let etcd_up = live
            .overview(etcd.get().as_deref())
            .and_then(Result::ok)
            .map(|o| o.etcd.reachable);
        match (live.stream.get(), etcd_up) {
            (StreamState::Reconnecting, _) => ("warn", "Patrol unreachable, retrying"),
            (_, Some(false)) => ("bad", "etcd unreachable"),
            (StreamState::Live, Some(true)) => ("ok", "live"),
            _ => ("idle", "connecting"),
        }
    };
    view! {
        <Transition fallback=|| ()>
            <span class="conn" data-testid="connection" data-state=move || status().0>
                <span class="dot" aria-hidden="true"></span>
                {move || status().1}
            </span>
        </Transition>
    }
}
