//! Shared helpers: a fresh emulator per test, clients for the seed data, hook calls.

use serde_json::{Value, json};
use upbond_core::{
    AuthorizationOptions, Client, Config, Error, PendingAuthorization, RetryPolicy, Secret,
    TokenSet,
};
use upbond_emulator::Emulator;

pub const USER: &str = "demo-user@example.com";
pub const USER_SUB: &str = "usr_01DEMO0000000000000000001";
pub const OTHER_SUB: &str = "usr_01DEMO0000000000000000002";

/// A running emulator plus a plain HTTP client for its test hooks.
pub struct Env {
    pub emulator: Emulator,
    pub http: reqwest::Client,
}

/// An emulator with rate limits off and a 1 s device interval.
pub async fn start() -> Env {
    let mut config = upbond_emulator::Config::default();
    config.rate_limits.enabled = false;
    config.device.interval_secs = 1;
    start_with(config).await
}

pub async fn start_with(config: upbond_emulator::Config) -> Env {
    let emulator = Emulator::start(config).await.expect("emulator starts");
    Env {
        emulator,
        http: reqwest::Client::new(),
    }
}

impl Env {
    pub fn issuer(&self) -> &str {
        self.emulator.issuer()
    }

    /// Config of the public native client `demo-app` with a loopback redirect.
    pub fn native_config(&self) -> Config {
        Config {
            redirect_uri: Some("http://127.0.0.1/callback".into()),
            post_logout_redirect_uri: Some("http://127.0.0.1/signed-out".into()),
            ..Config::new(self.issuer(), "demo-app")
        }
    }

    pub fn native(&self) -> Client {
        Client::new(self.native_config()).expect("valid config")
    }

    /// The confidential client `demo-service`.
    pub fn service(&self) -> Client {
        Client::new(self.service_config()).expect("valid config")
    }

    pub fn service_config(&self) -> Config {
        Config::confidential(self.issuer(), "demo-service", "demo-service-secret")
    }

    /// `config` with retries off, so a scripted failure reaches the caller.
    pub fn no_retry(config: Config) -> Client {
        let config = Config {
            retry: RetryPolicy::disabled(),
            ..config
        };
        Client::new(config).expect("valid config")
    }

    /// Calls a test hook and returns its status and JSON body.
    pub async fn hook(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}/_emulator/{path}", self.issuer());
        let response = self
            .http
            .request(method, url)
            .json(&body)
            .send()
            .await
            .expect("hook answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("hook body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.hook(reqwest::Method::POST, path, body).await;
        assert!(status < 300, "hook {path} answered {status}: {value}");
        value
    }

    /// Queues one scripted response for `path`.
    pub async fn fault(&self, path: &str, spec: Value) {
        let mut spec = spec;
        spec["path"] = json!(path);
        self.post("faults", spec).await;
    }

    pub async fn settings(&self, settings: Value) {
        self.post("settings", settings).await;
    }

    /// Lets `email` approve (or deny) the authorization URL; returns the redirect URL.
    pub async fn approve(&self, url: &url::Url, email: &str, deny: bool) -> String {
        let value = self
            .post(
                "authorize",
                json!({"url": url.as_str(), "email": email, "deny": deny}),
            )
            .await;
        value["redirect_url"]
            .as_str()
            .expect("redirect_url")
            .to_owned()
    }

    /// Begins an authorization with `options` and lets the demo user approve (or deny) it;
    /// returns the pending request and the callback URL.
    pub async fn authorize(
        &self,
        client: &Client,
        options: AuthorizationOptions,
        deny: bool,
    ) -> (PendingAuthorization, String) {
        let (url, pending) = client.begin_authorization(options).await.unwrap();
        (pending, self.approve(&url, USER, deny).await)
    }

    /// A full authorization code login of the demo user.
    pub async fn try_login(&self, client: &Client) -> Result<TokenSet, Error> {
        let (pending, callback) = self
            .authorize(client, AuthorizationOptions::default(), false)
            .await;
        client.complete_authorization(&pending, &callback).await
    }

    /// A login that must succeed.
    pub async fn login(&self, client: &Client) -> TokenSet {
        self.try_login(client).await.expect("login succeeds")
    }

    /// Scripts the next token endpoint answer (`fault` spec), then asks for client
    /// credentials (without retries).
    pub async fn token_answer(&self, spec: Value) -> Result<TokenSet, Error> {
        self.fault("/oauth/token", spec).await;
        Env::no_retry(self.service_config())
            .client_credentials(&["api:read"])
            .await
    }

    /// GETs `url` without following redirects and returns the `Location` it redirects to.
    pub async fn redirect_location(&self, url: &url::Url) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        let response = client.get(url.as_str()).send().await.expect("answer");
        assert!(
            response.status().is_redirection(),
            "status {}",
            response.status()
        );
        response.headers()["location"]
            .to_str()
            .expect("ASCII location")
            .to_owned()
    }

    /// How many requests the emulator saw on `path`.
    pub async fn requests(&self, path: &str) -> u64 {
        let (_, stats) = self.hook(reqwest::Method::GET, "stats", Value::Null).await;
        stats["requests"][path].as_u64().unwrap_or(0)
    }
}

/// Asserts that no secret value shows up in the Debug or Display text of `what`.
pub fn assert_hidden(text: &str, secrets: &[&Secret]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.expose()),
            "a secret leaked into: {text}"
        );
    }
}
