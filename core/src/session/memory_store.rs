//! [`MemoryStore`]: keeps the record in memory only (tests, ephemeral sessions).

use std::sync::{Mutex, PoisonError};

use super::TokenStore;
use crate::Error;

/// A store that forgets everything when dropped. It does not lock: use one per session.
#[derive(Default)]
pub struct MemoryStore {
    bytes: Mutex<Option<Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
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
}
