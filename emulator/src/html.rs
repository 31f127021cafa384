//! Minimal HTML pages (login, device verification, errors, signed out).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::errors::OAuthError;

/// Escapes text for HTML element and attribute content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A complete page; `body` must already be escaped HTML.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:26rem;margin:3rem auto;\
         padding:0 1rem}}input,button{{display:block;width:100%;margin:.4rem 0;padding:.5rem}}\
         .error{{color:#b00020}}</style></head><body><h1>{title}</h1>{body}\
         <p><small>UPBOND Login emulator (local development server)</small></p></body></html>",
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

/// An error page showing the OAuth error code and description.
pub fn error_page(error: &OAuthError) -> Response {
    let body = format!(
        "<p class=\"error\" id=\"error\" data-error=\"{code}\"><strong>{code}</strong>: {description}</p>",
        code = escape(error.error),
        description = escape(&error.description),
    );
    page(error.status, "Sign-in error", &body)
}

/// A hidden form field.
pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

/// Email and password fields plus approve / deny buttons.
pub fn credential_fields(email: &str, message: Option<&str>) -> String {
    let message = message
        .map(|m| format!("<p class=\"error\">{}</p>", escape(m)))
        .unwrap_or_default();
    format!(
        "{message}<label>Email<input name=\"email\" type=\"email\" value=\"{}\" autocomplete=\"username\"></label>\
         <label>Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
         <button name=\"action\" value=\"approve\">Continue</button>\
         <button name=\"action\" value=\"deny\">Cancel</button>",
        escape(email)
    )
}
