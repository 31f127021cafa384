//! The HTTP server: router assembly, the accept loop (with per-connection drop support for
//! faults, a header read timeout that also closes idle connections, and a body read timeout),
//! graceful shutdown, and the cross-cutting middleware (Date header from the server clock,
//! request stats, redacted access log).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::config::ServerConfig;
use crate::errors::OAuthError;
use crate::state::{AppState, lock};
use crate::{authorize, device, discovery, faults, hooks, session, token, user_api, userinfo};

/// Lets a fault close the connection that carries the current request.
#[derive(Clone)]
pub struct ConnectionDropper(Arc<Notify>);

impl ConnectionDropper {
    /// Closes the connection without a response.
    pub fn drop_connection(&self) {
        self.0.notify_one();
    }
}

/// The full application router.
pub fn router(state: AppState) -> Router {
    let public = Router::new()
        .merge(discovery::routes())
        .merge(authorize::routes())
        .merge(token::routes())
        .merge(device::routes())
        .merge(userinfo::routes())
        .merge(session::routes())
        .merge(user_api::routes())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));
    Router::new()
        .merge(public)
        .nest("/_emulator", hooks::routes())
        .fallback(|| async { OAuthError::not_found() })
        .method_not_allowed_fallback(|| async {
            OAuthError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "This method is not allowed here",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Counts the request, stamps the Date header from the server clock and logs method, path
/// and status only (never query strings or bodies, which carry codes and tokens).
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    if !path.starts_with("/_emulator") {
        lock(&state.stats).request(&path);
    }
    let mut response = next.run(req).await;
    let date = httpdate::fmt_http_date(state.now_system());
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, value);
    }
    tracing::debug!(%method, %path, status = response.status().as_u16(), "request");
    response
}

/// Largest request body read (the same as axum's default limit).
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Serves `app` on `listener` until `shutdown` flips to true (or its sender is dropped).
/// A connection without a complete request head `header_read_timeout` after it opened or
/// after its last response is closed; a request without its whole body
/// `body_read_timeout` after its head is answered 408 and its connection closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: ServerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut shutdown) => break,
        };
        let Ok((stream, peer)) = accepted else {
            continue; // e.g. the peer reset before accept completed
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let shutdown = shutdown.clone();
        connections.spawn(serve_connection(
            stream,
            peer,
            app,
            timeouts.clone(),
            shutdown,
        ));
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    timeouts: ServerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let (header_timeout, body_timeout) =
        (timeouts.header_read_timeout(), timeouts.body_read_timeout());
    let dropper = ConnectionDropper(Arc::new(Notify::new()));
    let dropper_for_requests = dropper.clone();
    let (busy, in_flight) = watch::channel(0usize);
    let busy = Arc::new(busy);
    let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(dropper_for_requests.clone());
        let handling = Handling::start(&busy);
        let app = app.clone();
        async move {
            let (parts, body) = req.into_parts();
            let response = match read_body(body, body_timeout).await {
                Ok(body) => {
                    app.oneshot(Request::from_parts(parts, axum::body::Body::from(body)))
                        .await
                }
                Err(refusal) => Ok(refusal),
            };
            drop(handling);
            response
        }
    });
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = dropper.0.notified() => {} // dropping the connection closes the socket
        // HTTP/1 enforces the timeout per request head itself; this also covers the protocol
        // sniffing before it and idle HTTP/2 connections.
        _ = idle(in_flight, header_timeout) => {}
        _ = stopped(&mut shutdown) => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(2), connection).await;
        }
    }
}

/// The whole request body, read within `timeout` of the request head; otherwise the answer
/// to send instead (which closes the connection: the rest of the body is not awaited).
async fn read_body(body: Incoming, timeout: Duration) -> Result<Bytes, Response> {
    let read = Limited::new(body, MAX_BODY_BYTES).collect();
    let refusal = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(collected)) => return Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<LengthLimitError>() => OAuthError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
        ),
        Ok(Err(_)) => OAuthError::invalid_request("The request body could not be read"),
        Err(_) => OAuthError::new(
            StatusCode::REQUEST_TIMEOUT,
            "invalid_request",
            format!(
                "The request body did not arrive within {} ms",
                timeout.as_millis()
            ),
        ),
    };
    let mut response = refusal.into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    Err(response)
}

/// Counts one request as in flight on its connection until dropped (also when the handler is
/// cancelled).
struct Handling(Arc<watch::Sender<usize>>);

impl Handling {
    fn start(busy: &Arc<watch::Sender<usize>>) -> Handling {
        busy.send_modify(|n| *n += 1);
        Handling(Arc::clone(busy))
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// Resolves once no request has been in flight for `timeout`: from the start of the
/// connection or from the end of its last request.
async fn idle(mut in_flight: watch::Receiver<usize>, timeout: Duration) {
    loop {
        if in_flight.wait_for(|n| *n == 0).await.is_err() {
            return;
        }
        if tokio::time::timeout(timeout, in_flight.changed())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Resolves once shutdown is requested (or the handle is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
