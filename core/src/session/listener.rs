//! Session state notifications for the app's UI.

/// What happened to a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// A sign-in stored new tokens.
    SignedIn,
    /// A refresh stored new tokens.
    Refreshed,
    /// The app signed out; the store is cleared.
    SignedOut,
    /// The issuer refused the refresh token (`invalid_grant`): the user must sign in again.
    /// The stored session has been removed.
    ReauthenticationRequired,
}

/// Receives [`SessionEvent`]s. Object safe and synchronous so that foreign languages can
/// implement it (UniFFI foreign traits).
///
/// Threading: called on a Tokio worker thread after the store has been updated; it must
/// return quickly and not block (post to the UI thread instead).
pub trait SessionListener: Send + Sync {
    /// Called once per event.
    fn on_event(&self, event: SessionEvent);
}
