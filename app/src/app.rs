//! The HTML document, the router and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::Shell;
use crate::components::title::format_title;
use crate::live::provide_live;
use crate::pages::{
    cluster::ClusterPage, keys::KeysPage, overview::OverviewPage, unavailable::NotFound,
};

/// Where the page shell finds the stylesheet and the icon: content-hashed
/// names when the site is built into the server.
#[derive(Clone, Debug)]
pub struct SiteLinks {
    pub stylesheet: String,
    pub icon: String,
}

/// The document around the app, rendered on the server. Its inline script
/// carries the response's nonce (see the server's Content-Security-Policy).
pub fn shell(options: LeptosOptions, links: SiteLinks) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href=links.icon type="image/svg+xml" />
                <link rel="stylesheet" href=links.stylesheet />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: shared shell, live data and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_live();
    view! {
        // Every page's title passes through this formatter: it escapes what
        // leptos_meta would otherwise write into the page as is.
        <Title formatter=format_title text="Patrol" />
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage />
                    <Route path=path!("/clusters") view=OverviewPage />
                    <Route path=path!("/clusters/:namespace/:scope") view=ClusterPage />
                    <Route path=path!("/keys/*rest") view=KeysPage />
                    <Route path=path!("/keys/") view=KeysPage />
                    <Route path=path!("/keys") view=KeysPage />
                    <Route path=path!("/etcd") view=crate::pages::etcd::EtcdPage />
                    <Route path=path!("/audit") view=crate::pages::audit::AuditPage />
                    <Route path=path!("/e/:etcd") view=OverviewPage />
                    <Route path=path!("/e/:etcd/clusters") view=OverviewPage />
                    <Route path=path!("/e/:etcd/clusters/:namespace/:scope") view=ClusterPage />
                    <Route path=path!("/e/:etcd/keys/*rest") view=KeysPage />
                    <Route path=path!("/e/:etcd/keys/") view=KeysPage />
                    <Route path=path!("/e/:etcd/keys") view=KeysPage />
                    <Route path=path!("/e/:etcd/etcd") view=crate::pages::etcd::EtcdPage />
                    <Route path=path!("/sign-in") view=crate::pages::sign_in::SignInPage ssr=leptos_router::SsrMode::Async />
                </Routes>
            </Shell>
        </Router>
    }
}
