//! Shared server state: settings, keys, the record store, faults, stats and rate limits.
//!
//! Locks are `std::sync` locks held only for short, non-async sections; JWT signing happens
//! outside them.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::{ClientConfig, Config, DeviceConfig, RateLimitConfig, TokenConfig, UserConfig};
use crate::faults::Faults;
use crate::keys::{KeyError, KeySet};
use crate::rate_limit::RateLimiter;
use crate::social::Provider;
use crate::stats::Stats;

/// Handle to the shared state, cloned into every handler.
pub type AppState = Arc<Shared>;

/// Run-time adjustable behaviour (see `/_emulator/settings`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Token lifetimes, rotation and algorithms.
    pub tokens: TokenConfig,
    /// Device flow lifetimes.
    pub device: DeviceConfig,
    /// Rate limits.
    pub rate_limits: RateLimitConfig,
}

/// Everything the handlers share.
pub struct Shared {
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
    /// Signing keys.
    pub keys: RwLock<KeySet>,
    /// Adjustable behaviour.
    pub settings: RwLock<Settings>,
    /// Server clock offset in seconds.
    pub clock_offset: AtomicI64,
    /// Clients, users, grants and tokens.
    pub store: Mutex<Store>,
    /// Scripted responses.
    pub faults: Mutex<Faults>,
    /// Request counters.
    pub stats: Mutex<Stats>,
    /// Per-client rate limit windows.
    pub limiter: Mutex<RateLimiter>,
}

/// A user with mutable account state.
pub struct User {
    /// Seeded account data (email may change through the user API).
    pub account: UserConfig,
    /// Email address awaiting verification by an email change.
    pub pending_email: Option<String>,
    /// Outstanding verification code and what it confirms.
    pub pending_code: Option<(String, EmailKind)>,
}

/// What an emailed code confirms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailKind {
    /// Verifies the current address.
    Verification,
    /// Confirms a change to the pending address.
    EmailChange,
}

/// A validated authorization request waiting for the user.
#[derive(Clone)]
pub struct AuthzRequest {
    /// Client.
    pub client_id: String,
    /// Registered redirect URI as sent.
    pub redirect_uri: String,
    /// Client state.
    pub state: Option<String>,
    /// OIDC nonce.
    pub nonce: Option<String>,
    /// Granted scopes.
    pub scope: Vec<String>,
    /// PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// `prompt` values.
    pub prompt: Vec<String>,
    /// Suggested login name.
    pub login_hint: Option<String>,
    /// Social provider hint.
    pub provider: Option<Provider>,
}

/// An issued authorization code.
pub struct CodeRecord {
    /// The authorization.
    pub request: AuthzRequest,
    /// The user.
    pub sub: String,
    /// When the user authenticated.
    pub auth_time: i64,
    /// Expiry (server clock).
    pub exp: i64,
    /// Whether the code was exchanged already.
    pub used: bool,
    /// Session of the tokens issued from this code (revoked if the code is replayed).
    pub sid: String,
}

/// An issued refresh token.
#[derive(Clone)]
pub struct RefreshRecord {
    /// Client it was issued to.
    pub client_id: String,
    /// User.
    pub sub: String,
    /// Granted scopes.
    pub scope: Vec<String>,
    /// Session id (`sid`) shared by every token of one sign-in: the token family.
    pub family: String,
    /// Expiry (server clock).
    pub exp: i64,
    /// Original authentication time.
    pub auth_time: i64,
    /// Social provider used at login.
    pub provider: Option<Provider>,
    /// Whether this token was already exchanged (rotation).
    pub rotated: bool,
}

/// Device authorization state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Waiting for the user.
    Pending,
    /// Approved by this user at that time.
    Approved {
        /// User.
        sub: String,
        /// When.
        auth_time: i64,
    },
    /// The user said no.
    Denied,
    /// Tokens were issued; the code is spent.
    Redeemed,
}

/// A device authorization (RFC 8628).
pub struct DeviceRecord {
    /// Client.
    pub client_id: String,
    /// Requested scopes.
    pub scope: Vec<String>,
    /// `XXXX-XXXX`.
    pub user_code: String,
    /// Expiry (server clock).
    pub exp: i64,
    /// Current polling interval in seconds (grows on slow_down).
    pub interval: u64,
    /// Last poll (real monotonic time).
    pub last_poll: Option<std::time::Instant>,
    /// Progress.
    pub status: DeviceStatus,
}

/// An email the emulator "sent".
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxEmail {
    /// Recipient.
    pub to: String,
    /// `verification` or `email_change`.
    pub kind: &'static str,
    /// The user's sub.
    pub user_id: String,
    /// The code to post to `/api/v1/users/{id}/email/verify`.
    pub code: String,
    /// A link that completes the verification in a browser.
    pub link: String,
    /// Unix time (server clock).
    pub sent_at: i64,
}

