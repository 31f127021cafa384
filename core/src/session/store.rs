//! The pluggable token store: where a session keeps its record between runs.

use crate::Error;

/// Persistent storage for ONE session record, as opaque bytes (the session encodes, versions
/// and migrates the record; stores only keep bytes). Implement it over the platform's secure
/// storage (Keychain, Android Keystore, a keyring); built-in: [`MemoryStore`](super::MemoryStore)
/// and [`FileStore`](super::FileStore).
///
/// Threading: the session calls these methods on a blocking-capable worker thread (Tokio's
/// blocking pool), never on an async executor thread, so they may block on I/O (or on a user
/// prompt). One session makes one call at a time; stores shared by several sessions or
/// processes must still be safe to call concurrently. The methods are synchronous and the
/// trait is object safe so that foreign languages can implement it (UniFFI foreign traits).
///
/// Contract: `save` replaces the whole record atomically (after a failed `save`, `load`
/// returns the previous record, intact); `load` returns `Ok(None)` only when nothing is
/// stored; failures are reported as [`Error::Storage`], never hidden.
pub trait TokenStore: Send + Sync {
    /// The stored bytes, or `None` when no record is stored.
    fn load(&self) -> Result<Option<Vec<u8>>, Error>;
    /// Atomically replaces the stored record with `record`.
    fn save(&self, record: &[u8]) -> Result<(), Error>;
    /// Removes the stored record; succeeds when there was none.
    fn delete(&self) -> Result<(), Error>;
    /// Blocks until this caller holds the store's exclusive refresh lock, held until the
    /// returned guard is dropped. Stores shared between processes (a file, an app-group
    /// keychain) must lock across processes so that only one refreshes at a time; the
    /// default does not lock (a store used by one session in one process needs none).
    fn lock(&self) -> Result<StoreLock, Error> {
        Ok(StoreLock::unlocked())
    }
}

/// Proof of holding a store's refresh lock; dropping it releases the lock.
pub struct StoreLock {
    _held: Option<Box<dyn Send>>,
}

impl StoreLock {
    /// A guard that releases the lock when `held` (e.g. a locked file) is dropped.
    pub fn new(held: impl Send + 'static) -> StoreLock {
        StoreLock {
            _held: Some(Box::new(held)),
        }
    }

    /// A guard for a store without locking.
    pub fn unlocked() -> StoreLock {
        StoreLock { _held: None }
    }
}

impl std::fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreLock")
    }
}
