//! [`MemoryStore`]: keeps the record in memory only (tests, ephemeral sessions).

use std::sync::{Mutex, PoisonError};

use super::{StoreLock, TokenStore};
use crate::Error;

/// A store that forgets everything when dropped. It does not lock: use one per session.
///
/// It belongs to the process that created it. A forked child gets a copy of the record, and
/// a refresh there would rotate the refresh token that the parent still holds (signing the
/// parent out), so in a child [`lock`](TokenStore::lock) (taken to refresh, sign in or sign
/// out) is a storage error. Share a session between processes with a
/// [`FileStore`](super::FileStore).
pub struct MemoryStore {
    bytes: Mutex<Option<Vec<u8>>>,
    owner: u32,
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore {
            bytes: Mutex::default(),
            owner: std::process::id(),
        }
    }
}

impl MemoryStore {
    /// An empty store, owned by the current process.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Option<Vec<u8>>) -> T) -> T {
        // A panic elsewhere cannot leave a half-written Vec: replacing it is one move.
        f(&mut self.bytes.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stored = self.with(|b| b.is_some());
        f.debug_struct("MemoryStore")
            .field("stored", &stored)
            .finish()
    }
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.with(|b| b.clone()))
    }

    fn save(&self, record: &[u8]) -> Result<(), Error> {
        self.with(|b| *b = Some(record.to_vec()));
        Ok(())
    }

    fn delete(&self) -> Result<(), Error> {
        self.with(|b| *b = None);
        Ok(())
    }

    fn lock(&self) -> Result<StoreLock, Error> {
        if std::process::id() != self.owner {
            return Err(Error::Storage(
                "this in-memory session was copied from the parent process by a fork: it cannot \
                 refresh, sign in or sign out here (a refresh would rotate the parent's refresh \
                 token and sign the parent out). Create a new session in this process, or share \
                 one between processes through a file store"
                    .into(),
            ));
        }
        Ok(StoreLock::unlocked())
    }
}
