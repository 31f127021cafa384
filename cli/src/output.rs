//! Everything `upbond` prints: human text (coloured only on a terminal without NO_COLOR), or one
//! JSON document on stdout with `--json`; progress spinners; error reports.
//!
//! In `--json` mode stdout carries exactly one JSON document (the result, or `{"error": ...}`),
//! and any human progress (a device code prompt, for instance) goes to stderr.
//!
//! A failed write to stdout (closed, broken pipe, full disk) is remembered and turned into an
//! error by [`stdout_status`] when the command is done; stderr failures are ignored.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use console::Style;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use serde::Serialize;
use serde_json::json;

use crate::error::{CliError, Exit};

/// The printing mode of one run.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
    color: bool,
}

impl Output {
    /// Human or JSON output; colour only when stdout is a terminal and NO_COLOR is unset or empty.
    pub fn new(json: bool) -> Self {
        Output {
            json,
            color: !json && !no_color_env() && std::io::stdout().is_terminal(),
        }
    }

    /// Whether results are printed as JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// A human line: stdout in human mode, stderr in JSON mode (stdout stays one JSON document).
    pub fn say(&self, text: impl AsRef<str>) {
        if self.json {
            note(text.as_ref());
        } else {
            write_stdout(text.as_ref());
        }
    }

    /// A finished step: `✓ label  detail  (12 ms)`. Human mode only.
    pub fn step(&self, label: &str, elapsed: Duration, detail: &str) {
        if self.json {
            return;
        }
        let tick = self.paint(Style::new().green().bold(), "✓");
        let time = self.paint(
            Style::new().dim(),
            &format!("({})", format_duration(elapsed)),
        );
        let mut line = format!("{tick} {label:<28}");
        if !detail.is_empty() {
            let _ = write!(line, " {}", printable(detail));
        }
        let _ = write!(line, " {time}");
        self.say(line.trim_end());
    }

    /// An indented `key: value` line. Human mode only.
    pub fn field(&self, key: &str, value: impl AsRef<str>) {
        if !self.json {
            let key = self.paint(Style::new().dim(), &format!("{key}:"));
            self.say(format!("  {key} {}", printable(value.as_ref())));
        }
    }

    /// A bold heading line. Human mode only.
    pub fn heading(&self, text: &str) {
        if !self.json {
            self.say(self.paint(Style::new().bold(), text));
        }
    }

