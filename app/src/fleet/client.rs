//! How server functions tell the server which etcd cluster they are
//! about: the browser's client adds the name the page's URL carries
//! (`/e/<name>/…`) as the [`HEADER`] header. A page of the home cluster's
//! unprefixed paths sends none. The server checks the name before any
//! server function runs; during server-side rendering it reads the page's
//! own path instead.

/// The request header naming the etcd cluster of a server function call.
pub const HEADER: &str = "x-patrol-etcd";

#[cfg(feature = "hydrate")]
pub use browser::ScopedClient;
/// On the server, server functions are called directly, never sent.
#[cfg(not(feature = "hydrate"))]
pub use leptos::server_fn::client::browser::BrowserClient as ScopedClient;

#[cfg(feature = "hydrate")]
mod browser {
    use bytes::Bytes;
    use leptos::server_fn::client::browser::BrowserClient;
    use leptos::server_fn::client::Client;
    use leptos::server_fn::error::FromServerFnError;
    use leptos::server_fn::request::browser::BrowserRequest;
    use leptos::server_fn::response::browser::BrowserResponse;
    use std::future::Future;

    /// The browser's `fetch` client, with the etcd cluster of the page.
    pub struct ScopedClient;

    impl<E, IS, OS> Client<E, IS, OS> for ScopedClient
    where
        E: FromServerFnError,
        IS: FromServerFnError,
        OS: FromServerFnError,
    {
        type Request = BrowserRequest;
        type Response = BrowserResponse;

        fn send(req: BrowserRequest) -> impl Future<Output = Result<BrowserResponse, E>> + Send {
            let path = leptos::prelude::window()
                .location()
                .pathname()
                .unwrap_or_default();
            if let Some(name) = crate::fleet::scope_of_path(&path) {
                req.headers().set(super::HEADER, name);
            }
            <BrowserClient as Client<E, IS, OS>>::send(req)
        }

        fn open_websocket(
            path: &str,
        ) -> impl Future<
            Output = Result<
                (
                    impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                    impl futures::Sink<Bytes> + Send + 'static,
                ),
                E,
            >,
        > + Send {
            <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
        }

        fn spawn(future: impl Future<Output = ()> + Send + 'static) {
            <BrowserClient as Client<E, IS, OS>>::spawn(future)
        }
    }
}
