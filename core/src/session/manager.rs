//! [`Session`]: hands out valid access tokens; one refresh serves any number of callers, and
//! a rotated refresh token is stored before anyone sees its access token.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};

use super::{SessionEvent, SessionListener, SessionRecord, TokenStore};
use crate::flows::refresh::RefusedRefresh;
use crate::http::now_unix;
use crate::{Client, Error, Secret, TokenSet, TokenTypeHint};

/// The lifetime [`Session::authorized_request`] asks for, and a good default for
/// [`Session::access_token`]: 60 seconds.
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(60);

type Outcome = Result<Arc<SessionRecord>, Arc<Error>>;
type Flight = Shared<BoxFuture<'static, Outcome>>;

/// What [`Session::sign_out`] did. The local session is always gone afterwards.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SignOut {
    /// A session was stored (or held by this session) and is now removed; `false` when
    /// there was nothing to sign out of.
    pub removed: bool,
    /// The issuer confirmed the revocation (RFC 7009): the tokens no longer work.
    pub revoked: bool,
    /// Why a removed session's tokens were not revoked: the revocation's error (network,
    /// issuer, no revocation endpoint), or an [`Error::Storage`] when the stored record was
    /// unreadable or belonged to another issuer or client (its tokens are sent nowhere).
    /// Unrevoked tokens stay valid at the issuer until they expire.
    pub revocation_error: Option<Error>,
}

impl SignOut {
    fn unrevoked(error: Error) -> SignOut {
        SignOut {
            removed: true,
            revoked: false,
            revocation_error: Some(error),
        }
    }
}

/// One signed-in user of one client, kept in a [`TokenStore`]. Cheap to clone (clones share
/// everything) and safe to use from any number of tasks and threads at once. Needs a Tokio
/// runtime.
///
/// Guarantees:
/// - Concurrent callers that need a refresh cause exactly one refresh request and all get its
///   result or its error (single flight); the refresh finishes and is stored even when every
///   caller has given up waiting.
/// - The refreshed record (with the rotated refresh token) is saved before any caller is
///   released. A refresh answer without a refresh token keeps the old one.
/// - Before a refresh request the stored record is written again, unchanged: a store that
///   cannot take a write fails the call with a storage error before the refresh token is
///   spent (one extra write per refresh).
/// - When saving fails after the refresh anyway, callers get the storage error, the store
///   keeps the old record, and the new tokens stay in memory (never handed out) until a later
///   call manages to save them (then [`SessionEvent::Refreshed`] is announced): an already
///   rotated refresh token is never used again. They are lost if the process ends first.
/// - A refresh answer that is refused (its ID token fails validation, its token type is
///   unusable) fails the call, but the refresh token it carries replaces the stored one: the
///   issuer may already have spent the old one. Its access token is not used.
/// - An ID token naming another user than the session's (`sub`, OIDC Core 12.2) is an
///   `id_token_subject_mismatch` error; nothing of that answer is kept.
/// - `invalid_grant` ends the session ([`SessionEvent::ReauthenticationRequired`]); network
///   failures and server errors keep it.
/// - The refresh holds the store's [`lock`](TokenStore::lock) and re-reads the store first,
///   so another process that refreshed meanwhile is followed instead of raced.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    store: Arc<dyn TokenStore>,
    listener: Mutex<Option<Arc<dyn SessionListener>>>,
    state: Mutex<State>,
    /// Serialises refreshes, sign-in and sign-out of this session.
    writer: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    cached: Cached,
    flight: Option<Flight>,
    shortfall: Option<Shortfall>,
}

/// A refresh for a `min_ttl` answered with a token that lives shorter than that. Asking again
/// cannot do better, so until half of what it granted is used up, that token counts as fresh
/// whatever `min_ttl` a caller asks for: every caller shares the one refresh instead of
/// starting the next.
struct Shortfall {
    /// The access token it applies to.
    access_token: Secret,
    /// Seconds that must be left for the token to count as fresh.
    enough: i64,
}

