//! Scripted responses ("faults") per path: a status with a body, a delay, a dropped
//! connection, a `Retry-After`. Applied by a middleware before the real handler runs.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::server::ConnectionDropper;
use crate::state::{AppState, lock};

/// One scripted response, as posted to `/_emulator/faults` or listed under `faults` in the
/// config file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Exact request path, e.g. `/oauth/token`.
    pub path: String,
    /// How many following requests get this fault (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Status to answer; without one (and without `drop_connection`) the request proceeds
    /// normally after `delay_ms`.
    #[serde(default)]
    pub status: Option<u16>,
    /// Response body (default empty).
    #[serde(default)]
    pub body: Option<String>,
    /// Content type (default `application/json` when the body is JSON, else `text/plain`).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Delay before answering, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Close the connection without any response.
    #[serde(default)]
    pub drop_connection: bool,
    /// `Retry-After` value: delta seconds or an HTTP-date (a JSON number is accepted too).
    #[serde(default, deserialize_with = "string_or_number")]
    pub retry_after: Option<String>,
}

/// Longest scripted delay: long enough to outlast any client timeout, short enough that a
/// typo does not hold a connection for ever.
const MAX_DELAY_MS: u64 = 600_000;

fn one() -> u32 {
    1
}

/// Reads `retry_after`: a string (delta seconds or an HTTP-date) or a whole number of seconds
/// (0 or more). Anything else is refused with a message naming the field and these forms.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct RetryAfter;
    impl<'de> serde::de::Visitor<'de> for RetryAfter {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(
                "retry_after as whole seconds (0 or more, e.g. 3 or \"3\") or an HTTP-date \
                 string",
            )
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(|v| Some(v.to_string()))
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(RetryAfter)
}

impl FaultSpec {
    /// Checks that the fault can be served.
    pub fn check(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err(format!("fault path {} must start with /", self.path));
        }
        if self.path.starts_with("/_emulator") {
            return Err("faults cannot target /_emulator hooks".into());
        }
        if self.times == 0 {
            return Err("times must be at least 1".into());
        }
        // 1xx are not final responses (101 would even claim a protocol switch).
        if let Some(status) = self.status
            && !(200..=599).contains(&status)
        {
            return Err(format!("invalid status {status}: use 200 to 599"));
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(format!(
                "delay_ms {} is over the maximum of {MAX_DELAY_MS} (10 minutes)",
                self.delay_ms
            ));
        }
        let header_ok = |v: &Option<String>| {
            v.as_deref()
                .is_none_or(|v| HeaderValue::from_str(v).is_ok())
        };
        if !header_ok(&self.retry_after) || !header_ok(&self.content_type) {
            return Err("retry_after and content_type must be valid header values".into());
        }
        if self.status.is_none() && !self.drop_connection && self.delay_ms == 0 {
            return Err("a fault needs a status, a delay or drop_connection".into());
        }
        Ok(())
    }

    fn response(&self, status: u16) -> Response {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = self.body.clone().unwrap_or_default();
        let content_type = self.content_type.clone().unwrap_or_else(|| {
            let json = serde_json::from_str::<serde_json::Value>(&body).is_ok();
            if json {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            }
            .to_string()
        });
        let mut response = (status, Body::from(body)).into_response();
        let headers = response.headers_mut();
        // Both values were checked by `check` when the fault was queued.
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        if let Some(value) = self
            .retry_after
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Queued faults per path.
#[derive(Default)]
pub struct Faults {
    queues: HashMap<String, VecDeque<(FaultSpec, u32)>>,
}

impl Faults {
    /// Queues a (checked) fault after those already queued for its path.
    pub fn push(&mut self, spec: FaultSpec) {
        let times = spec.times;
        self.queues
            .entry(spec.path.clone())
            .or_default()
            .push_back((spec, times));
    }

    /// Takes the next fault for `path`, if any.
    fn next(&mut self, path: &str) -> Option<FaultSpec> {
        let queue = self.queues.get_mut(path)?;
        let (spec, left) = queue.front_mut()?;
        let spec_out = spec.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        Some(spec_out)
    }

    /// Removes every queued fault.
    pub fn clear(&mut self) {
        self.queues.clear();
    }
}

/// Middleware serving the next queued fault for the request path.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let fault = lock(&state.faults).next(req.uri().path());
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    tracing::info!(path = req.uri().path(), "serving scripted fault");
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    if fault.drop_connection
        && let Some(dropper) = req.extensions().get::<ConnectionDropper>()
    {
        dropper.drop_connection();
        // The connection task drops this future together with the connection.
        std::future::pending::<()>().await;
    }
    match fault.status {
        Some(status) => fault.response(status),
        None => next.run(req).await,
    }
}
