//! The HTTP transport: every request of the library goes through [`Transport::send`].
//!
//! It sets `Accept: application/json` unless the caller chose another type, caps the body
//! size, maps transport failures to [`NetworkErrorKind`](crate::NetworkErrorKind)s, records
//! the server's `Date` header (clock skew), applies the rate budgets and the retry policy,
//! and reports every attempt to the client's telemetry (redacted logs, metrics, journal).
//! Errors built from an answer never repeat the request's secrets (see [`scrub`]), and a
//! forked child process gets its own connection pool (see [`pool`]).

mod budget;
mod client_auth;
mod network;
mod oauth_error;
mod operation;
mod pool;
mod retry;
mod retry_after;
mod scrub;
mod tls;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, DATE, HeaderMap, HeaderValue};
use reqwest::{Request, RequestBuilder, StatusCode};
use serde_json::Value;

use crate::telemetry::{HttpExchange, Telemetry, log, redact};
use crate::{Config, Error, LogLevel, Secret};
use budget::Budget;
pub use budget::{BudgetExhausted, RateBudgets, RateCategory};
pub(crate) use client_auth::authenticate;
pub(crate) use network::innermost_cause;
pub(crate) use oauth_error::{OAuthError, error_from_code};
pub(crate) use operation::Operation;
use pool::Pool;
use retry::Attempt;
pub use retry::RetryPolicy;
pub(crate) use scrub::Scrubber;

/// Largest response body read; anything larger is a protocol error.
const MAX_BODY: usize = 1 << 20;
/// Marks "no Date header seen yet" in the skew cell.
const NO_SKEW: i64 = i64::MIN;
/// Clock differences (seconds) worth a warning.
const NOTABLE_SKEW: u64 = 5;
/// Log target of the transport.
const TARGET: &str = "upbond_core::http";

/// A reqwest client plus the clock-skew record, rate budgets, retry policy and telemetry;
/// cheap to clone (clones share all of them).
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    http: Arc<Pool>,
    /// Removed from any server text that reaches an error, whatever the request.
    client_secret: Option<Secret>,
    skew: Arc<AtomicI64>,
    retry: RetryPolicy,
    budget: Arc<Budget>,
    telemetry: Arc<Telemetry>,
}

/// A complete HTTP answer (status, headers, body) and how it was obtained.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub meta: ExchangeMeta,
    /// The secrets of the request this answers, kept out of errors built from it.
    scrub: Scrubber,
}

/// What a response answered and how long it took, retries included.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExchangeMeta {
    pub operation: Operation,
    pub started: Instant,
    pub attempts: u32,
}

impl Transport {
    pub fn new(config: &Config) -> Result<Self, Error> {
        Ok(Transport {
            http: Arc::new(Pool::new(config)?),
            client_secret: config.client_secret.clone(),
            skew: Arc::new(AtomicI64::new(NO_SKEW)),
            retry: config.retry.clone(),
            budget: Arc::new(Budget::new(config.rate_budgets.clone())),
            telemetry: Arc::default(),
        })
    }

    /// A GET of `url` carrying `access_token` as its Bearer credentials (RFC 6750).
    pub fn get_with(&self, url: &url::Url, access_token: &Secret) -> Result<RequestBuilder, Error> {
        Ok(self.get(url).header(AUTHORIZATION, bearer(access_token)?))
    }

    /// A POST to `url` carrying `access_token` as its Bearer credentials (RFC 6750).
    pub fn post_with(
        &self,
        url: &url::Url,
        access_token: &Secret,
    ) -> Result<RequestBuilder, Error> {
        Ok(self.post(url).header(AUTHORIZATION, bearer(access_token)?))
    }

    pub fn get(&self, url: &url::Url) -> RequestBuilder {
        self.http.client().get(url.as_str())
    }

