//! Configuration resolution: command-line flags, then UPBOND_* environment variables (both
//! handled by clap), then `config.toml` in the upbond configuration directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{CliError, Exit};

/// Name of the configuration file inside the configuration directory.
pub const CONFIG_FILE: &str = "config.toml";

/// The connection flags shared by every command.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Connection (flags, then environment, then config.toml)")]
pub struct ConfigArgs {
    /// Issuer URL of the identity provider, e.g. `https://auth3.upbond.io`
    #[arg(long, global = true, env = "UPBOND_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,
    /// OAuth client id registered with the provider
    #[arg(long, global = true, env = "UPBOND_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// Client secret (confidential clients only, needed by `upbond token`)
    #[arg(
        long,
        global = true,
        env = "UPBOND_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Space-separated scopes to request
    #[arg(long, global = true, env = "UPBOND_SCOPE", value_name = "SCOPES")]
    pub scope: Option<String>,
}

/// Contents of `config.toml`; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    issuer: Option<String>,
    client_id: Option<String>,
    #[serde(default, deserialize_with = "secret_string")]
    client_secret: Option<String>,
    scope: Option<String>,
}

/// Reads `client_secret` without serde's "invalid type: integer `123`" message, which
/// would print the secret when it was written unquoted.
fn secret_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(secret) => Ok(Some(secret)),
        other => {
            let kind = other.type_str();
            let article = if kind.starts_with(['a', 'i']) {
                "an"
            } else {
                "a"
            };
            Err(serde::de::Error::custom(format!(
                "client_secret must be a quoted string, not {article} {kind}"
            )))
        }
    }
}

/// The resolved configuration of one run.
#[derive(Clone)]
pub struct Settings {
    /// Directory holding `config.toml` and the session file.
    pub dir: PathBuf,
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("dir", &self.dir)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("scope", &self.scope)
            .finish()
    }
}

/// The configuration directory: UPBOND_CONFIG_DIR, else `<user config dir>/upbond`.
pub fn config_dir() -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os("UPBOND_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir().map(|d| d.join("upbond")).ok_or_else(|| {
        CliError::new(
            Exit::Config,
            "no_config_dir",
            "Could not find a configuration directory for this user.",
            "Set UPBOND_CONFIG_DIR to a directory upbond may use.",
        )
    })
}

impl Settings {
    /// Merges flags and environment (already in `args`) over the configuration file.
    pub fn resolve(args: &ConfigArgs) -> Result<Settings, CliError> {
        Settings::resolve_in(config_dir()?, args)
    }

    fn resolve_in(dir: PathBuf, args: &ConfigArgs) -> Result<Settings, CliError> {
        let file = read_file(&dir.join(CONFIG_FILE))?;
        let pick = |flag: &Option<String>, file: Option<String>| {
            flag.clone().filter(|v| !v.trim().is_empty()).or(file)
        };
        let issuer = pick(&args.issuer, file.issuer);
        // Checked now, so that a malformed issuer is what every command reports, before a
        // missing client id or secret.
        if let Some(issuer) = &issuer {
            check_issuer(issuer)?;
        }
        Ok(Settings {
            issuer,
            client_id: pick(&args.client_id, file.client_id),
            client_secret: pick(&args.client_secret, file.client_secret),
            scope: pick(&args.scope, file.scope),
            dir,
        })
    }

    /// The configured issuer, or an error explaining how to configure one.
    pub fn issuer(&self) -> Result<&str, CliError> {
        self.issuer
            .as_deref()
            .ok_or_else(|| not_configured("issuer", "--issuer", "UPBOND_ISSUER"))
    }

    /// The configured client id, or an error explaining how to configure one.
    pub fn client_id(&self) -> Result<&str, CliError> {
        self.client_id
            .as_deref()
            .ok_or_else(|| not_configured("client id", "--client-id", "UPBOND_CLIENT_ID"))
    }

    /// The configured client secret, or an error saying client credentials need one.
    pub fn client_secret(&self) -> Result<&str, CliError> {
        self.client_secret.as_deref().ok_or_else(|| {
            CliError::new(
                Exit::Config,
                "invalid_config",
                "The client credentials grant needs a client secret, and none is configured.",
                "Pass --client-secret, set UPBOND_CLIENT_SECRET, or add client_secret to \
                 config.toml (for the emulator: --client-id demo-service \
                 --client-secret demo-service-secret).",
            )
        })
    }

