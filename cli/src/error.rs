//! The one error type every command returns: a stable code, a message, the likely causes, a fix,
//! and the process exit status that goes with it.

use std::fmt;

use crate::output::format_duration;

/// Process exit statuses of `upbond` (listed in `--help` through [`EXIT_CODES_HELP`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// An unexpected local failure (file system, output, runtime).
    Failure = 1,
    /// Bad command-line input: unknown flag, bad value, unknown error code.
    Usage = 2,
    /// Nothing or something invalid is configured (issuer, client id, secret, config file).
    Config = 3,
    /// The issuer could not be reached or does not behave like an OpenID provider.
    Unreachable = 4,
    /// The identity provider refused the request (denied, expired, invalid client, ...).
    Refused = 5,
    /// No stored session, or the stored session can no longer be used: log in again.
    NoSession = 6,
    /// `upbond doctor` found at least one failing check.
    DoctorFailed = 7,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

/// Exit status table shown at the end of `upbond --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit status:
  0    success
  1    unexpected local failure (files, output, runtime)
  2    bad command-line input (unknown flag or value, unknown error code)
  3    not configured or invalid configuration
  4    issuer unreachable or not a valid OpenID provider (try `upbond doctor`)
  5    refused by the identity provider (denied, expired, invalid client, ...)
  6    no usable session: run `upbond login`
  7    `upbond doctor` found a failing check
  130  interrupted";

/// A failure reported to the user: never contains a token, secret or code.
#[derive(Debug, Clone)]
pub struct CliError {
    /// Stable machine-readable code, e.g. `invalid_config` or a provider code like `EMAIL_007`.
    pub code: String,
    /// What went wrong, in one sentence.
    pub message: String,
    /// Likely causes, most likely first (may be empty).
    pub causes: Vec<String>,
    /// What to do about it, one step per item.
    pub fix: Vec<String>,
    /// The exit status to leave with.
    pub exit: Exit,
    /// The command already showed the problem in its own output: print nothing more.
    pub reported: bool,
}

impl CliError {
    /// A new error with no listed causes.
    pub fn new(
        exit: Exit,
        code: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        CliError {
            code: code.into(),
            message: message.into(),
            causes: Vec::new(),
            fix: vec![fix.into()],
            exit,
            reported: false,
        }
    }

    /// A failure the command has already reported in its output (only the exit status is left).
    pub fn already_reported(exit: Exit, code: &str, message: String) -> Self {
        CliError {
            reported: true,
            ..CliError::new(exit, code, message, "See the report above.")
        }
    }

    /// A local I/O failure on `what` (a path or an action).
    pub fn io(what: &str, err: &std::io::Error) -> Self {
        CliError::new(
            Exit::Failure,
            "local_io",
            format!("{what}: {err}"),
            "Check that the directory exists and that you may write to it \
             (set UPBOND_CONFIG_DIR to use another one).",
        )
    }

