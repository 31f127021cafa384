//! [`FileStore`]: one file, replaced atomically, owner-only, optionally encrypted
//! (AES-256-GCM), with an inter-process lock file next to it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use super::{StoreLock, TokenStore};
use crate::telemetry::log;
use crate::{Error, LogLevel};

/// Starts an encrypted file: format tag, then the 12-byte nonce, then ciphertext and tag.
const MAGIC: &[u8] = b"UPBOND-SESSION-AES256GCM-1\n";

/// The largest session file read: a record is a few kilobytes.
const MAX_FILE_LEN: u64 = 1024 * 1024;

/// How long [`lock`](TokenStore::lock) waits by default for another holder to let go.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a waiting `lock` tries again.
const LOCK_POLL: Duration = Duration::from_millis(50);

/// A session record in a file.
///
/// - `save` writes a temporary file in the same directory (mode 0600), syncs it, renames it
///   over the old file and syncs the directory: a crash leaves the old or the new record,
///   never a mix.
/// - With [`FileStore::encrypted`] the file is sealed with AES-256-GCM under the caller's key;
///   a wrong key or a modified file is a storage error, as is a plain file when a key is set.
/// - [`lock`](TokenStore::lock) takes an exclusive OS lock on `<file>.lock`, so two processes
///   (or two stores on one file) never refresh at once. It waits at most 30 s
///   (see [`with_lock_timeout`](Self::with_lock_timeout)) for another holder, then fails
///   with a storage error instead of hanging behind a stuck process.
/// - Only a regular file of at most 1 MiB is read (not a FIFO, device or huge file, which
///   would hang or exhaust memory): anything else is a storage error.
/// - `<file>.lock` stays after [`delete`](TokenStore::delete) (sign-out) on purpose. It is
///   empty (no token, nothing secret). Removing it is not safe: the OS lock belongs to the
///   open file, not to its name, so a process already waiting on the old file would get
///   its lock while a newcomer creates and locks a new file under the same name, and both
///   would refresh at once. (On Windows an open file cannot be removed at all.)
pub struct FileStore {
    path: PathBuf,
    lock_path: PathBuf,
    key: Option<LessSafeKey>,
    lock_timeout: Duration,
}

impl FileStore {
    /// A plain (unencrypted) store at `path`. Nothing is touched until first use.
    pub fn new(path: impl Into<PathBuf>) -> FileStore {
        let path = path.into();
        let mut lock_path = path.clone().into_os_string();
        lock_path.push(".lock");
        FileStore {
            path,
            lock_path: lock_path.into(),
            key: None,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// This store with `lock` waiting at most `timeout` for another holder of the lock.
    pub fn with_lock_timeout(self, timeout: Duration) -> FileStore {
        FileStore {
            lock_timeout: timeout,
            ..self
        }
    }

    /// A store at `path` encrypted with a 32-byte key (keep the key in the platform's secure
    /// storage). A key of another length is a configuration error.
    pub fn encrypted(path: impl Into<PathBuf>, key: &[u8]) -> Result<FileStore, Error> {
        let key = UnboundKey::new(&AES_256_GCM, key)
            .map(LessSafeKey::new)
            .map_err(|_| Error::Config("the session file key must be 32 bytes".into()))?;
        Ok(FileStore {
            key: Some(key),
            ..FileStore::new(path)
        })
    }

    /// The record file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, doing: &str, e: &io::Error) -> Error {
        Error::Storage(format!("{doing} {} failed: {e}", self.path.display()))
    }

    fn seal(&self, record: &[u8]) -> Result<Vec<u8>, Error> {
        let Some(key) = &self.key else {
            return Ok(record.to_vec());
        };
        let failed = |_| Error::Storage("encrypting the session record failed".into());
        // A fresh random nonce per save: far fewer saves than the 2^32 that random
        // 96-bit nonces allow under one key.
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(failed)?;
        let mut sealed = record.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(MAGIC),
            &mut sealed,
        )
        .map_err(failed)?;
        Ok([MAGIC, &nonce, &sealed].concat())
    }