    /// Prints the JSON result document in JSON mode (human output is the caller's job).
    pub fn result<T: Serialize>(&self, value: &T) {
        if self.json {
            let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
                json!({"error": {"code": "internal", "message": e.to_string()}}).to_string()
            });
            write_stdout(&escape_unprintable(&text));
        }
    }

    /// Reports an error: JSON on stdout in JSON mode, otherwise (or when stdout cannot be
    /// written) a readable block on stderr.
    pub fn error(&self, err: &CliError) {
        if err.reported {
            return;
        }
        if self.json && STDOUT_FAILURE.get().is_none() {
            let doc = json!({"error": {
                "code": err.code,
                "message": err.message,
                "causes": err.causes,
                "fix": err.fix.join(" "),
                "exit_code": err.exit as i32,
            }});
            self.result(&doc);
            if STDOUT_FAILURE.get().is_none() {
                return;
            }
        }
        let color = !no_color_env() && std::io::stderr().is_terminal();
        let red = Style::new().red().bold().force_styling(color);
        let dim = Style::new().dim().force_styling(color);
        // The message may quote the issuer's own error text.
        let mut text = format!(
            "{} {}",
            red.apply_to(format!("error[{}]:", printable(&err.code))),
            printable(&err.message)
        );
        if !err.causes.is_empty() {
            let _ = write!(text, "\n  {}", dim.apply_to("likely causes:"));
            for cause in &err.causes {
                let _ = write!(text, "\n    - {}", printable(cause));
            }
        }
        match err.fix.as_slice() {
            [one] => {
                let _ = write!(text, "\n  {} {}", dim.apply_to("fix:"), printable(one));
            }
            steps => {
                let _ = write!(text, "\n  {}", dim.apply_to("fix:"));
                for (i, step) in steps.iter().enumerate() {
                    let _ = write!(text, "\n    {}. {}", i + 1, printable(step));
                }
            }
        }
        note(&text);
    }

    /// Green text (for "pass" and ticks) when colour is on.
    pub fn green(&self, text: &str) -> String {
        self.paint(Style::new().green().bold(), text)
    }

    /// Yellow text (for warnings) when colour is on.
    pub fn yellow(&self, text: &str) -> String {
        self.paint(Style::new().yellow().bold(), text)
    }

    /// Red text (for failures) when colour is on.
    pub fn red(&self, text: &str) -> String {
        self.paint(Style::new().red().bold(), text)
    }

    /// Bold text when colour is on.
    pub fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    /// `text` (made [`printable`]) in `style` when colour is on.
    fn paint(&self, style: Style, text: &str) -> String {
        style
            .force_styling(self.color)
            .apply_to(printable(text))
            .to_string()
    }

    /// A spinner on stderr showing `message` and the time left until `deadline`; drawn only when
    /// stderr is a terminal. Clear it with [`ProgressBar::finish_and_clear`].
    pub fn spinner(&self, message: &str, deadline: Instant) -> ProgressBar {
        let left = move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
            let secs = deadline.saturating_duration_since(Instant::now()).as_secs();
            let _ = write!(w, "{}:{:02} left", secs / 60, secs % 60);
        };
        let bar = ProgressBar::new_spinner().with_message(message.to_owned());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({left})") {
            bar.set_style(style.with_key("left", left));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// A line on stderr, whatever the mode: progress and notices. A closed stderr is ignored.
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}

/// The first failed write to stdout; later writes are skipped.
static STDOUT_FAILURE: OnceLock<String> = OnceLock::new();

/// Writes one line to stdout, remembering a failure instead of panicking.
fn write_stdout(text: &str) {
    if STDOUT_FAILURE.get().is_some() {
        return;
    }
    let written = if stdout_was_closed() {
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "it was closed when upbond started",
        ))
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}").and_then(|()| out.flush())
    };
    if let Err(e) = written {
        let _ = STDOUT_FAILURE.set(e.to_string());
    }
}

/// `Ok` when every write to stdout succeeded, else the error to end the run with.
pub fn stdout_status() -> Result<(), CliError> {
    match STDOUT_FAILURE.get() {
        None => Ok(()),
        Some(reason) => Err(CliError::new(
            Exit::Failure,
            "stdout_write_failed",
            format!("Could not write the output to stdout: {reason}."),
            "Send the output to an open file or to a program that reads all of it \
             (for example `> out.json`), not to a closed descriptor (`>&-`) or a full disk.",
        )),
    }
}

/// Whether stdout was closed when the process started (`upbond ... >&-`). The Rust runtime
/// then opens /dev/null read-write in its place, where every write "succeeds"; a shell's
/// `>/dev/null` opens it write-only. So a readable /dev/null on stdout means it was closed.
#[cfg(unix)]
fn stdout_was_closed() -> bool {
    use std::io::Read;
    use std::os::fd::AsFd;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    static CLOSED: OnceLock<bool> = OnceLock::new();
    *CLOSED.get_or_init(|| {
        let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
            return true; // not even a descriptor
        };
        let mut stdout = std::fs::File::from(fd);
        let is_null = match (stdout.metadata(), std::fs::metadata("/dev/null")) {
            (Ok(out), Ok(null)) => out.file_type().is_char_device() && out.rdev() == null.rdev(),
            _ => false,
        };
        // Reading /dev/null returns nothing; it only fails when opened write-only.
        is_null && stdout.read(&mut [0u8; 1]).is_ok()
    })
}

