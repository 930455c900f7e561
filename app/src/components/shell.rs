//! The frame every page shares: product, the etcd cluster Patrol watches,
//! navigation, the access badge with sign-in or sign-out, and the
//! connection indicator.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::auth::{provide_access, use_access, Access};
use crate::live::{use_live, StreamState};
use crate::model::EtcdConnection;
use crate::pages::sign_in::{sign_in_path, SignOut};

/// Page frame with the top bar; `children` is the routed page.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    provide_access();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                "Patrol"
            </A>
            <Transition fallback=|| ()>
                {move || {
                    use_live()
                        .overview()
                        .and_then(Result::ok)
                        .map(|o| view! { <EtcdIdentity etcd=o.etcd /> })
                }}
            </Transition>
            <nav class="nav" aria-label="Main">
                <A href="/clusters">"Clusters"</A>
                <A href="/keys/">"Keys"</A>
                <A href="/etcd">"etcd"</A>
                <A href="/audit">"Audit"</A>
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

/// "Sign in" for a visitor when sign-in is possible, "Sign out" for an admin.
#[component]
fn SignInOut() -> impl IntoView {
    let access = use_access();
    let location = use_location();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_out.value().get() {
            access.refresh();
        }
    });
    let next = move || {
        let (path, query) = (location.pathname.get(), location.search.get());
        if path.starts_with("/sign-in") {
            return "/sign-in".to_owned();
        }
        let here = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        sign_in_path(&here)
    };
    view! {
        <Transition fallback=|| ()>
            {move || match access.get() {
                Some(Access { admin: Some(_), .. }) => view! {
                    <ActionForm action=sign_out attr:class="sign-out">
                        <button type="submit" class="link" data-testid="sign-out">"Sign out"</button>
                    </ActionForm>
                }.into_any(),
                Some(Access { sign_in_available: true, read_only: false, .. }) => view! {
                    <a href=next class="sign-in-link" data-testid="sign-in-link">"Sign in"</a>
                }.into_any(),
                _ => ().into_any(),
            }}
        </Transition>
    }
}

/// Which etcd this is, so production is never mistaken for staging.
#[component]
fn EtcdIdentity(etcd: EtcdConnection) -> impl IntoView {
    let id = etcd.cluster_id.unwrap_or_else(|| "unknown".into());
    let endpoints = etcd.endpoints.join(", ");
    let title = format!("etcd endpoints: {endpoints}");
    view! {
        <span class="etcd-id" data-testid="etcd-identity" title=title>
            <span class="label">"etcd"</span>
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
    let status = move || {
        let etcd_up = live
            .overview()
            .and_then(Result::ok)
            .map(|o| o.etcd.reachable);
        match (live.stream.get(), etcd_up) {
            (StreamState::Reconnecting, _) => ("warn", "Patrol unreachable, retrying"),
            (_, Some(false)) => ("bad", "etcd unreachable"),
            (StreamState::Open, Some(true)) => ("ok", "live"),
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
