//! The loopback redirect listener of RFC 8252 section 7.3: an HTTP server on 127.0.0.1 with a
//! port chosen by the system, waiting for one authorization response on `/callback`.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{OriginalUri, State};
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

/// Tells the waiting browser request whether the sign-in succeeded.
type Reply = oneshot::Sender<bool>;
/// Hands the first redirect (path and query) and its reply channel to [`Loopback::complete`].
type Slot = Arc<Mutex<Option<oneshot::Sender<(String, Reply)>>>>;

/// A bound listener waiting for the authorization response.
pub struct Loopback {
    redirect_uri: String,
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
        let slot: Slot = Arc::new(Mutex::new(Some(tx)));
        let app = Router::new()
            .route("/callback", get(callback))
            .with_state(slot);
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
            received,
            stop: Some(stop),
            server,
        })
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for the redirect, runs `exchange` on its full URL while the
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

    /// The first redirect's path and query, and the channel its browser request waits on.
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

/// Hands the first redirect over and answers it once the sign-in ended; later requests get
/// the neutral page at once.
async fn callback(State(slot): State<Slot>, OriginalUri(uri): OriginalUri) -> Html<&'static str> {
    let Some(sender) = slot.lock().ok().and_then(|mut s| s.take()) else {
        return Html(RECEIVED_PAGE);
    };
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let (reply, outcome) = oneshot::channel();
    if sender.send((path_and_query, reply)).is_err() {
        return Html(RECEIVED_PAGE);
    }
    Html(match outcome.await {
        Ok(true) => DONE_PAGE,
        Ok(false) => FAILED_PAGE,
        Err(_) => RECEIVED_PAGE,
    })
}
