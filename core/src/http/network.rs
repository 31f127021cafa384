//! Classifies reqwest failures into [`NetworkErrorKind`]s.

use std::error::Error as _;

use crate::{Error, NetworkErrorKind};

/// Maps a transport failure to [`Error::Network`]. The kind comes from the whole source chain;
/// the detail is only its innermost cause (e.g. "connection refused"), never the request URL.
pub(crate) fn classify(error: reqwest::Error) -> Error {
    let chain = source_chain(&error);
    let kind = if error.is_timeout() || chain.contains("timed out") {
        NetworkErrorKind::Timeout
    } else if chain.contains("dns error") || chain.contains("failed to lookup address") {
        NetworkErrorKind::Dns
    } else if [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
    ]
    .iter()
    .any(|word| chain.contains(word))
    {
        NetworkErrorKind::Tls
    } else if error.is_connect() {
        NetworkErrorKind::Connect
    } else if [
        "connection reset",
        "closed before message completed",
        "connection closed",
        "broken pipe",
        "unexpected eof",
    ]
    .iter()
    .any(|word| chain.contains(word))
    {
        NetworkErrorKind::Reset
    } else if error.is_builder() {
        return Error::Config(format!("cannot build the request: {}", error.without_url()));
    } else {
        NetworkErrorKind::Io
    };
    Error::Network {
        kind,
        detail: root_cause(&error),
    }
}

/// Whether a failed request may have reached the server: only failures to resolve or to
/// connect are known to happen before anything was sent.
pub(crate) fn may_have_been_sent(error: &reqwest::Error) -> bool {
    !error.is_connect()
}

/// The detail of a reqwest failure: its innermost cause, once (the outer layers only repeat
/// it: "client error (Connect): tcp connect error: ..."). Only the sources are read: reqwest's
/// own message names the URL.
fn root_cause(error: &reqwest::Error) -> String {
    error
        .source()
        .map_or_else(|| "request failed".to_owned(), innermost_cause)
}

/// The innermost cause in `error`'s source chain (`error` itself when it has no source),
/// presented for people: "connection refused", not "Connection refused (os error 111)".
/// URLs lose their query; the text is one line.
pub(crate) fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    let text = innermost.to_string();
    let text = match text.find(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => &text,
    };
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|word| match word.find("://").and(word.find(['?', '#'])) {
            Some(query) => &word[..query],
            None => word,
        })
        .collect();
    crate::error::clean_text(&lower_first(&words.join(" ")), 200)
}

/// "Connection refused" -> "connection refused"; an acronym ("DNS ...") is left alone.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

/// The lower-cased messages of the error and all its sources, joined with ": ".
fn source_chain(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = error.source();
    while let Some(e) = current {
        parts.push(e.to_string().to_ascii_lowercase());
        current = e.source();
    }
    if parts.is_empty() {
        parts.push("request failed".to_owned());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends one GET to `url` with plain reqwest and classifies the failure.
    async fn failure(url: &str) -> Error {
        let error = reqwest::get(url).await.expect_err("the request must fail");
        classify(error)
    }

    #[tokio::test]
    async fn a_refused_connection_names_its_cause_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = failure(&format!("http://127.0.0.1:{port}/path?token=s3cr3t")).await;
        assert_eq!(err.code(), "network_connect");
        assert_eq!(
            err.message(),
            "network failure (connect): connection refused"
        );
    }

    #[tokio::test]
    async fn a_dropped_connection_keeps_the_innermost_cause() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            // Read the request, then hang up without answering.
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await;
        });
        let err = failure(&format!("http://{addr}/path?code=s3cr3t")).await;
        assert_eq!(err.code(), "network_reset");
        let message = err.message();
        assert!(
            message.ends_with("): connection closed before message completed"),
            "{message}"
        );
        assert!(!message.contains("client error") && !message.contains("s3cr3t"));
    }

    #[test]
    fn leading_capitals_are_lowered_except_acronyms() {
        assert_eq!(lower_first("Connection refused"), "connection refused");
        assert_eq!(lower_first("DNS failed"), "DNS failed");
        assert_eq!(lower_first(""), "");
    }
}