    pub fn post(&self, url: &url::Url) -> RequestBuilder {
        self.http.client().post(url.as_str())
    }

    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// Sends a request for `operation` and reads the whole answer, retrying where the retry
    /// policy allows it. Only transport failures and spent budgets are errors here; the
    /// answer of the last attempt is returned whatever its status.
    pub async fn send(
        &self,
        request: RequestBuilder,
        operation: Operation,
    ) -> Result<HttpResponse, Error> {
        let mut request = request.build().map_err(network::classify)?;
        let headers = request.headers_mut();
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        let scrub = Scrubber::for_request(&request, self.client_secret.as_ref());
        let started = Instant::now();
        if let Err(error) = self.take_budget(operation).await {
            return Err(self.finish(operation, started, 0, error));
        }
        let mut attempt = 1;
        loop {
            // Form and JSON bodies are bytes, which always clone.
            let copy = request
                .try_clone()
                .ok_or_else(|| Error::Config("the request body cannot be replayed".into()))?;
            let attempt_started = Instant::now();
            let (mut result, sent) = self.attempt(copy, operation, attempt).await;
            if let Ok(response) = &mut result {
                response.scrub = scrub.clone();
            }
            let duration = attempt_started.elapsed();
            let outcome = match &result {
                Ok(response) => Some(Attempt::Answered {
                    status: response.status.as_u16(),
                    retry_after: retry_after::parse(&response.headers),
                }),
                Err(Error::Network { kind, .. }) => Some(Attempt::Failed { kind: *kind, sent }),
                Err(_) => None,
            };
            let wait = outcome.and_then(|o| {
                self.retry
                    .next_wait(operation, attempt, o, started.elapsed())
            });
            self.report_attempt(&request, (operation, attempt, duration), &result, wait);
            let Some(wait) = wait else {
                return self.finish_response(operation, started, attempt, result);
            };
            tokio::time::sleep(wait).await;
            if self.take_budget(operation).await.is_err() {
                return self.finish_response(operation, started, attempt, result);
            }
            attempt += 1;
        }
    }

    async fn take_budget(&self, operation: Operation) -> Result<(), Error> {
        match operation.category() {
            Some(category) => self.budget.acquire(category).await,
            None => Ok(()),
        }
    }

    /// One attempt; the flag tells whether the request may have reached the server.
    async fn attempt(
        &self,
        request: Request,
        operation: Operation,
        attempt: u32,
    ) -> (Result<HttpResponse, Error>, bool) {
        log(LogLevel::Debug, TARGET, || {
            let (content_type, body) = request_body(&request);
            format!(
                "-> {} {} [{} #{attempt}] {}",
                request.method(),
                request.url().path(),
                operation.name(),
                redact::body(content_type, body)
            )
        });
        let started = Instant::now();
        let mut response = match self.http.client().execute(request).await {
            Ok(response) => response,
            Err(error) => {
                let sent = network::may_have_been_sent(&error);
                return (Err(network::classify(error)), sent);
            }
        };
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        self.record_date(&headers);
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > MAX_BODY => {
                    let message = format!("response body larger than {MAX_BODY} bytes");
                    return (Err(Error::Protocol(message)), true);
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(error) => return (Err(network::classify(error)), true),
            }
        }
        let meta = ExchangeMeta {
            operation,
            started,
            attempts: attempt,
        };
        let response = HttpResponse {
            status,
            headers,
            body,
            meta,
            scrub: Scrubber::default(),
        };
        (Ok(response), true)
    }

    /// Logs one attempt and hands it to the telemetry.
    fn report_attempt(
        &self,
        request: &Request,
        (operation, attempt, duration): (Operation, u32, Duration),
        result: &Result<HttpResponse, Error>,
        wait: Option<Duration>,
    ) {
        let (status, error_code, summary) = match result {
            Ok(r) => (
                Some(r.status.as_u16()),
                r.failure().map(|e| e.code().to_owned()),
                r.scrub.text(&redact::body(r.content_type(), &r.body)),
            ),
            Err(e) => (None, Some(e.code().to_owned()), e.message()),
        };
        let exchange = HttpExchange {
            endpoint: operation.name().to_owned(),
            method: request.method().to_string(),
            path: request.url().path().to_owned(),
            status,
            duration,
            error_code,
            attempt,
            will_retry: wait.is_some(),
            retry_in: wait,
        };
        log(LogLevel::Debug, TARGET, || {
            let status = status.map_or("no answer".to_owned(), |s| s.to_string());
            format!(
                "<- {} {} [{} #{attempt}] {status} in {} ms: {summary}",
                exchange.method,
                exchange.path,
                exchange.endpoint,
                duration.as_millis()
            )
        });
        if let Some(wait) = wait {
            log(LogLevel::Warn, TARGET, || {
                format!(
                    "{} attempt {attempt} failed ({}); retrying in {} ms",
                    exchange.endpoint,
                    exchange.error_code.as_deref().unwrap_or("no answer"),
                    wait.as_millis()
                )
            });
        }
        self.telemetry.exchange(exchange, summary);
    }

    fn finish_response(
        &self,
        operation: Operation,
        started: Instant,
        attempts: u32,
        result: Result<HttpResponse, Error>,
    ) -> Result<HttpResponse, Error> {
        match result {
            Ok(mut response) => {
                let failure = response.failure();
                let outcome = failure.as_ref().map_or("ok", Error::code);
                self.telemetry
                    .operation(operation.name(), attempts, outcome, started.elapsed());
                if let Some(error) = &failure {
                    self.telemetry.error(operation.name(), error);
                }
                response.meta = ExchangeMeta {
                    operation,
                    started,
                    attempts,
                };
                Ok(response)
            }
            Err(error) => Err(self.finish(operation, started, attempts, error)),
        }
    }

    /// Records a call that ends in `error`.
    fn finish(&self, operation: Operation, started: Instant, attempts: u32, error: Error) -> Error {
        self.telemetry
            .operation(operation.name(), attempts, error.code(), started.elapsed());
        self.telemetry.error(operation.name(), &error);
        log(LogLevel::Error, TARGET, || {
            format!("{} failed: {}", operation.name(), error.message())
        });
        error
    }

    /// Server clock minus local clock in seconds, from the last `Date` header seen.
    pub fn clock_skew(&self) -> Option<i64> {
        Some(self.skew.load(Ordering::Relaxed)).filter(|s| *s != NO_SKEW)
    }

    /// The current Unix time on the server's clock (local time when no skew is known).
    pub fn server_now(&self) -> u64 {
        let now = now_unix();
        match self.clock_skew() {
            Some(skew) => now.saturating_add_signed(skew),
            None => now,
        }
    }

    pub(crate) fn record_date(&self, headers: &HeaderMap) {
        let server = headers
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let Some(server) = server else { return };
        let skew = unix_seconds(server) - unix_seconds(SystemTime::now());
        let previous = self.skew.swap(skew, Ordering::Relaxed);
        let changed = previous == NO_SKEW || previous.abs_diff(skew) > NOTABLE_SKEW;
        if changed && skew.unsigned_abs() > NOTABLE_SKEW {
            log(LogLevel::Warn, TARGET, || {
                format!(
                    "the issuer's clock differs from this device's by {skew:+} s; token times \
                     are checked against the issuer's clock (synchronise this clock)"
                )
            });
        }
    }
}

