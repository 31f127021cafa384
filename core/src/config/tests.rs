use super::*;

fn native() -> Config {
    Config {
        redirect_uri: Some("com.upbond.demo:/callback".into()),
        ..Config::new("https://auth.example.com", "app")
    }
}

fn rejected(config: Config, needle: &str) {
    let err = config.validate().unwrap_err();
    assert_eq!(err.code(), "invalid_config");
    assert!(
        err.message().contains(needle),
        "{} lacks {needle:?}",
        err.message()
    );
}

#[test]
fn defaults_are_valid() {
    native().validate().unwrap();
    Config::confidential("https://a.example", "svc", "s3cret")
        .validate()
        .unwrap();
    Config::new("http://127.0.0.1:8080", "app")
        .validate()
        .unwrap();
    Config::new("http://[::1]:8080", "app").validate().unwrap();
    Config::new("http://localhost", "app").validate().unwrap();
}

#[test]
fn plain_http_issuer_only_on_loopback() {
    rejected(Config::new("http://auth.example.com", "app"), "https");
    rejected(Config::new("not a url", "app"), "not a valid URL");
    rejected(Config::new("https://a.example?x=1", "app"), "query");
}

#[test]
fn issuer_with_credentials_is_rejected_without_echoing_them() {
    for issuer in [
        "http://user:hunter2@auth.example.com",
        "https://user:hunter2@a.example",
        "http://user:hunter2@127.0.0.1:8080",
        "https://user@a.example",
    ] {
        let err = Config::new(issuer, "app").validate().unwrap_err();
        assert!(err.message().contains("user name or password"), "{err}");
        assert!(!err.message().contains("hunter2"), "{err}");
    }
}

#[test]
fn public_clients_hold_no_secret() {
    rejected(
        Config {
            client_secret: Some("s".into()),
            ..native()
        },
        "must not carry a client secret",
    );
    let spa = Config {
        kind: ClientKind::SinglePage,
        client_secret: Some("s".into()),
        ..native()
    };
    rejected(spa, "must not carry a client secret");
    let confidential = Config {
        kind: ClientKind::Confidential,
        ..native()
    };
    rejected(confidential, "needs a non-empty client_secret");
    let post = Config {
        auth_method: Some(ClientAuthMethod::ClientSecretPost),
        ..native()
    };
    rejected(post, "auth_method");
}

#[test]
fn redirect_rules() {
    let with = |uri: &str| Config {
        redirect_uri: Some(uri.into()),
        ..native()
    };
    with("http://127.0.0.1/callback").validate().unwrap();
    with("https://app.example.com/cb").validate().unwrap();
    rejected(with("myapp:/callback"), "reverse domain");
    rejected(with("com..app:/cb"), "reverse domain");
    rejected(with("https://app.example.com/cb#frag"), "fragment");
    rejected(with("com.upbond.demo:/callback#"), "fragment");
    rejected(with("http://app.example.com/cb"), "non-loopback");
    let spa = Config {
        kind: ClientKind::SinglePage,
        ..with("com.upbond.demo:/callback")
    };
    rejected(spa, "only native apps");
    let logout = Config {
        post_logout_redirect_uri: Some("bad:/x".into()),
        ..native()
    };
    rejected(logout, "post_logout_redirect_uri");
}

#[test]
fn scopes_timeouts_and_algorithms() {
    rejected(
        Config {
            scopes: vec!["open id".into()],
            ..native()
        },
        "scope",
    );
    rejected(
        Config {
            request_timeout: Duration::ZERO,
            ..native()
        },
        "timeouts",
    );
    rejected(
        Config {
            id_token_algorithms: vec![Algorithm::HS256],
            ..native()
        },
        "confidential",
    );
    let hmac = Config {
        id_token_algorithms: vec![Algorithm::HS256],
        ..Config::confidential("https://a.example", "c", "s")
    };
    hmac.validate().unwrap();
    rejected(
        Config {
            id_token_algorithms: vec![],
            ..native()
        },
        "empty",
    );
}

#[test]
fn auth_method_defaults_and_debug_hides_secret() {
    let svc = Config::confidential("https://a.example", "svc", "very-secret-value");
    assert_eq!(svc.auth_method(), ClientAuthMethod::ClientSecretBasic);
    assert_eq!(native().auth_method(), ClientAuthMethod::None);
    assert!(!format!("{svc:?}").contains("very-secret-value"));
}
