//! Shared helpers for the emulator's HTTP tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use upbond_emulator::{Config, Emulator};

pub const DEMO_USER: &str = "demo-user@example.com";
pub const DEMO_SUB: &str = "usr_01DEMO0000000000000000001";
pub const UNVERIFIED_USER: &str = "unverified-user@example.com";
pub const REDIRECT: &str = "http://127.0.0.1:53111/callback";

/// A running emulator plus an HTTP client that does not follow redirects.
pub struct Env {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub issuer: String,
}

pub async fn start() -> Env {
    start_with(Config::default()).await
}

pub async fn start_with(config: Config) -> Env {
    let emu = Emulator::start(config).await.expect("emulator starts");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let issuer = emu.issuer().to_string();
    Env { emu, http, issuer }
}

/// Parses a JSON body (or `Value::Null` when the body is not JSON).
pub async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The query parameters of a URL.
pub fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect()
}

/// The (unverified) payload of a JWT.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("jwt payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

/// The (unverified) header of a JWT.
pub fn jwt_header(jwt: &str) -> Value {
    let header = jwt.split('.').next().expect("jwt header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("b64")).expect("json")
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = format!("verifier-{}", "x".repeat(40));
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    (verifier, URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    /// POSTs JSON to a test hook.
    pub async fn hook(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(&format!("/_emulator{path}")))
            .json(&body)
            .send()
            .await;
        json_of(response.expect("hook request")).await
    }

    /// POSTs a form to the token endpoint (no client authentication header).
    pub async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/oauth/token"))
            .form(form)
            .send()
            .await;
        json_of(response.expect("token request")).await
    }

    /// GET /userinfo with a bearer token.
    pub async fn userinfo(&self, token: &str) -> reqwest::Response {
        let request = self.http.get(self.url("/userinfo")).bearer_auth(token);
        request.send().await.expect("userinfo request")
    }

    /// A refresh_token grant for demo-app.
    pub async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "demo-app"),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    /// An authorization_code grant for demo-app at [`REDIRECT`].
    pub async fn exchange(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", "demo-app"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// POSTs a form to `path`.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let request = self.http.post(self.url(path)).form(form);
        request.send().await.expect("form request")
    }

    /// A demo-app authorization URL with PKCE.
    pub fn authorize_url(&self, scope: &str, challenge: &str, extra: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&self.url("/oauth/authorize")).expect("url");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", "demo-app")
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", scope)
            .append_pair("state", "st-123")
            .append_pair("nonce", "n-456")
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        for (k, v) in extra {
            url.query_pairs_mut().append_pair(k, v);
        }
        url.to_string()
    }

    /// Approves an authorization URL headlessly; returns the redirect URL's query.
    pub async fn approve(&self, url: &str, email: &str) -> HashMap<String, String> {
        let (status, body) = self
            .hook("/authorize", json!({ "url": url, "email": email }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        query_of(body["redirect_url"].as_str().expect("redirect_url"))
    }

    /// Full authorization code + PKCE login of `email`; returns the token response.
    pub async fn login_as(&self, email: &str, scope: &str) -> Value {
        let (verifier, challenge) = pkce();
        let query = self
            .approve(&self.authorize_url(scope, &challenge, &[]), email)
            .await;
        let (status, body) = self.exchange(&query["code"], &verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn login(&self) -> Value {
        self.login_as(DEMO_USER, "openid profile email offline_access")
            .await
    }

    /// A client_credentials token response for demo-service.
    pub async fn service_token(&self) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth("demo-service", Some("demo-service-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("request");
        json_of(response).await
    }
}
