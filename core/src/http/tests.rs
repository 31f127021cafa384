use super::*;

fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> HttpResponse {
    HttpResponse::new(
        StatusCode::from_u16(status).unwrap(),
        headers
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect(),
        body.as_bytes().to_vec(),
    )
}

#[test]
fn error_member_wins_at_any_status() {
    let ok = response(
        200,
        &[],
        r#"{"error":"invalid_grant","error_description":"used"}"#,
    );
    assert_eq!(ok.into_json().unwrap_err().code(), "invalid_grant");
    let client = response(
        401,
        &[("www-authenticate", "Basic")],
        r#"{"error":"invalid_client"}"#,
    );
    assert_eq!(client.into_json().unwrap_err().code(), "invalid_client");
    let rate = response(
        429,
        &[("retry-after", "9")],
        r#"{"error":"rate_limit_exceeded"}"#,
    );
    let err = rate.into_json().unwrap_err();
    assert_eq!(
        (err.code(), err.retry_after()),
        ("rate_limit_exceeded", Some(Duration::from_secs(9)))
    );
}

#[test]
fn non_json_bodies_become_typed_http_errors() {
    let html = response(
        502,
        &[("content-type", "text/html")],
        "<html><body>Bad gateway</body></html>",
    );
    match html.into_json().unwrap_err() {
        Error::Http {
            status, excerpt, ..
        } => {
            assert_eq!(status, 502);
            assert!(excerpt.contains("Bad gateway"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = response(429, &[("retry-after", "2")], "slow down please");
    let err = text.into_json().unwrap_err();
    assert_eq!(
        (err.code(), err.retry_after()),
        ("rate_limit_exceeded", Some(Duration::from_secs(2)))
    );
    let plain_ok = response(200, &[("content-type", "text/plain")], "hello");
    assert_eq!(plain_ok.into_json().unwrap_err().code(), "protocol_error");
}

#[test]
fn a_broken_json_or_form_success_is_described_but_never_quoted() {
    let truncated = r#"{"access_token":"opaque-at-123","refresh_token":"opaque-rt-456""#;
    for (content_type, body, says) in [
        (
            "application/json",
            truncated,
            "not valid JSON: EOF while parsing",
        ),
        ("text/plain", truncated, "not valid JSON"),
        ("application/json", "", "empty body"),
        (
            "application/x-www-form-urlencoded",
            "access_token=opaque-at-123&token_type=bearer",
            "a form (access_token=[REDACTED]&token_type=bearer)",
        ),
        ("text/html", "<p>maintenance</p>", "<p>maintenance</p>"),
    ] {
        let error = response(200, &[("content-type", content_type)], body)
            .into_json()
            .unwrap_err();
        let shown = error.to_string();
        assert_eq!(error.code(), "protocol_error");
        assert!(shown.contains(says), "{shown}");
        assert!(!shown.contains("opaque-"), "{shown}");
    }
    let json_404 = response(404, &[], r#"{"message":"not here"}"#);
    assert_eq!(
        json_404.into_json().unwrap_err().code(),
        "http_client_error"
    );
}

#[test]
fn bearer_errors_in_www_authenticate_only() {
    let header = r#"Bearer error="insufficient_scope", scope="email""#;
    let r = response(403, &[("www-authenticate", header)], "");
    match r.into_json().unwrap_err() {
        Error::InsufficientScope { scope, .. } => assert_eq!(scope.as_deref(), Some("email")),
        other => panic!("unexpected {other:?}"),
    }
    let body_and_header = response(
        403,
        &[("www-authenticate", header)],
        r#"{"error":"insufficient_scope"}"#,
    );
    match body_and_header.into_empty().unwrap_err() {
        Error::InsufficientScope { scope, .. } => assert_eq!(scope.as_deref(), Some("email")),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn excerpts_are_short_and_clean() {
    let body = format!("<h1>\u{0}oops</h1>\n{}", "x".repeat(5000));
    let e = response(500, &[], &body).excerpt();
    assert!(e.chars().count() <= 201 && !e.contains('\u{0}') && !e.contains('\n'));
    let mut bad_utf8 = response(500, &[], "");
    bad_utf8.body = vec![0xff, 0xfe, b'a'];
    assert_eq!(bad_utf8.excerpt(), "\u{fffd}\u{fffd}a");
}