    /// The configured scopes, if any were configured.
    pub fn scopes(&self) -> Option<Vec<String>> {
        self.scope
            .as_deref()
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
    }
}

/// Checks `issuer` by upbond-core's own rules (a URL; https, or http on a loopback host; no
/// user name, password, query or fragment), with its `invalid_config` message. Every other
/// field is a valid default here, so only the issuer can fail.
fn check_issuer(issuer: &str) -> Result<(), CliError> {
    upbond_core::Config::new(issuer, "upbond")
        .validate()
        .map_err(|e| {
            let mut err = CliError::from(e);
            err.fix.insert(
                0,
                "Pass --issuer with the issuer URL from the UPBOND console (such as \
                 https://auth3.upbond.io), set UPBOND_ISSUER to it, or correct issuer in \
                 config.toml."
                    .to_owned(),
            );
            err
        })
}

/// The largest `config.toml` read: four short keys need far less.
const MAX_FILE_LEN: u64 = 1024 * 1024;

fn read_file(path: &Path) -> Result<FileConfig, CliError> {
    let Some(text) = read_text(path)? else {
        return Ok(FileConfig::default());
    };
    toml::from_str(&text).map_err(|e| {
        CliError::new(
            Exit::Config,
            "invalid_config",
            format!(
                "{} is not valid{}: {}",
                path.display(),
                e.span()
                    .map(|span| format!(" (line {})", line_of(&text, span.start)))
                    .unwrap_or_default(),
                e.message()
            ),
            "Fix the file; allowed keys are issuer, client_id, client_secret and scope.",
        )
    })
}

/// The text of the regular file at `path` (a symbolic link to one is followed), `None` if
/// there is none. A named pipe, device or socket is refused before it is opened, since reading
/// one could block forever or never end, and so is a file larger than [`MAX_FILE_LEN`].
fn read_text(path: &Path) -> Result<Option<String>, CliError> {
    use std::io::Read;
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(path, &e)),
    };
    check_file(path, &meta)?;
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, &e))?;
    // The name may have been swapped since the check: check what was opened, and read at most
    // one byte too many.
    check_file(path, &file.metadata().map_err(|e| unreadable(path, &e))?)?;
    let mut text = String::new();
    file.take(MAX_FILE_LEN + 1)
        .read_to_string(&mut text)
        .map_err(|e| unreadable(path, &e))?;
    if text.len() as u64 > MAX_FILE_LEN {
        return Err(too_large(path));
    }
    Ok(Some(text))
}

/// Refuses anything at `path` but a regular file of at most [`MAX_FILE_LEN`] bytes.
fn check_file(path: &Path, meta: &std::fs::Metadata) -> Result<(), CliError> {
    if meta.is_dir() {
        return Err(unreadable(
            path,
            &std::io::Error::from(std::io::ErrorKind::IsADirectory),
        ));
    }
    if !meta.is_file() {
        return Err(CliError::new(
            Exit::Config,
            "invalid_config",
            format!(
                "{} is {}, not a regular file.",
                path.display(),
                file_kind(meta)
            ),
            format!(
                "Replace it with a regular file named {CONFIG_FILE} (keys: issuer, client_id, \
                 client_secret, scope), or set UPBOND_CONFIG_DIR to another directory."
            ),
        ));
    }
    if meta.len() > MAX_FILE_LEN {
        return Err(too_large(path));
    }
    Ok(())
}

fn too_large(path: &Path) -> CliError {
    CliError::new(
        Exit::Config,
        "invalid_config",
        format!(
            "{} is larger than 1 MiB: it is not an upbond configuration.",
            path.display()
        ),
        format!(
            "Write {CONFIG_FILE} again with only the keys issuer, client_id, client_secret and \
             scope, or set UPBOND_CONFIG_DIR to another directory."
        ),
    )
}

/// What a file that is neither a regular file nor a directory is, for a message.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    "a special file"
}

