//! [`Session`]: one signed-in user over a token store, forwarded to core's session layer.

use std::sync::Arc;
use std::time::Duration;

use upbond_core as core;

use crate::client::Client;
use crate::records::{IdTokenClaims, TokenSet};
use crate::{CallbackError, UpbondError, runtime};

/// Persistent storage for one session record, as opaque bytes (the session encodes and
/// versions them). Called on a worker thread, never the caller's: it may block. `save`
/// replaces the whole record atomically; `load` returns nothing only when nothing is stored.
/// A thrown exception becomes a `storage_error` of the call that needed the store.
#[uniffi::export(foreign)]
pub trait TokenStore: Send + Sync {
    /// The stored bytes, or nothing when no record is stored.
    fn load(&self) -> Result<Option<Vec<u8>>, CallbackError>;
    /// Atomically replaces the stored record.
    fn save(&self, record: Vec<u8>) -> Result<(), CallbackError>;
    /// Removes the stored record; succeeds when there was none.
    fn delete(&self) -> Result<(), CallbackError>;
}

struct StoreAdapter(Arc<dyn TokenStore>);

impl core::TokenStore for StoreAdapter {
    fn load(&self) -> Result<Option<Vec<u8>>, core::Error> {
        self.0
            .load()
            .map_err(|e| e.into_storage("the token store's load"))
    }

    fn save(&self, record: &[u8]) -> Result<(), core::Error> {
        self.0
            .save(record.to_vec())
            .map_err(|e| e.into_storage("the token store's save"))
    }

    fn delete(&self) -> Result<(), core::Error> {
        self.0
            .delete()
            .map_err(|e| e.into_storage("the token store's delete"))
    }
}

/// What happened to a session.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum SessionEvent {
    /// A sign-in stored new tokens.
    SignedIn,
    /// A refresh stored new tokens.
    Refreshed,
    /// The app signed out; the store is cleared.
    SignedOut,
    /// The issuer refused the refresh token: the user must sign in again.
    ReauthenticationRequired,
}

/// Told of [`SessionEvent`]s, on an SDK thread after the store was updated: return quickly.
/// A thrown exception is ignored.
#[uniffi::export(foreign)]
pub trait SessionListener: Send + Sync {
    /// Called once per event.
    fn on_event(&self, event: SessionEvent) -> Result<(), CallbackError>;
}

struct ListenerAdapter(Arc<dyn SessionListener>);

impl core::SessionListener for ListenerAdapter {
    fn on_event(&self, event: core::SessionEvent) {
        let event = match event {
            core::SessionEvent::SignedIn => SessionEvent::SignedIn,
            core::SessionEvent::Refreshed => SessionEvent::Refreshed,
            core::SessionEvent::SignedOut => SessionEvent::SignedOut,
            core::SessionEvent::ReauthenticationRequired => SessionEvent::ReauthenticationRequired,
        };
        // A failing app listener must not fail the refresh or sign-in that announced it.
        let _ = self.0.on_event(event);
    }
}

/// The stored session.
#[derive(uniffi::Record)]
pub struct SessionRecord {
    /// The issuer the tokens came from.
    pub issuer: String,
    /// The client the tokens were issued to.
    pub client_id: String,
    /// The current access token.
    pub access_token: String,
    /// The current refresh token.
    pub refresh_token: Option<String>,
    /// The raw ID token of the sign-in.
    pub id_token: Option<String>,
    /// Its validated claims.
    pub id_token_claims: Option<IdTokenClaims>,
    /// When the access token expires (Unix seconds, server clock).
    pub expires_at: Option<u64>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Server clock minus local clock (seconds), as last measured.
    pub clock_offset_secs: i64,
}

impl From<&core::SessionRecord> for SessionRecord {
    fn from(r: &core::SessionRecord) -> Self {
        let reveal = |s: &Option<core::Secret>| s.as_ref().map(|s| s.expose().to_owned());
        SessionRecord {
            issuer: r.issuer.clone(),
            client_id: r.client_id.clone(),
            access_token: r.access_token.expose().to_owned(),
            refresh_token: reveal(&r.refresh_token),
            id_token: reveal(&r.id_token),
            id_token_claims: r.id_token_claims.clone().map(IdTokenClaims::from),
            expires_at: r.expires_at,
            scopes: r.scopes.clone(),
            clock_offset_secs: r.clock_offset,
        }
    }
}