/// The content type and bytes of a request's body (empty when it has none).
fn request_body(request: &Request) -> (Option<&str>, &[u8]) {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .unwrap_or_default();
    (content_type, body)
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The `Authorization` value for `token`. A Bearer token is visible ASCII (RFC 6750 section
/// 2.1); anything else (a line break, a space, non-ASCII text) is refused before sending, as
/// it would be cut, dropped or read as another header.
fn bearer(token: &Secret) -> Result<HeaderValue, Error> {
    let token = token.expose();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::Config(
            "the access token is not a Bearer token: it must be a non-empty run of visible \
             ASCII characters (no spaces, line breaks or other text)"
                .into(),
        ));
    }
    let mut value = HeaderValue::try_from(format!("Bearer {token}"))
        .map_err(|_| Error::Config("the access token cannot be sent in a header".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

impl HttpResponse {
    /// An answer built in a test, as if from one discovery attempt.
    #[cfg(test)]
    pub fn new(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Self {
        HttpResponse {
            status,
            headers,
            body,
            meta: ExchangeMeta {
                operation: Operation::Discovery,
                started: Instant::now(),
                attempts: 1,
            },
            scrub: Scrubber::default(),
        }
    }

    /// The OAuth `error` member of a JSON body, at any status, without the request's secrets.
    pub fn oauth_error(&self) -> Option<OAuthError> {
        OAuthError::from_body(&self.body).map(|e| e.scrubbed(&self.scrub))
    }

    /// The error this answer stands for, if it is one: an OAuth `error` member (at any
    /// status), an RFC 6750 `WWW-Authenticate` error, or a non-success status. The polling
    /// answers `authorization_pending` and `slow_down` are not failures.
    pub fn failure(&self) -> Option<Error> {
        let polling = self.oauth_error().or_else(|| self.header_error());
        if polling
            .is_some_and(|e| matches!(e.error.as_str(), "authorization_pending" | "slow_down"))
        {
            return None;
        }
        self.error()
    }

    /// The JSON body of a successful answer, or the typed error the answer stands for.
    pub fn into_json(self) -> Result<Value, Error> {
        if let Some(error) = self.error() {
            return Err(error);
        }
        serde_json::from_slice::<Value>(&self.body).map_err(|e| self.not_json(&e))
    }

    /// Why a successful answer's body is not the JSON expected. A body meant as JSON (or a
    /// form) may hold the new tokens, which no scrubber knows: it is described by its size and
    /// where parsing failed (a form by its names), never quoted. Other bodies (an HTML page)
    /// are quoted in part.
    fn not_json(&self, error: &serde_json::Error) -> Error {
        let media = self.content_type().unwrap_or("no content type");
        let first = self.body.iter().find(|b| !b.is_ascii_whitespace());
        let lower = media.to_ascii_lowercase();
        Error::Protocol(if self.body.is_empty() {
            format!("expected a JSON body, got an empty body ({media})")
        } else if lower.contains("json") || matches!(first, Some(b'{' | b'[')) {
            let len = self.body.len();
            format!("the body is not valid JSON: {error} ({len} bytes of {media})")
        } else if lower.starts_with("application/x-www-form-urlencoded") {
            let names = redact::form(&self.body);
            format!("expected a JSON body, got a form ({names})")
        } else {
            format!("expected a JSON body, got {media} ({})", self.excerpt())
        })
    }

    /// The JSON body of a successful answer, read by `parse`. An error `parse` makes may quote
    /// the body (an issuer, a URL): it loses the request's secrets as every error here does.
    pub fn parse_json<T>(self, parse: impl FnOnce(Value) -> Result<T, Error>) -> Result<T, Error> {
        let scrub = self.scrubber();
        self.into_json().and_then(parse).map_err(|e| scrub.error(e))
    }

    /// The non-empty `refresh_token` of a successful JSON answer, whatever else is wrong with
    /// it.
    pub fn refresh_token(&self) -> Option<Secret> {
        if self.failure().is_some() {
            return None;
        }
        let value: Value = serde_json::from_slice(&self.body).ok()?;
        crate::json::string(&value, "refresh_token")
            .filter(|token| !token.is_empty())
            .map(Secret::new)
    }

    /// The secrets of the request this answers, for errors found after the body was read.
    pub fn scrubber(&self) -> Scrubber {
        self.scrub.clone()
    }

    /// A success without body check (revocation): errors as in [`HttpResponse::into_json`].
    pub fn into_empty(self) -> Result<(), Error> {
        self.error().map_or(Ok(()), Err)
    }

    /// The error this answer stands for, polling answers included. Every error built from an
    /// answer comes from here, or from [`HttpResponse::excerpt`], so none repeats a secret.
    fn error(&self) -> Option<Error> {
        if let Some(error) = self.oauth_error().or_else(|| self.header_error()) {
            return Some(error.into_error(self.status, &self.headers));
        }
        (!self.status.is_success()).then(|| self.status_error())
    }

    /// An RFC 6750 error carried only in `WWW-Authenticate` (empty-bodied 401/403).
    fn header_error(&self) -> Option<OAuthError> {
        if self.status.is_success() {
            return None;
        }
        OAuthError::from_www_authenticate(&self.headers).map(|e| e.scrubbed(&self.scrub))
    }

    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Error for a non-success status whose body is not an OAuth error.
    fn status_error(&self) -> Error {
        let retry_after = retry_after::parse(&self.headers);
        let status = self.status.as_u16();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            let description = crate::error::Description::new(Some(&self.excerpt()));
            return Error::RateLimited {
                retry_after,
                description: description.with_status(Some(status)),
            };
        }
        Error::Http {
            status,
            excerpt: self.excerpt(),
            retry_after,
        }
    }

    /// The start of the body for error messages: lossy UTF-8 without the request's secrets,
    /// cleaned, at most 200 characters.
    fn excerpt(&self) -> String {
        let head = &self.body[..self.body.len().min(EXCERPT_SOURCE)];
        let text = self.scrub.text(&String::from_utf8_lossy(head));
        crate::error::clean_text(&text, 200)
    }
}

/// Bytes of a body read for an excerpt: enough for 200 characters after cleaning, and for a
/// secret starting within them to be whole (so it is found and removed, not cut).
const EXCERPT_SOURCE: usize = 4096;

#[cfg(test)]
mod tests;
