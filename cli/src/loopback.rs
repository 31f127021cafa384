//! The loopback redirect listener of RFC 8252 section 7.3: an HTTP server on 127.0.0.1 with a
//! port chosen by the system, waiting for one authorization response on `/callback`.
//!
//! Any local program, or a web page probing ports, can reach the listener; only a request
//! carrying the `state` of this authorization request ends the wait (with its code, or with
//! the issuer's error). Anything else gets a 400 page and the wait goes on.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use tokio::sync::oneshot;
use url::Url;

use crate::error::{CliError, Exit};

/// Page shown once the code was exchanged for tokens.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>upbond</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Signed in</h1>\
<p>The upbond command has your tokens. You can close this tab and go back to the terminal.</p>";

/// Page shown when the sign-in failed: an error on the redirect, or a failed code exchange.
const FAILED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>upbond</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in did not complete</h1>\
<p>The terminal shows what happened and how to fix it. You can close this tab.</p>";

/// Page shown when the outcome is not known here: a repeated request, or upbond stopped.
const RECEIVED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>upbond</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in response received</h1>\
<p>The terminal shows how the sign-in ended. You can close this tab.</p>";

/// Page (status 400) for a request that is not this sign-in's redirect.
const NOT_OURS_PAGE: &str = "<!doctype html><meta charset=utf-8><title>upbond</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Not a sign-in response</h1>\
<p>This address only accepts the identity provider's answer to the sign-in that upbond \
started. upbond is still waiting for it.</p>";

/// Tells the waiting browser request whether the sign-in succeeded.
type Reply = oneshot::Sender<bool>;

/// What the request handler needs: the expected state and where to hand the redirect.
#[derive(Default)]
struct Waiting {
    /// The `state` of the authorization request; until it is set, nothing is accepted.
    state: Option<String>,
    /// Hands the redirect (path and query) and its reply channel to [`Loopback::complete`];
    /// taken by the first request carrying the state.
    sender: Option<oneshot::Sender<(String, Reply)>>,
}

type Shared = Arc<Mutex<Waiting>>;

/// A bound listener waiting for the authorization response.
pub struct Loopback {
    redirect_uri: String,
    waiting: Shared,
    received: oneshot::Receiver<(String, Reply)>,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Binds 127.0.0.1 on a random port and starts serving `/callback`.
    pub async fn bind() -> Result<Loopback, CliError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| CliError::io("binding a loopback port on 127.0.0.1", &e))?;
        let port = listener
            .local_addr()
            .map_err(|e| CliError::io("reading the loopback port", &e))?
            .port();
        let (tx, received) = oneshot::channel();
        let waiting: Shared = Arc::new(Mutex::new(Waiting {
            state: None,
            sender: Some(tx),
        }));
        let app = Router::new()
            .route("/callback", get(callback))
            .fallback(|| async { not_ours() })
            .with_state(Arc::clone(&waiting));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            // Graceful shutdown lets the browser receive the page; an I/O error just ends serving.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Loopback {
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
            waiting,
            received,
            stop: Some(stop),
            server,
        })
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Accepts only redirects carrying `state`, the state of the authorization request.
    pub fn expect_state(&self, state: &str) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.state = Some(state.to_owned());
        }
    }

    /// Waits up to `timeout` for the redirect with the expected state, runs `exchange` on its full URL while the
    /// browser waits, then shows the browser whether the sign-in succeeded.
    pub async fn complete<T, Fut>(
        mut self,
        timeout: Duration,
        exchange: impl FnOnce(Url) -> Fut,
    ) -> Result<T, CliError>
    where
        Fut: Future<Output = Result<T, CliError>>,
    {
        let (path_and_query, reply) = self.receive(timeout).await?;
        let base = self.redirect_uri.trim_end_matches("/callback");
        let result = match Url::parse(&format!("{base}{path_and_query}")) {
            Ok(url) => exchange(url).await,
            Err(_) => Err(CliError::new(
                Exit::Refused,
                "invalid_redirect",
                "The redirect that reached the loopback listener is not a valid URL.",
                "Run `upbond login` again.",
            )),
        };
        let _ = reply.send(result.is_ok());
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.server).await;
        result
    }

    /// The redirect's path and query, and the channel its browser request waits on.
    async fn receive(&mut self, timeout: Duration) -> Result<(String, Reply), CliError> {
        tokio::time::timeout(timeout, &mut self.received)
            .await
            .map_err(|_| {
                CliError::new(
                    Exit::Refused,
                    "login_timeout",
                    format!(
                        "No answer from the browser within {}.",
                        crate::output::format_duration(timeout)
                    ),
                    "Run `upbond login` again and finish signing in in the browser, or use \
                     `upbond login --device` on a machine without a browser.",
                )
            })?
            .map_err(|_| {
                CliError::new(
                    Exit::Failure,
                    "loopback_closed",
                    "The loopback listener stopped unexpectedly.",
                    "Run the command again.",
                )
            })
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Hands the redirect with the expected state over and answers it once the sign-in ended;
/// a repeat of it gets the neutral page at once, any other request a 400 page.
async fn callback(
    State(waiting): State<Shared>,
    OriginalUri(uri): OriginalUri,
) -> (StatusCode, Html<&'static str>) {
    let sender = {
        let Ok(mut waiting) = waiting.lock() else {
            return not_ours();
        };
        let expected = waiting.state.as_deref();
        if expected.is_none() || state_of(uri.query().unwrap_or("")).as_deref() != expected {
            return not_ours();
        }
        waiting.sender.take()
    };
    let Some(sender) = sender else {
        return (StatusCode::OK, Html(RECEIVED_PAGE));
    };
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let (reply, outcome) = oneshot::channel();
    if sender.send((path_and_query, reply)).is_err() {
        return (StatusCode::OK, Html(RECEIVED_PAGE));
    }
    let page = match outcome.await {
        Ok(true) => DONE_PAGE,
        Ok(false) => FAILED_PAGE,
        Err(_) => RECEIVED_PAGE,
    };
    (StatusCode::OK, Html(page))
}

/// The one `state` parameter of a query; `None` when it is missing or repeated.
fn state_of(query: &str) -> Option<String> {
    let mut states = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned());
    let state = states.next();
    if states.next().is_some() {
        return None;
    }
    state
}

/// The answer to a request that is not the awaited redirect.
fn not_ours() -> (StatusCode, Html<&'static str>) {
    (StatusCode::BAD_REQUEST, Html(NOT_OURS_PAGE))
}
