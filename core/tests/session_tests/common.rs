//! Shared helpers: an emulator, a signed-in session, hooks, recording listener, a store that
//! can be told to fail.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use upbond_core::{
    AuthorizationOptions, Client, Config, DEFAULT_MIN_TTL, Error, MemoryStore, Secret, Session,
    SessionEvent, SessionListener, SessionRecord, TokenSet, TokenStore, bearer_error,
};
use upbond_emulator::Emulator;

pub const USER: &str = "demo-user@example.com";

pub struct Env {
    pub emulator: Emulator,
    http: reqwest::Client,
}

/// An emulator with rate limits off.
pub async fn start() -> Env {
    let mut config = upbond_emulator::Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::start(config).await.expect("emulator starts");
    Env {
        emulator,
        http: reqwest::Client::new(),
    }
}

impl Env {
    pub fn client(&self) -> Client {
        let config = Config {
            redirect_uri: Some("http://127.0.0.1/callback".into()),
            ..Config::new(self.emulator.issuer(), "demo-app")
        };
        Client::new(config).expect("valid config")
    }

    pub async fn hook(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/_emulator/{path}", self.emulator.issuer());
        let response = self.http.request(method, url).json(&body).send().await;
        let response = response.expect("hook answers");
        assert!(
            response.status().is_success(),
            "hook {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    pub async fn post(&self, path: &str, body: Value) {
        self.hook(reqwest::Method::POST, path, body).await;
    }

    /// Queues one scripted answer on the token endpoint.
    pub async fn token_fault(&self, spec: Value) {
        let mut spec = spec;
        spec["path"] = json!("/oauth/token");
        self.post("faults", spec).await;
    }

    /// Refresh grants the emulator answered (scripted faults are not counted).
    pub async fn refresh_grants(&self) -> u64 {
        let stats = self.hook(reqwest::Method::GET, "stats", Value::Null).await;
        stats["grants"]["refresh_token"].as_u64().unwrap_or(0)
    }

    /// Requests that reached the token endpoint, scripted or not.
    pub async fn token_requests(&self) -> u64 {
        self.requests("/oauth/token").await
    }

    /// Requests that reached `path`, scripted or not.
    pub async fn requests(&self, path: &str) -> u64 {
        let stats = self.hook(reqwest::Method::GET, "stats", Value::Null).await;
        stats["requests"][path].as_u64().unwrap_or(0)
    }

    /// A real authorization code login of the demo user with `scopes` (empty = default).
    pub async fn login(&self, client: &Client, scopes: &[&str]) -> TokenSet {
        let options = AuthorizationOptions {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let (url, pending) = client.begin_authorization(options).await.unwrap();
        let body = json!({"url": url.as_str(), "email": USER, "deny": false});
        let answer = self.hook(reqwest::Method::POST, "authorize", body).await;
        let callback = answer["redirect_url"].as_str().expect("redirect_url");
        client
            .complete_authorization(&pending, callback)
            .await
            .unwrap()
    }

    /// A session in `store` signed in with tokens whose access token has already expired.
    pub async fn expired_session(&self, store: Arc<dyn TokenStore>) -> (Session, TokenSet) {
        let session = Session::new(self.client(), store);
        let mut tokens = self.login(session.client(), &[]).await;
        tokens.expires_at = Some(now() - 10);
        session.sign_in(tokens.clone()).await.unwrap();
        (session, tokens)
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `callers` concurrent `access_token` calls, each in its own task; their results in order.
pub async fn concurrently(session: &Session, callers: usize) -> Vec<Result<Secret, Error>> {
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.access_token(DEFAULT_MIN_TTL).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("caller task"));
    }
    results
}

/// A resource call refused with 401 the first time forces one refresh and one retry.
pub async fn refused_once(session: &Session) {
    let mut calls = 0;
    session
        .authorized_request(|_token| {
            calls += 1;
            let refused = calls == 1;
            async move {
                match refused {
                    true => Err(bearer_error(401, None).expect("401 is a refusal")),
                    false => Ok(()),
                }
            }
        })
        .await
        .expect("the retry succeeds");
    assert_eq!(calls, 2);
}

/// The record `store` holds.
pub fn stored(store: &dyn TokenStore) -> Option<SessionRecord> {
    let bytes = store.load().unwrap()?;
    Some(SessionRecord::from_bytes(&bytes).unwrap())
}

/// Remembers every event.
#[derive(Default)]
pub struct Events(Mutex<Vec<SessionEvent>>);

impl Events {
    pub fn attach(session: &Session) -> Arc<Events> {
        let events = Arc::new(Events::default());
        session.set_listener(Some(events.clone()));
        events
    }

    pub fn seen(&self) -> Vec<SessionEvent> {
        self.0.lock().unwrap().clone()
    }
}

impl SessionListener for Events {
    fn on_event(&self, event: SessionEvent) {
        self.0.lock().unwrap().push(event);
    }
}

/// A memory store whose saves can be made to fail (a full disk, a read-only mount, a locked
/// keychain, or a process killed before the write).
pub struct FlakyStore {
    pub inner: MemoryStore,
    /// Saves that may still succeed; `usize::MAX`: all.
    allowed: AtomicUsize,
}

impl Default for FlakyStore {
    fn default() -> Self {
        FlakyStore {
            inner: MemoryStore::new(),
            allowed: AtomicUsize::new(usize::MAX),
        }
    }
}

impl FlakyStore {
    /// Every save fails (`true`) or succeeds (`false`) from now on.
    pub fn fail(&self, failing: bool) {
        self.fail_after(if failing { 0 } else { usize::MAX });
    }

    /// The next `saves` saves succeed, later ones fail.
    pub fn fail_after(&self, saves: usize) {
        self.allowed.store(saves, Ordering::SeqCst);
    }
}

impl TokenStore for FlakyStore {
    fn load(&self) -> Result<Option<Vec<u8>>, Error> {
        self.inner.load()
    }

    fn save(&self, record: &[u8]) -> Result<(), Error> {
        let take = |n| match n {
            0 => None,
            usize::MAX => Some(n),
            n => Some(n - 1),
        };
        if self
            .allowed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, take)
            .is_err()
        {
            return Err(Error::Storage("disk full".into()));
        }
        self.inner.save(record)
    }

    fn delete(&self) -> Result<(), Error> {
        self.inner.delete()
    }
}