/// What this process knows of the stored record.
#[derive(Default)]
enum Cached {
    /// The store has not been read yet.
    #[default]
    NotLoaded,
    /// Nothing is stored: signed out.
    Empty,
    /// The record, as stored.
    Saved(Arc<SessionRecord>),
    /// A newer record that could not be saved yet; it is saved before being used.
    Unsaved(Arc<SessionRecord>),
}

/// What a caller needs from the current record.
enum Need {
    /// An access token valid for at least this long.
    Ttl(Duration),
    /// Any access token other than this one (the resource server refused it).
    Replace(Secret),
    /// A refresh, whatever the current token (a forced refresh).
    Refresh,
}

impl Need {
    fn met_by(&self, record: &SessionRecord, clock_offset: i64, short: Option<&Shortfall>) -> bool {
        match self {
            Need::Ttl(ttl) => {
                let mut ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
                if let Some(short) = short.filter(|s| s.access_token == record.access_token) {
                    ttl = ttl.min(short.enough);
                }
                record
                    .seconds_left(now_unix(), clock_offset)
                    .is_none_or(|left| left >= ttl)
            }
            Need::Replace(rejected) => record.access_token != *rejected,
            Need::Refresh => false,
        }
    }
}

impl Session {
    /// A session of `client`'s user kept in `store`. Nothing is read until first use.
    pub fn new(client: Client, store: Arc<dyn TokenStore>) -> Session {
        Session {
            inner: Arc::new(Inner {
                client,
                store,
                listener: Mutex::new(None),
                state: Mutex::new(State::default()),
                writer: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Sets (or with `None` removes) the listener told of [`SessionEvent`]s.
    pub fn set_listener(&self, listener: Option<Arc<dyn SessionListener>>) {
        *lock(&self.inner.listener) = listener;
    }

    /// The client this session refreshes with.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Stores the tokens of a sign-in (replacing any stored session) and announces
    /// [`SessionEvent::SignedIn`]. When saving fails nothing changes.
    pub async fn sign_in(&self, tokens: TokenSet) -> Result<(), Error> {
        let _writer = self.inner.writer.lock().await;
        let config = self.inner.client.config();
        let record = Arc::new(SessionRecord::new(
            &config.issuer,
            &config.client_id,
            tokens,
            self.inner.client.clock_skew(),
            now_unix(),
        ));
        let bytes = record.to_bytes()?;
        let store = Arc::clone(&self.inner.store);
        blocking(move || {
            let _lock = store.lock()?;
            store.save(&bytes)
        })
        .await?;
        self.inner.state().cached = Cached::Saved(record);
        self.inner.notify(SessionEvent::SignedIn);
        Ok(())
    }

    /// An access token valid for at least `min_ttl` (on the server's clock), refreshing when
    /// needed. A token of unknown lifetime counts as valid. When the issuer grants less than
    /// `min_ttl`, the freshly refreshed token is returned anyway, and it counts as fresh (for
    /// every caller and any `min_ttl`) until half its lifetime is used up: asking for more than
    /// the issuer grants costs one refresh per half lifetime, not one per call.
    ///
    /// Errors: not signed in or `invalid_grant` ([`Error::requires_reauthentication`]),
    /// network and server failures (retryable; the session is kept), storage errors.
    pub async fn access_token(&self, min_ttl: Duration) -> Result<Secret, Error> {
        self.token_for(Need::Ttl(min_ttl)).await
    }

    /// Runs a resource call with a valid access token. When the call fails with
    /// [`Error::InvalidToken`] (a 401 from the resource server), the session refreshes once
    /// (unless another caller already replaced that token) and the call runs once more.
    /// [`Error::InsufficientScope`] comes back as is: its `scope` names what to ask for in a
    /// step-up authorization. Map resource answers with [`bearer_error`](super::bearer_error).
    pub async fn authorized_request<T, F, Fut>(&self, mut call: F) -> Result<T, Error>
    where
        F: FnMut(Secret) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let token = self.access_token(DEFAULT_MIN_TTL).await?;
        match call(token.clone()).await {
            Err(Error::InvalidToken { .. }) => {
                let fresh = self.token_for(Need::Replace(token)).await?;
                call(fresh).await
            }
            other => other,
        }
    }

    /// The current record (tokens, expiry, scopes, ID token claims), read from the store on
    /// first use; `None` when signed out.
    pub async fn record(&self) -> Result<Option<Arc<SessionRecord>>, Error> {
        if let Some(known) = self.inner.state().cached.known() {
            return Ok(known);
        }
        let _writer = self.inner.writer.lock().await;
        self.inner.current().await
    }

    /// Refreshes now, whatever the access token's lifetime, and returns the new access
    /// token. Takes the same path as [`access_token`](Self::access_token): one refresh at a
    /// time (a refresh already running is joined, and callers needing one meanwhile join
    /// this one), under the store's lock, with the newest stored refresh token, saved before
    /// it returns. Callers whose token still suffices are not held up.
    ///
    /// Errors: not signed in or no refresh token ([`Error::NotSignedIn`]), `invalid_grant`
    /// (the session ends), network and server failures (the session is kept), storage errors.
    pub async fn refresh(&self) -> Result<Secret, Error> {
        let flight = self
            .inner
            .join_or_start(&mut self.inner.state(), Need::Refresh)?;
        Self::land(flight).await
    }

    /// Signs out: clears the store, announces [`SessionEvent::SignedOut`], then revokes the
    /// refresh token (or the access token when there is none) at the issuer. A stored record
    /// of another issuer or client, or one that cannot be read, is deleted without sending
    /// anything anywhere. The returned [`SignOut`] says whether the issuer revoked the tokens.
    ///
    /// Errors: only a failure to clear the store (and then nothing changes).
    pub async fn sign_out(&self) -> Result<SignOut, Error> {
        let _writer = self.inner.writer.lock().await;
        let store = Arc::clone(&self.inner.store);
        let stored = blocking(move || {
            let _lock = store.lock()?;
            let stored = store.load();
            store.delete()?;
            Ok(stored)
        })
        .await?;
        let cached = std::mem::replace(&mut self.inner.state().cached, Cached::Empty);
        self.inner.notify(SessionEvent::SignedOut);
        let record = match self.inner.to_revoke(cached, stored) {
            None => return Ok(SignOut::default()),
            Some(Err(unusable)) => return Ok(SignOut::unrevoked(unusable)),
            Some(Ok(record)) => record,
        };
        let (token, hint) = match &record.refresh_token {
            Some(refresh) => (refresh, TokenTypeHint::RefreshToken),
            None => (&record.access_token, TokenTypeHint::AccessToken),
        };
        Ok(match self.inner.client.revoke(token, Some(hint)).await {
            Ok(()) => SignOut {
                removed: true,
                revoked: true,
                revocation_error: None,
            },
            Err(e) => SignOut::unrevoked(e),
        })
    }

    async fn token_for(&self, need: Need) -> Result<Secret, Error> {
        let flight = {
            let mut state = self.inner.state();
            if let Cached::Saved(record) = &state.cached
                && need.met_by(record, self.inner.offset(record), state.shortfall.as_ref())
            {
                return Ok(record.access_token.clone());
            }
            self.inner.join_or_start(&mut state, need)?
        };
        Self::land(flight).await
    }

    /// The access token of a refresh's outcome.
    async fn land(flight: Flight) -> Result<Secret, Error> {
        flight
            .await
            .map(|record| record.access_token.clone())
            .map_err(Arc::unwrap_or_clone)
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn notify(&self, event: SessionEvent) {
        let listener = lock(&self.listener).clone();
        if let Some(listener) = listener {
            listener.on_event(event);
        }
    }

    /// The server clock offset: the client's latest measure, else the record's.
    fn offset(&self, record: &SessionRecord) -> i64 {
        self.client.clock_skew().unwrap_or(record.clock_offset)
    }

    /// The running refresh, or a new one. The refresh runs as its own task so that it
    /// completes (and stores its result) even when every caller stops waiting.
    fn join_or_start(self: &Arc<Self>, state: &mut State, need: Need) -> Result<Flight, Error> {
        if let Some(flight) = &state.flight {
            return Ok(flight.clone());
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Config("a Session must be used inside a Tokio runtime".into()))?;
        let inner = Arc::clone(self);
        let task = runtime.spawn(async move {
            let outcome = inner.renew(need).await.map_err(Arc::new);
            inner.state().flight = None;
            outcome
        });
        let flight = async move {
            task.await.unwrap_or_else(|_| {
                Err(Arc::new(Error::Storage(
                    "the session refresh task stopped unexpectedly".into(),
                )))
            })
        }
        .boxed()
        .shared();
        state.flight = Some(flight.clone());
        Ok(flight)
    }

    /// Brings the record up to `need`: under the store lock, re-reads the store and refreshes
    /// only when the stored record still falls short.
    async fn renew(self: &Arc<Self>, need: Need) -> Result<Arc<SessionRecord>, Error> {
        let _writer = self.writer.lock().await;
        let store = Arc::clone(&self.store);
        let _lock = blocking(move || store.lock()).await?;
        let current = self
            .current()
            .await?
            .ok_or(Error::NotSignedIn("no session is stored; sign in first"))?;
        let met = need.met_by(
            &current,
            self.offset(&current),
            self.state().shortfall.as_ref(),
        );
        if met {
            return Ok(current);
        }
        let Some(refresh_token) = current.refresh_token.clone() else {
            return Err(Error::NotSignedIn(match need {
                Need::Refresh => "the session has no refresh token",
                _ => "the access token expired and the session has no refresh token",
            }));
        };
        // The refresh may rotate the refresh token: the new one must be storable, or it dies
        // with this process (the issuer has already spent the old one). Proving the store
        // takes a write first turns a read-only disk into an error before anything is spent.
        self.write_probe(&current).await?;
        let subject = current.id_token_claims.as_ref().map(|c| c.subject.as_str());
        match self.client.refresh_for(&refresh_token, subject).await {
            Ok(tokens) => {
                let next = current.refreshed(tokens, self.client.clock_skew(), now_unix());
                let next = Arc::new(next);
                self.note_shortfall(&need, &next);
                self.save(Arc::clone(&next)).await?;
                self.notify(SessionEvent::Refreshed);
                Ok(next)
            }
            Err(RefusedRefresh { error, .. }) if matches!(error, Error::InvalidGrant { .. }) => {
                self.end().await;
                Err(error)
            }
            Err(RefusedRefresh {
                error,
                refresh_token: Some(rotated),
            }) => {
                // The issuer answered but the answer was refused (its ID token, its token
                // type): the refresh token it carried replaces the one it may have spent.
                let next = Arc::new(current.with_refresh_token(rotated));
                self.save(next).await?;
                Err(error)
            }
            Err(RefusedRefresh { error, .. }) => Err(error),
        }
    }

    /// Remembers a refreshed record that falls short of the `min_ttl` it was refreshed for.
    fn note_shortfall(&self, need: &Need, record: &SessionRecord) {
        let left = record.seconds_left(now_unix(), self.offset(record));
        let shortfall = match (need, left) {
            (Need::Ttl(ttl), Some(left)) if u64::try_from(left).unwrap_or(0) < ttl.as_secs() => {
                Some(Shortfall {
                    access_token: record.access_token.clone(),
                    enough: (left / 2).max(1),
                })
            }
            _ => None,
        };
        self.state().shortfall = shortfall;
    }

    /// The newest record: an unsaved one (saved now), else the store's. Caches it.
    async fn current(&self) -> Result<Option<Arc<SessionRecord>>, Error> {
        let unsaved = match &self.state().cached {
            Cached::Unsaved(record) => Some(Arc::clone(record)),
            _ => None,
        };
        if let Some(record) = unsaved {
            self.save(Arc::clone(&record)).await?;
            // The refresh that made it stored it only now.
            self.notify(SessionEvent::Refreshed);
            return Ok(Some(record));
        }
        let store = Arc::clone(&self.store);
        let record = match blocking(move || store.load()).await? {
            Some(bytes) => Some(Arc::new(self.checked(SessionRecord::from_bytes(&bytes)?)?)),
            None => None,
        };
        self.state().cached = record.clone().map_or(Cached::Empty, Cached::Saved);
        Ok(record)
    }

    /// The record whose tokens sign-out revokes, from what was cached and what the store held:
    /// an unsaved record (newest), else the store's (another process may have rotated its
    /// refresh token) when it is readable and this client's, else the cached one. `None` when
    /// there was no session; an error when only an unusable stored record was found.
    fn to_revoke(
        &self,
        cached: Cached,
        stored: Result<Option<Vec<u8>>, Error>,
    ) -> Option<Result<Arc<SessionRecord>, Error>> {
        if let Cached::Unsaved(record) = cached {
            return Some(Ok(record));
        }
        let from_store = match stored {
            Ok(None) => None,
            Ok(Some(bytes)) => {
                Some(SessionRecord::from_bytes(&bytes).and_then(|r| self.checked(r)))
            }
            Err(e) => Some(Err(e)),
        };
        match (from_store, cached.known().flatten()) {
            (Some(Ok(record)), _) => Some(Ok(Arc::new(record))),
            (_, Some(record)) => Some(Ok(record)),
            (unusable, None) => unusable.map(|r| r.map(Arc::new)),
        }
    }

    /// Refuses a record of another issuer or client.
    fn checked(&self, record: SessionRecord) -> Result<SessionRecord, Error> {
        let config = self.client.config();
        if record.issuer != config.issuer || record.client_id != config.client_id {
            return Err(Error::Storage(format!(
                "the stored session belongs to client {:?} of {:?}, not to this client",
                record.client_id, record.issuer
            )));
        }
        Ok(record)
    }

    /// Writes the stored `record` again, unchanged, to learn whether the store takes writes.
    /// A failure changes nothing: the store and the cache keep what they had.
    async fn write_probe(&self, record: &SessionRecord) -> Result<(), Error> {
        let bytes = record.to_bytes()?;
        let store = Arc::clone(&self.store);
        blocking(move || store.save(&bytes)).await
    }

    /// Saves `record`; it is cached as saved, or as unsaved when saving fails.
    async fn save(&self, record: Arc<SessionRecord>) -> Result<(), Error> {
        let saved = match record.to_bytes() {
            Ok(bytes) => {
                let store = Arc::clone(&self.store);
                blocking(move || store.save(&bytes)).await
            }
            Err(e) => Err(e),
        };
        self.state().cached = match saved {
            Ok(()) => Cached::Saved(record),
            Err(_) => Cached::Unsaved(record),
        };
        saved
    }

    /// After `invalid_grant`: the stored session is dead; remove it and tell the app.
    async fn end(&self) {
        let store = Arc::clone(&self.store);
        if let Err(e) = blocking(move || store.delete()).await {
            tracing::debug!(code = e.code(), "removing the ended session failed");
        }
        self.state().cached = Cached::Empty;
        self.notify(SessionEvent::ReauthenticationRequired);
    }
}

impl Cached {
    /// `Some(record or None)` when known without reading the store.
    fn known(&self) -> Option<Option<Arc<SessionRecord>>> {
        match self {
            Cached::NotLoaded => None,
            Cached::Empty => Some(None),
            Cached::Saved(record) | Cached::Unsaved(record) => Some(Some(Arc::clone(record))),
        }
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.inner.state().cached {
            Cached::NotLoaded => "not loaded",
            Cached::Empty => "signed out",
            Cached::Saved(_) => "signed in",
            Cached::Unsaved(_) => "signed in, not yet saved",
        };
        f.debug_struct("Session")
            .field("client_id", &self.inner.client.config().client_id)
            .field("state", &state)
            .finish()
    }
}

/// Runs a store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(call)
        .await
        .unwrap_or_else(|_| Err(Error::Storage("the token store call panicked".into())))
}

/// Locks a mutex whose data stays consistent even if a holder panicked (plain replacements).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
