//! A router that remembers its paths, so a test can list every route and
//! prove that each mutating one refuses an anonymous request.

use app::state::AppState;
use axum::routing::MethodRouter;
use axum::Router;

/// Routes and the paths they were registered under.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    /// Adds `handlers` at `path`.
    pub fn at(mut self, path: &str, handlers: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, handlers);
        self.paths.push(path.to_owned());
        self
    }

    /// Adds every route of `inner` under `prefix`.
    pub fn nest(mut self, prefix: &str, inner: Routes) -> Routes {
        self.router = self.router.nest(prefix, inner.router);
        self.paths
            .extend(inner.paths.into_iter().map(|p| format!("{prefix}{p}")));
        self
    }

    /// Adds every route of `other` as is.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<String>) {
        (self.router, self.paths)
    }
}