    fn open(&self, mut bytes: Vec<u8>) -> Result<Vec<u8>, Error> {
        let encrypted = bytes.starts_with(MAGIC);
        let Some(key) = &self.key else {
            return if encrypted {
                Err(self.storage("is encrypted and no key was given"))
            } else {
                Ok(bytes)
            };
        };
        if !encrypted {
            return Err(self.storage("is not encrypted but a key was given"));
        }
        let body = &mut bytes[MAGIC.len()..];
        if body.len() < NONCE_LEN {
            return Err(self.storage("is truncated"));
        }
        let (nonce, sealed) = body.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| self.storage("has a malformed nonce"))?;
        let plain = key
            .open_in_place(nonce, Aad::from(MAGIC), sealed)
            .map_err(|_| self.storage("cannot be decrypted (wrong key or modified file)"))?;
        Ok(plain.to_vec())
    }

    fn storage(&self, what: &str) -> Error {
        Error::Storage(format!("the session file {} {what}", self.path.display()))
    }

    fn directory(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// A session file others may read (copied, restored from a backup, chmod-ed) is put
    /// back to owner-only with a warning: it holds live tokens.
    fn restrict_to_owner(&self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let Ok(meta) = fs::metadata(&self.path) else {
                return;
            };
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                let fixed = fs::set_permissions(&self.path, fs::Permissions::from_mode(0o600));
                log(LogLevel::Warn, "session.file_store", || {
                    format!(
                        "the session file {} was readable by others (mode {:o}); {}",
                        self.path.display(),
                        mode & 0o777,
                        match fixed {
                            Ok(()) => "it is now owner-only (0600)".to_owned(),
                            Err(e) => format!("making it owner-only failed: {e}"),
                        }
                    )
                });
            }
        }
    }

    /// The file's bytes, `None` when it does not exist. Refuses anything but a regular file
    /// (checked before opening, so a FIFO cannot block the open) and reads at most
    /// [`MAX_FILE_LEN`] bytes.
    fn read(&self) -> Result<Option<Vec<u8>>, Error> {
        let meta = match fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("reading", &e)),
        };
        let too_large = || self.storage("is larger than 1 MiB: it is not a session record");
        if !meta.is_file() {
            return Err(self.storage("is not a regular file"));
        }
        if meta.len() > MAX_FILE_LEN {
            return Err(too_large());
        }
        let reading = |e: io::Error| self.io_error("reading", &e);
        let file = File::open(&self.path).map_err(reading)?;
        // The name may have been swapped since the check: read at most one byte too many.
        let mut bytes = Vec::new();
        file.take(MAX_FILE_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(reading)?;
        if bytes.len() as u64 > MAX_FILE_LEN {
            return Err(too_large());
        }
        Ok(Some(bytes))
    }

    fn write_atomically(&self, bytes: &[u8]) -> io::Result<()> {
        let dir = self.directory();
        create_private_dir(dir)?;
        // tempfile creates the file with mode 0600 on Unix, in `dir` so the rename is atomic.
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        sync_dir(dir)
    }
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.path)
            .field("encrypted", &self.key.is_some())
            .finish()
    }
}

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<Vec<u8>>, Error> {
        let Some(bytes) = self.read()? else {
            return Ok(None);
        };
        self.restrict_to_owner();
        self.open(bytes).map(Some)
    }

    fn save(&self, record: &[u8]) -> Result<(), Error> {
        let bytes = self.seal(record)?;
        self.write_atomically(&bytes)
            .map_err(|e| self.io_error("writing", &e))
    }

    fn delete(&self) -> Result<(), Error> {
        match fs::remove_file(&self.path) {
            Ok(()) => sync_dir(self.directory()).map_err(|e| self.io_error("removing", &e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io_error("removing", &e)),
        }
    }

    fn lock(&self) -> Result<StoreLock, Error> {
        let lock_error = |e: io::Error| {
            Error::Storage(format!("locking {} failed: {e}", self.lock_path.display()))
        };
        create_private_dir(self.directory()).map_err(lock_error)?;
        let file = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.lock_path)
            .map_err(lock_error)?;
        // The lock is released when the file is closed, i.e. when the guard is dropped.
        let deadline = Instant::now() + self.lock_timeout;
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(StoreLock::new(file)),
                Err(fs4::TryLockError::Error(e)) => return Err(lock_error(e)),
                Err(fs4::TryLockError::WouldBlock) if Instant::now() >= deadline => {
                    return Err(Error::Storage(format!(
                        "another process holds the session lock {} (waited {} s); \
                         try again when it has finished, or end it if it is stuck",
                        self.lock_path.display(),
                        self.lock_timeout.as_secs_f32()
                    )));
                }
                Err(fs4::TryLockError::WouldBlock) => std::thread::sleep(LOCK_POLL),
            }
        }
    }
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates `dir` (owner-only on Unix) when it does not exist yet.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes a rename or removal in `dir` durable (Unix; a no-op elsewhere).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn round_trip_plain_and_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let plain = FileStore::new(dir.path().join("nested/plain.json"));
        assert_eq!(plain.load().unwrap(), None);
        plain.save(b"{\"a\":1}").unwrap();
        assert_eq!(plain.load().unwrap().unwrap(), b"{\"a\":1}");

        let path = dir.path().join("sealed.bin");
        let sealed = FileStore::encrypted(&path, &KEY).unwrap();
        sealed.save(b"token-text").unwrap();
        let raw = fs::read(&path).unwrap();
        assert!(raw.starts_with(MAGIC));
        assert!(!String::from_utf8_lossy(&raw).contains("token-text"));
        assert_eq!(sealed.load().unwrap().unwrap(), b"token-text");
        sealed.delete().unwrap();
        sealed.delete().unwrap();
        assert_eq!(sealed.load().unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("sub/session.json"));
        store.save(b"{}").unwrap();
        store.save(b"{}").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.path()), 0o600);
        assert_eq!(mode(&dir.path().join("sub")), 0o700);
        drop(store.lock().unwrap());
        assert_eq!(mode(&dir.path().join("sub/session.json.lock")), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_session_file_is_made_owner_only_on_load() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("session.json"));
        store.save(b"{}").unwrap();
        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(store.load().unwrap().unwrap(), b"{}");
        let mode = fs::metadata(store.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn wrong_key_tampering_and_mode_mismatch_are_storage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bin");
        FileStore::encrypted(&path, &KEY)
            .unwrap()
            .save(b"x")
            .unwrap();
        let wrong = FileStore::encrypted(&path, &[8; 32]).unwrap();
        assert_eq!(wrong.load().unwrap_err().code(), "storage_error");
        assert_eq!(
            FileStore::new(&path).load().unwrap_err().code(),
            "storage_error"
        );
        let mut raw = fs::read(&path).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        fs::write(&path, &raw).unwrap();
        let right = FileStore::encrypted(&path, &KEY).unwrap();
        assert_eq!(right.load().unwrap_err().code(), "storage_error");
        fs::write(&path, MAGIC).unwrap();
        assert_eq!(right.load().unwrap_err().code(), "storage_error");
        fs::write(&path, b"{}").unwrap();
        assert_eq!(right.load().unwrap_err().code(), "storage_error");
        assert_eq!(fs::read(&path).unwrap(), b"{}", "the file is kept");
        let short = FileStore::encrypted(&path, &[1; 16]).unwrap_err();
        assert_eq!(short.code(), "invalid_config");
    }

    #[test]
    fn the_lock_file_outlives_delete_and_holds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("session.json"));
        let guard = store.lock().unwrap();
        store.save(b"token-text").unwrap();
        store.delete().unwrap();
        drop(guard);
        assert!(!store.path().exists());
        assert_eq!(fs::read(dir.path().join("session.json.lock")).unwrap(), b"");
    }

    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_of_at_most_1_mib_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let big = dir.path().join("big.json");
        fs::write(&big, vec![b' '; MAX_FILE_LEN as usize + 1]).unwrap();
        let refused = [
            (&fifo, "is not a regular file"),
            (&zero, "is not a regular file"),
            (&big, "is larger than 1 MiB"),
        ];
        for (path, why) in refused {
            let error = FileStore::new(path).load().unwrap_err();
            assert_eq!(error.code(), "storage_error");
            assert!(error.message().contains(why), "{error}");
        }
        // Saving replaces what was there with a regular file.
        let store = FileStore::new(&fifo);
        store.save(b"{}").unwrap();
        assert_eq!(store.load().unwrap().unwrap(), b"{}");
        fs::write(&big, vec![b' '; MAX_FILE_LEN as usize]).unwrap();
        assert_eq!(FileStore::new(&big).load().unwrap().unwrap().len(), 1 << 20);
    }

    #[test]
    fn debug_hides_the_key() {
        let store = FileStore::encrypted("/tmp/x", &KEY).unwrap();
        let debug = format!("{store:?}");
        assert!(
            debug.contains("encrypted: true") && !debug.contains("7, 7"),
            "{debug}"
        );
    }
}