/// Elsewhere only the write errors themselves are reported.
#[cfg(not(unix))]
fn stdout_was_closed() -> bool {
    false
}

/// `850 ms`, `1.2 s`, `3 min 05 s`, `2 h 05 min`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match d.as_millis() {
        ms @ 0..=999 => format!("{ms} ms"),
        1000..=59_999 => format!("{:.1} s", d.as_secs_f64()),
        _ if secs < 3600 => format!("{} min {:02} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} min", secs / 3600, secs % 3600 / 60),
    }
}

/// `text` fit to print on a terminal. Everything a server sends (user code, URLs, scopes,
/// claims, error text) goes through here before it is shown: control characters, which a
/// terminal runs (ESC and BEL start sequences that clear the screen or set the window title;
/// C1 codes such as CSI do the same in one byte), are removed, and so are bidirectional
/// overrides, which make text display in another order than it reads. Line breaks and tabs
/// become spaces, so that server text cannot fake a line of upbond's own.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return Cow::Borrowed(text);
    }
    let kept = text.chars().filter_map(|c| match c {
        '\n' | '\r' | '\t' => Some(' '),
        c if unprintable(c) => None,
        c => Some(c),
    });
    Cow::Owned(kept.collect())
}

/// JSON `text` with every [`unprintable`] character but the line breaks of the layout written
/// as a `\\uXXXX` escape: the same document, safe on a terminal. (serde_json escapes the C0
/// controls in strings but not DEL, C1 or bidirectional marks, which can only occur inside
/// strings, where the escape means the same.)
fn escape_unprintable(text: &str) -> Cow<'_, str> {
    let escape = |c: char| c != '\n' && unprintable(c);
    if !text.chars().any(escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            let _ = write!(escaped, "\\u{:04x}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Control characters (C0, DEL, C1) and the bidirectional embedding, override and isolate
/// marks.
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Shows at most the first 6 characters of a secret: `eyJhbG…` (never the whole value).
pub fn redact(secret: &str) -> String {
    let prefix: String = secret.chars().take(6).collect();
    if secret.chars().count() <= 12 {
        "…".to_owned()
    } else {
        format!("{prefix}… ({} chars)", secret.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_never_returns_the_whole_secret() {
        let token = "eyJhbGciOiJSUzI1NiJ9.payload.signature";
        let shown = redact(token);
        assert!(shown.starts_with("eyJhbG…"));
        assert!(!shown.contains("payload"));
        assert_eq!(redact("short-secret"), "…");
    }

    #[test]
    fn printable_removes_what_a_terminal_would_run() {
        let hostile = "AB\x1b[2J\x1b]0;title\x07CD\u{9b}31m\u{202e}txt.exe\r\nnext\tcol\x7f";
        assert_eq!(printable(hostile), "AB[2J]0;titleCD31mtxt.exe  next col");
        assert!(matches!(
            printable("ABCD-EFGH ✓ ユーザー"),
            Cow::Borrowed(_)
        ));
        let out = Output {
            json: false,
            color: false,
        };
        assert_eq!(
            out.bold("\x1b[31mred"),
            "[31mred",
            "painting makes printable too"
        );
    }

    #[test]
    fn json_escapes_what_a_terminal_would_run() {
        let value = json!({"scope": "a\u{9b}31m\u{202e}b\u{7f}"});
        let text = serde_json::to_string(&value).unwrap();
        let escaped = escape_unprintable(&text);
        assert_eq!(escaped, r#"{"scope":"a\u009b31m\u202eb\u007f"}"#);
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, value, "the same document");
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let back: serde_json::Value = serde_json::from_str(&escape_unprintable(&pretty)).unwrap();
        assert_eq!(back, value, "the layout's line breaks stay");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(12)), "12 ms");
        assert_eq!(format_duration(Duration::from_millis(1250)), "1.2 s");
        assert_eq!(format_duration(Duration::from_secs(185)), "3 min 05 s");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1 h 00 min");
    }
}