/// Why `config.toml` at `path` could not be read, with the fix for that reason.
fn unreadable(path: &Path, err: &std::io::Error) -> CliError {
    use std::io::ErrorKind;
    let shown = path.display();
    let (exit, code, message, fix) = match err.kind() {
        ErrorKind::InvalidData => (
            Exit::Config,
            "invalid_config",
            format!("{shown} is not UTF-8 text."),
            format!(
                "Save {CONFIG_FILE} as UTF-8 text, or delete it and write it again (keys: \
                 issuer, client_id, client_secret, scope)."
            ),
        ),
        ErrorKind::IsADirectory => (
            Exit::Config,
            "invalid_config",
            format!("{shown} is a directory, not a file."),
            format!(
                "Remove or rename that directory, and write the configuration in a file named \
                 {CONFIG_FILE} instead."
            ),
        ),
        ErrorKind::NotADirectory => (
            Exit::Config,
            "invalid_config",
            format!(
                "{} is not a directory.",
                path.parent().unwrap_or(path).display()
            ),
            "Set UPBOND_CONFIG_DIR to a directory (or unset it to use the default one).".to_owned(),
        ),
        ErrorKind::PermissionDenied => (
            Exit::Failure,
            "local_io",
            format!("{shown} may not be read: {err}."),
            format!(
                "Make {shown} readable by you (chmod u+r), or set UPBOND_CONFIG_DIR to another directory."
            ),
        ),
        _ => (
            Exit::Failure,
            "local_io",
            format!("reading {shown}: {err}"),
            format!(
                "Check that {shown} is a readable file, or set UPBOND_CONFIG_DIR to another \
                 directory."
            ),
        ),
    };
    CliError::new(exit, code, message, fix)
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn not_configured(what: &str, flag: &str, env: &str) -> CliError {
    CliError::new(
        Exit::Config,
        "invalid_config",
        format!("No {what} is configured."),
        format!(
            "Pass {flag}, set {env}, or add it to {CONFIG_FILE} in the upbond configuration \
             directory. To try upbond without an account, run `upbond demo`, or start a local \
             server with `upbond emulator` and use the issuer it prints with --client-id demo-app."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(file: &str, args: ConfigArgs) -> Result<Settings, CliError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), file).unwrap();
        Settings::resolve_in(dir.path().to_owned(), &args)
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_fills_gaps() {
        let file =
            "issuer = \"https://file.example\"\nclient_id = \"file-app\"\nscope = \"openid\"\n";
        let args = ConfigArgs {
            issuer: Some("https://flag.example".into()),
            client_id: Some(" ".into()),
            ..ConfigArgs::default()
        };
        let s = settings(file, args).unwrap();
        assert_eq!(s.issuer().unwrap(), "https://flag.example");
        assert_eq!(
            s.client_id().unwrap(),
            "file-app",
            "a blank flag does not count"
        );
        assert_eq!(s.scopes(), Some(vec!["openid".to_owned()]));
        assert_eq!(s.client_secret().unwrap_err().code, "invalid_config");
    }

    #[test]
    fn a_missing_file_is_fine_and_a_bad_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::resolve_in(dir.path().to_owned(), &ConfigArgs::default()).unwrap();
        let err = s.issuer().unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.exit),
            ("invalid_config", Exit::Config)
        );
        let err = settings("issuer = 3", ConfigArgs::default()).unwrap_err();
        assert_eq!(err.code, "invalid_config");
    }

    #[test]
    fn an_unreadable_file_gets_the_fix_for_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let resolve = |dir: &Path| Settings::resolve_in(dir.to_owned(), &ConfigArgs::default());
        std::fs::write(dir.path().join(CONFIG_FILE), b"issuer = \"\xff\xfe\"\n").unwrap();
        let err = resolve(dir.path()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.exit),
            ("invalid_config", Exit::Config)
        );
        assert!(err.message.contains("not UTF-8"), "{}", err.message);
        assert!(
            err.fix[0].contains("UTF-8") && !err.fix[0].contains("directory"),
            "{:?}",
            err.fix
        );

        std::fs::remove_file(dir.path().join(CONFIG_FILE)).unwrap();
        std::fs::create_dir(dir.path().join(CONFIG_FILE)).unwrap();
        let err = resolve(dir.path()).unwrap_err();
        assert_eq!(err.exit, Exit::Config);
        assert!(err.message.contains("is a directory"), "{}", err.message);
        assert!(err.fix[0].contains("Remove or rename"), "{:?}", err.fix);

        let file = dir.path().join("plain-file");
        std::fs::write(&file, "").unwrap();
        let err = resolve(&file).unwrap_err();
        assert_eq!(err.exit, Exit::Config);
        assert!(
            err.message.contains("is not a directory"),
            "{}",
            err.message
        );
        assert!(err.fix[0].contains("UPBOND_CONFIG_DIR"), "{:?}", err.fix);
    }

    /// Resolves the settings of `dir` on another thread, failing instead of hanging when that
    /// blocks.
    fn resolve_without_blocking(dir: &Path) -> Result<Settings, CliError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let owned = dir.to_owned();
        std::thread::spawn(move || {
            let _ = tx.send(Settings::resolve_in(owned, &ConfigArgs::default()));
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading config.toml blocked")
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(made.success(), "mkfifo {}", path.display());
        let err = resolve_without_blocking(dir.path()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.exit),
            ("invalid_config", Exit::Config)
        );
        assert!(
            err.message.contains("named pipe") && err.message.contains("not a regular file"),
            "{}",
            err.message
        );
        assert!(err.fix[0].contains("regular file"), "{:?}", err.fix);

        // A symbolic link is followed: to a device it is refused, to a regular file it works.
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let err = resolve_without_blocking(dir.path()).unwrap_err();
        assert_eq!(err.code, "invalid_config");
        assert!(err.message.contains("a device"), "{}", err.message);

        let real = dir.path().join("real.toml");
        std::fs::write(&real, "issuer = \"https://linked.example\"\n").unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&real, &path).unwrap();
        let s = resolve_without_blocking(dir.path()).unwrap();
        assert_eq!(s.issuer().unwrap(), "https://linked.example");
    }

    #[test]
    fn an_oversized_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join(CONFIG_FILE)).unwrap();
        // Sparse: the size alone decides.
        file.set_len(MAX_FILE_LEN + 1).unwrap();
        drop(file);
        let err = resolve_without_blocking(dir.path()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.exit),
            ("invalid_config", Exit::Config)
        );
        assert!(err.message.contains("larger than 1 MiB"), "{}", err.message);
        assert!(err.fix[0].contains("UPBOND_CONFIG_DIR"), "{:?}", err.fix);

        // Exactly at the bound is still read (and judged as TOML).
        let text = format!("#{}\n", "x".repeat(MAX_FILE_LEN as usize - 2));
        std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
        let s = resolve_without_blocking(dir.path()).unwrap();
        assert!(s.issuer().is_err());
    }

    #[test]
    fn a_malformed_issuer_is_reported_before_anything_missing() {
        for issuer in [
            "not a url",
            "http://auth.example",
            "https://auth.example/?tenant=1",
        ] {
            let args = ConfigArgs {
                issuer: Some(issuer.into()),
                ..ConfigArgs::default()
            };
            let err = settings("", args).unwrap_err();
            assert_eq!(
                (err.code.as_str(), err.exit),
                ("invalid_config", Exit::Config),
                "{issuer}"
            );
            assert!(err.message.contains("ssuer"), "{issuer}: {}", err.message);
            assert!(err.fix[0].contains("--issuer"), "{:?}", err.fix);
        }
        let file = "issuer = \"ftp://auth.example\"\nclient_id = \"app\"\n";
        let err = settings(file, ConfigArgs::default()).unwrap_err();
        assert_eq!(err.code, "invalid_config");
        for issuer in ["https://auth.example", "http://127.0.0.1:8080"] {
            let args = ConfigArgs {
                issuer: Some(issuer.into()),
                ..ConfigArgs::default()
            };
            assert_eq!(settings("", args).unwrap().issuer().unwrap(), issuer);
        }
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_named_but_not_printed() {
        for (value, kind) in [
            ("73915824", "an integer"),
            ("7391.5824", "a float"),
            ("[\"s3cr3t-value\"]", "an array"),
        ] {
            let file = format!("issuer = \"https://a.example\"\n\nclient_secret = {value}\n");
            let err = settings(&file, ConfigArgs::default()).unwrap_err();
            assert_eq!(err.code, "invalid_config");
            assert!(err.message.contains("(line 3)"), "{}", err.message);
            assert!(err.message.contains(kind), "{}", err.message);
            for leak in ["73915824", "7391", "s3cr3t"] {
                assert!(!err.message.contains(leak), "{}", err.message);
            }
        }
        let file = "client_secret = \"fine\"\n";
        let s = settings(file, ConfigArgs::default()).unwrap();
        assert_eq!(s.client_secret().unwrap(), "fine");
    }

    #[test]
    fn debug_hides_the_secret() {
        let args = ConfigArgs {
            client_secret: Some("s3cr3t-value".into()),
            ..ConfigArgs::default()
        };
        let s = settings("", args).unwrap();
        assert!(!format!("{s:?}").contains("s3cr3t-value"));
    }
}