/// What a sign-out did. The local session is always gone afterwards.
#[derive(uniffi::Record)]
pub struct SignOut {
    /// A session was stored and is now removed (`false`: there was nothing to sign out of).
    pub removed: bool,
    /// The issuer confirmed the revocation: the tokens no longer work.
    pub revoked: bool,
    /// The error code of a failed revocation (the tokens stay valid until they expire).
    pub revocation_error: Option<String>,
}

/// One signed-in user: an access token on demand, refreshed once for all concurrent
/// callers, kept in a token store. Thread-safe.
#[derive(uniffi::Object)]
pub struct Session {
    inner: core::Session,
}

impl Session {
    fn over(client: &Client, store: Arc<dyn core::TokenStore>) -> Arc<Self> {
        Arc::new(Session {
            inner: core::Session::new(client.inner.clone(), store),
        })
    }
}

#[uniffi::export]
impl Session {
    /// A session kept in the app's own store.
    #[uniffi::constructor]
    pub fn new(client: Arc<Client>, store: Arc<dyn TokenStore>) -> Arc<Self> {
        Session::over(&client, Arc::new(StoreAdapter(store)))
    }

    /// A session kept in memory only (forgotten when the process ends).
    #[uniffi::constructor]
    pub fn in_memory(client: Arc<Client>) -> Arc<Self> {
        Session::over(&client, Arc::new(core::MemoryStore::new()))
    }

    /// A session kept in a file (owner-only, atomic replace, locked across processes),
    /// encrypted with AES-256-GCM when a 32-byte `key` is given.
    #[uniffi::constructor]
    pub fn in_file(
        client: Arc<Client>,
        path: String,
        key: Option<Vec<u8>>,
    ) -> Result<Arc<Self>, UpbondError> {
        let store = match key {
            Some(key) => core::FileStore::encrypted(path, &key)?,
            None => core::FileStore::new(path),
        };
        Ok(Session::over(&client, Arc::new(store)))
    }

    /// Sets (or with `None` removes) the listener told of session events.
    pub fn set_listener(&self, listener: Option<Arc<dyn SessionListener>>) {
        self.inner.set_listener(
            listener.map(|l| Arc::new(ListenerAdapter(l)) as Arc<dyn core::SessionListener>),
        );
    }
}

#[uniffi::export]
impl Session {
    /// Stores the tokens of a sign-in, replacing any stored session.
    pub async fn sign_in(&self, tokens: TokenSet) -> Result<(), UpbondError> {
        runtime::run(async { Ok(self.inner.sign_in(tokens.try_into()?).await?) }).await
    }

    /// An access token valid for at least `min_ttl_secs` (default 60), refreshing when
    /// needed; concurrent callers share one refresh.
    pub async fn access_token(&self, min_ttl_secs: Option<u64>) -> Result<String, UpbondError> {
        runtime::run(async {
            let min_ttl = min_ttl_secs.map_or(core::DEFAULT_MIN_TTL, Duration::from_secs);
            let token = self.inner.access_token(min_ttl).await?;
            Ok(token.expose().to_owned())
        })
        .await
    }

    /// The stored session, or nothing when signed out.
    pub async fn record(&self) -> Result<Option<SessionRecord>, UpbondError> {
        runtime::run(async {
            Ok(self
                .inner
                .record()
                .await?
                .as_deref()
                .map(SessionRecord::from))
        })
        .await
    }

    /// Refreshes now, whatever the access token's lifetime (concurrent callers share it).
    pub async fn refresh(&self) -> Result<String, UpbondError> {
        runtime::run(async { Ok(self.inner.refresh().await?.expose().to_owned()) }).await
    }

    /// Signs out: clears the store, then revokes the tokens at the issuer. Only a failure to
    /// clear the store is an error; the result says whether the issuer revoked the tokens.
    pub async fn sign_out(&self) -> Result<SignOut, UpbondError> {
        runtime::run(async {
            let done = self.inner.sign_out().await?;
            Ok(SignOut {
                removed: done.removed,
                revoked: done.revoked,
                revocation_error: done.revocation_error.map(|e| e.code().to_owned()),
            })
        })
        .await
    }
}
