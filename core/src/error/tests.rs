use std::collections::HashSet;

use super::*;

/// One value of every variant (and every code-bearing sub-kind).
fn samples() -> Vec<Error> {
    let d = || Description::new(Some("why"));
    let mut all = vec![
        Error::Config("x".into()),
        Error::InvalidRequest { description: d() },
        Error::InvalidClient { description: d() },
        Error::InvalidGrant { description: d() },
        Error::UnauthorizedClient { description: d() },
        Error::UnsupportedGrantType { description: d() },
        Error::InvalidScope { description: d() },
        Error::AccessDenied { description: d() },
        Error::RedirectUriMismatch { description: d() },
        Error::LoginRequired {
            error: "login_required".into(),
            description: d(),
        },
        Error::InvalidToken { description: d() },
        Error::InsufficientScope {
            scope: Some("email".into()),
            description: d(),
        },
        Error::EmailPasswordRejected { description: d() },
        Error::EmailOperationFailed {
            error: "EMAIL_001".into(),
            description: d(),
        },
        Error::DeviceCodeExpired { description: d() },
        Error::InvalidUserCode { description: d() },
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            description: d(),
        },
        Error::RateBudgetExhausted {
            category: crate::RateCategory::TokenRefresh,
            retry_after: Duration::from_secs(4),
        },
        Error::ServerError {
            retry_after: None,
            description: d(),
        },
        Error::OAuth {
            error: "new".into(),
            status: Some(400),
            description: d(),
        },
        Error::Http {
            status: 502,
            excerpt: "<html>".into(),
            retry_after: None,
        },
        Error::Http {
            status: 404,
            excerpt: "nope".into(),
            retry_after: None,
        },
        Error::Protocol("x".into()),
        Error::UnsupportedTokenType("DPoP".into()),
        Error::IssuerMismatch {
            expected: "a".into(),
            found: "b".into(),
        },
        Error::NotSupported("x"),
        Error::UserInfoSubjectMismatch,
        Error::StateMismatch,
        Error::Cancelled,
        Error::Storage("x".into()),
        Error::NotSignedIn("x"),
    ];
    for code in ["KOE101", "WAE102", "WCE102", "TGE102"] {
        all.push(Error::SocialProvider {
            provider: "p".into(),
            code,
            description: d(),
        });
    }
    for kind in [
        NetworkErrorKind::Timeout,
        NetworkErrorKind::Dns,
        NetworkErrorKind::Tls,
        NetworkErrorKind::Connect,
        NetworkErrorKind::Reset,
        NetworkErrorKind::Io,
    ] {
        all.push(Error::Network {
            kind,
            detail: "d".into(),
        });
    }
    use IdTokenErrorReason as R;
    for reason in [
        R::Malformed,
        R::UnsupportedAlgorithm,
        R::UnknownKey,
        R::BadSignature,
        R::IssuerMismatch,
        R::AudienceMismatch,
        R::AuthorizedPartyMismatch,
        R::Expired,
        R::NotYetValid,
        R::IssuedInFuture,
        R::MissingClaim,
        R::NonceMismatch,
        R::AtHashMismatch,
        R::SubjectMismatch,
    ] {
        all.push(Error::id_token(reason, ""));
    }
    all
}

#[test]
fn every_code_has_an_entry_and_every_entry_a_variant() {
    let produced: HashSet<&str> = samples().iter().map(Error::code).collect();
    for code in &produced {
        assert!(explain(code).is_some(), "{code} has no catalog entry");
    }
    for entry in catalog() {
        assert!(
            produced.contains(entry.code),
            "{} is produced by no variant",
            entry.code
        );
        assert!(
            !entry.title.is_empty() && !entry.causes.is_empty() && !entry.resolution.is_empty()
        );
    }
    let unique: HashSet<&str> = catalog().iter().map(|e| e.code).collect();
    assert_eq!(
        unique.len(),
        catalog().len(),
        "duplicate codes in the catalog"
    );
}

#[test]
fn predicates_and_accessors() {
    let limited = Error::RateLimited {
        retry_after: Some(Duration::from_secs(3)),
        description: Description::new(None),
    };
    assert!(limited.is_retryable());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    assert!(limited.message().contains("retry after 3 s"));
    assert!(!limited.causes().is_empty() && !limited.resolution().is_empty());
    let grant = Error::InvalidGrant {
        description: Description::new(None),
    };
    assert!(grant.requires_reauthentication() && !grant.is_retryable());
    let scope = Error::InsufficientScope {
        scope: Some("email".into()),
        description: Description::new(None),
    };
    assert!(scope.message().contains("(email)"));
    assert_eq!(explain("koe101").map(|e| e.code), Some("KOE101"));
    assert_eq!(explain("nope"), None);
}

#[test]
fn descriptions_are_cleaned_and_bounded() {
    let d = Description::new(Some("line\r\nbreak\u{7}\t x  y"));
    assert_eq!(d.text(), Some("line break x y"));
    let long = "é".repeat(1000);
    let d = Description::new(Some(&long));
    assert_eq!(d.text().unwrap().chars().count(), 301);
    assert_eq!(Description::new(Some(" ")).text(), None);
    let multi = Description::new(Some("パスワードが違います 🔑"));
    assert_eq!(multi.text(), Some("パスワードが違います 🔑"));
}

#[test]
fn markdown_lists_every_code() {
    let page = troubleshooting_markdown();
    for entry in catalog() {
        assert!(page.contains(&format!("## {}", entry.code)));
    }
}
