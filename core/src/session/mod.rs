//! The session layer: one signed-in user whose tokens are refreshed safely and kept in a
//! pluggable [`TokenStore`].
//!
//! - [`Session`]: `access_token(min_ttl)` with single-flight refresh, a forced `refresh`,
//!   `authorized_request`, `sign_in`, `sign_out` (reporting the revocation in a [`SignOut`]),
//!   state events for a [`SessionListener`].
//! - [`SessionRecord`]: the versioned record (older schemas migrate; corrupt ones are storage
//!   errors and stay in the store).
//! - Stores: [`MemoryStore`], [`FileStore`] (atomic replace, owner-only, optional AES-256-GCM,
//!   inter-process lock), or your own [`TokenStore`].
//!
//! ```no_run
//! # async fn demo(tokens: upbond_core::TokenSet) -> Result<(), upbond_core::Error> {
//! use std::sync::Arc;
//! use upbond_core::{Client, Config, DEFAULT_MIN_TTL, FileStore, Session};
//!
//! let client = Client::new(Config::new("https://login.example.com", "my-app"))?;
//! let key = [0u8; 32]; // in a real app: from the platform's secure storage
//! let session = Session::new(client, Arc::new(FileStore::encrypted("session.bin", &key)?));
//! session.sign_in(tokens).await?; // the TokenSet of complete_authorization
//! let access_token = session.access_token(DEFAULT_MIN_TTL).await?;
//! # Ok(())
//! # }
//! ```

mod file_store;
mod listener;
mod manager;
mod memory_store;
mod record;
mod resource;
mod store;

pub use file_store::FileStore;
pub use listener::{SessionEvent, SessionListener};
pub use manager::{DEFAULT_MIN_TTL, Session, SignOut};
pub use memory_store::MemoryStore;
pub use record::SessionRecord;
pub use resource::bearer_error;
pub use store::{StoreLock, TokenStore};