/// Mutable records.
#[derive(Default)]
pub struct Store {
    /// Clients by id.
    pub clients: HashMap<String, ClientConfig>,
    /// Users.
    pub users: Vec<User>,
    /// Social providers answering their error.
    pub broken_providers: HashSet<Provider>,
    /// Login-page authorizations by request id.
    pub pending: HashMap<String, AuthzRequest>,
    /// Authorization codes.
    pub codes: HashMap<String, CodeRecord>,
    /// Refresh tokens.
    pub refresh: HashMap<String, RefreshRecord>,
    /// Revoked sessions (token families).
    pub revoked_families: HashSet<String>,
    /// Revoked access token ids.
    pub revoked_access: HashSet<String>,
    /// Access tokens of older epochs are invalid (bumped by revoke-all).
    pub token_epoch: u64,
    /// Device authorizations by device code.
    pub devices: HashMap<String, DeviceRecord>,
    /// Device code by user code.
    pub user_codes: HashMap<String, String>,
    /// Sent emails.
    pub outbox: Vec<OutboxEmail>,
}

impl Store {
    /// A user by sub.
    pub fn user(&self, sub: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account.sub == sub)
    }

    /// A user by sub, mutable.
    pub fn user_mut(&mut self, sub: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.account.sub == sub)
    }

    /// A user by email (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.account.email.eq_ignore_ascii_case(email.trim()))
    }

    /// An active (not suspended) client.
    pub fn active_client(&self, client_id: &str) -> Option<&ClientConfig> {
        self.clients.get(client_id).filter(|c| !c.suspended)
    }

    /// Revokes a session: its refresh tokens and every access token issued in it.
    pub fn revoke_family(&mut self, family: &str) {
        self.revoked_families.insert(family.to_string());
        self.refresh.retain(|_, r| r.family != family);
    }
}

impl Shared {
    /// Builds the state for `config` served at `issuer`.
    pub fn new(config: Config, issuer: String) -> Result<Shared, KeyError> {
        let store = Store {
            clients: config
                .clients
                .into_iter()
                .map(|c| (c.client_id.clone(), c))
                .collect(),
            users: config
                .users
                .into_iter()
                .map(|account| User {
                    account,
                    pending_email: None,
                    pending_code: None,
                })
                .collect(),
            broken_providers: config
                .broken_social_providers
                .iter()
                .filter_map(|p| Provider::parse(p))
                .collect(),
            ..Store::default()
        };
        let mut faults = Faults::default();
        for spec in config.faults {
            faults.push(spec);
        }
        Ok(Shared {
            issuer,
            keys: RwLock::new(KeySet::new()?),
            settings: RwLock::new(Settings {
                tokens: config.tokens,
                device: config.device,
                rate_limits: config.rate_limits,
            }),
            clock_offset: AtomicI64::new(0),
            store: Mutex::new(store),
            faults: Mutex::new(faults),
            stats: Mutex::new(Stats::default()),
            limiter: Mutex::new(RateLimiter::default()),
        })
    }

    /// Server time in Unix seconds, shifted by the clock offset.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Server time as a `SystemTime` (for the Date header).
    pub fn now_system(&self) -> SystemTime {
        let offset = self.clock_offset.load(Ordering::Relaxed);
        let delta = std::time::Duration::from_secs(offset.unsigned_abs());
        if offset >= 0 {
            SystemTime::now() + delta
        } else {
            SystemTime::now() - delta
        }
    }

    /// Locks the store.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Current settings (a copy).
    pub fn settings(&self) -> Settings {
        read(&self.settings).clone()
    }

    /// Read access to the keys.
    pub fn keys(&self) -> RwLockReadGuard<'_, KeySet> {
        read(&self.keys)
    }

    /// Write access to the keys.
    pub fn keys_mut(&self) -> RwLockWriteGuard<'_, KeySet> {
        self.keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Locks a mutex; a poisoned lock still holds consistent data here because no code panics
/// while holding one, so recovering it is safe.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Read-locks an RwLock (poison recovered, see [`lock`]).
pub fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A random URL-safe token: `prefix` followed by `bytes` random bytes in base64url.
pub fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(&buf))
}

/// Fills `buf` from the system CSPRNG.
pub fn fill_random(buf: &mut [u8]) {
    if aws_lc_rs::rand::fill(buf).is_ok() {
        return;
    }
    // Only reachable without an OS entropy source: stay unique (not secret) by hashing a
    // process-wide counter and the time, which is acceptable for a local dev server.
    static COUNTER: AtomicI64 = AtomicI64::new(0);
    let seed = format!(
        "{:?}{}",
        SystemTime::now(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    for (i, b) in buf.iter_mut().enumerate() {
        *b = digest.as_ref()[i % 32];
    }
}

/// Splits a space-separated scope string.
pub fn split_scope(scope: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

impl Shared {
    /// The sub of the user whose `email` and `password` form parameters match.
    pub fn sign_in(&self, params: &crate::params::Params) -> Option<String> {
        let email = params.get("email")?;
        let password = params.get("password")?;
        let store = self.store();
        let user = store.user_by_email(email)?;
        (user.account.password == password).then(|| user.account.sub.clone())
    }

    /// Counts one request of `client_id` in `category` against the rate limits.
    pub fn rate_limit(
        &self,
        client_id: &str,
        category: crate::rate_limit::Category,
    ) -> Result<(), crate::errors::OAuthError> {
        let config = read(&self.settings).rate_limits.clone();
        lock(&self.limiter).check(&config, client_id, category)
    }
}