    /// A core failure known by its catalog code, described by `message`: exit status by code,
    /// causes and fix from the catalog.
    pub fn from_code(code: &str, message: &str) -> CliError {
        CliError {
            code: code.to_owned(),
            message: sentence(message),
            causes: upbond_core::explain(code)
                .map(|e| e.causes.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default(),
            fix: remedy(code),
            exit: exit_for(code),
            reported: false,
        }
    }

    /// Ctrl-C was pressed while waiting.
    pub fn interrupted() -> Self {
        CliError::new(
            Exit::Interrupted,
            "interrupted",
            "Interrupted.",
            "Run the command again when ready.",
        )
    }
}

/// Maps a core error: exit status by code, message from the error, causes and fix from the
/// troubleshooting catalog, and the wait the error asks for.
impl From<upbond_core::Error> for CliError {
    fn from(e: upbond_core::Error) -> Self {
        let mut err = CliError::from_code(e.code(), &e.message());
        if let Some(wait) = e.retry_after() {
            err.fix
                .insert(0, format!("Try again in {}.", format_duration(wait)));
        }
        err
    }
}

/// The steps that fix `code` for a user of this command: the catalog's resolution, which
/// speaks to app developers, adapted where the CLI has its own remedy.
pub fn remedy(code: &str) -> Vec<String> {
    let mut fix: Vec<String> = upbond_core::explain(code)
        .map(|e| e.resolution.iter().map(|s| (*s).to_owned()).collect())
        .unwrap_or_default();
    match exit_for(code) {
        Exit::Unreachable => {
            fix.push("Run `upbond doctor` to check the issuer step by step.".to_owned());
        }
        // Signing in is one command here.
        Exit::NoSession => fix = vec!["Run `upbond login` to sign in.".to_owned()],
        _ => {}
    }
    fix
}

/// The exit status for a core error code (the codes are the catalog's stable names).
fn exit_for(code: &str) -> Exit {
    match code {
        "invalid_config" => Exit::Config,
        "cancelled" => Exit::Interrupted,
        "not_signed_in" => Exit::NoSession,
        "storage_error" => Exit::Failure,
        "issuer_mismatch"
        | "protocol_error"
        | "http_server_error"
        | "http_client_error"
        | "not_supported_by_issuer" => Exit::Unreachable,
        network if network.starts_with("network_") => Exit::Unreachable,
        // Refusals, including the issuer's rate limit and the client's own rate budget
        // (rate_budget_exhausted: nothing was sent; the fix says how long to wait).
        _ => Exit::Refused,
    }
}

/// Maps a core error met while using the stored session: a grant or token the issuer no longer
/// accepts means "log in again"; a session file that cannot be used can be replaced.
pub fn session_error(e: upbond_core::Error) -> CliError {
    use upbond_core::Error as E;
    let stale = matches!(e, E::InvalidGrant { .. } | E::InvalidToken { .. });
    let storage = matches!(e, E::Storage(_));
    let mut err = CliError::from(e);
    if stale {
        err.exit = Exit::NoSession;
        err.fix
            .insert(0, "Run `upbond login` to start a new session.".to_owned());
    }
    if storage {
        err.fix.push(
            "Run `upbond logout` to remove the stored session, or `upbond login` to replace it."
                .to_owned(),
        );
    }
    err
}

/// Capitalises the first letter and ends with a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for CliError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use upbond_core::{Description, Error, NetworkErrorKind, RateCategory};

    #[test]
    fn core_errors_get_the_documented_exit_status() {
        let network = Error::Network {
            kind: NetworkErrorKind::Connect,
            detail: "refused".into(),
        };
        let err = CliError::from(network);
        assert_eq!(err.exit, Exit::Unreachable);
        assert!(err.fix.last().unwrap().contains("upbond doctor"));
        assert!(!err.causes.is_empty());
        let denied = Error::AccessDenied {
            description: Description::new(Some("no")),
        };
        assert_eq!(CliError::from(denied).exit, Exit::Refused);
        assert_eq!(
            CliError::from(Error::Config("bad".into())).exit,
            Exit::Config
        );
        assert_eq!(CliError::from(Error::Cancelled).exit, Exit::Interrupted);
    }

    #[test]
    fn session_and_budget_errors_say_what_to_do() {
        let err = CliError::from(Error::NotSignedIn("no session is stored"));
        assert_eq!(
            (err.code.as_str(), err.exit),
            ("not_signed_in", Exit::NoSession)
        );
        assert!(err.fix[0].contains("upbond login"), "{:?}", err.fix);
        let err = CliError::from(Error::RateBudgetExhausted {
            category: RateCategory::TokenRefresh,
            retry_after: Duration::from_millis(2500),
        });
        assert_eq!(
            (err.code.as_str(), err.exit),
            ("rate_budget_exhausted", Exit::Refused)
        );
        assert_eq!(err.fix[0], "Try again in 2.5 s.");
        assert!(!err.causes.is_empty());
        let err = session_error(Error::Storage("the stored session is corrupt".into()));
        assert_eq!(err.exit, Exit::Failure);
        assert!(err.fix.last().unwrap().contains("upbond logout"));
    }

    #[test]
    fn codes_from_a_report_map_like_errors() {
        let err = CliError::from_code("invalid_request", "invalid request: scripted");
        assert_eq!(err.exit, Exit::Refused);
        assert_eq!(err.message, "Invalid request: scripted.");
        assert!(!err.fix.is_empty());
        assert_eq!(
            CliError::from_code("network_timeout", "x").exit,
            Exit::Unreachable
        );
    }

    #[test]
    fn stale_sessions_ask_for_a_new_login() {
        let err = session_error(Error::InvalidGrant {
            description: Description::new(None),
        });
        assert_eq!(err.exit, Exit::NoSession);
        assert!(err.fix[0].contains("upbond login"));
        let other = session_error(Error::Cancelled);
        assert_eq!(other.exit, Exit::Interrupted);
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(sentence("the grant is invalid"), "The grant is invalid.");
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), ".");
    }
}
