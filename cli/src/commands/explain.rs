//! `upbond explain CODE`: the troubleshooting catalog entry of an error code.

use serde_json::json;
use upbond_core::CatalogEntry;

use crate::error::{CliError, Exit};
use crate::output::Output;

/// Arguments of `upbond explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The error code, e.g. invalid_client, EMAIL_007, KOE101 (case does not matter)
    code: String,
}

/// Prints the entry, or lists the closest known codes and fails.
pub fn run(args: Args, out: Output) -> Result<(), CliError> {
    let Some(entry) = upbond_core::explain(&args.code) else {
        return Err(unknown(&args.code));
    };
    out.result(&json!({
        "code": entry.code,
        "title": entry.title,
        "causes": entry.causes,
        "resolution": entry.resolution,
        "retryable": entry.retryable,
        "requires_reauthentication": entry.requires_reauthentication,
    }));
    if !out.is_json() {
        print_entry(entry, out);
    }
    Ok(())
}

fn print_entry(entry: &CatalogEntry, out: Output) {
    out.say(format!("{} {}", out.bold(entry.code), entry.title));
    out.say("");
    out.say("Likely causes:");
    for cause in entry.causes {
        out.say(format!("  - {cause}"));
    }
    out.say("");
    out.say("What to do:");
    for (i, step) in entry.resolution.iter().enumerate() {
        out.say(format!("  {}. {step}", i + 1));
    }
    let mut notes = Vec::new();
    if entry.retryable {
        notes.push("retrying later may succeed");
    }
    if entry.requires_reauthentication {
        notes.push("the user has to sign in again");
    }
    if !notes.is_empty() {
        out.say("");
        out.say(format!("Note: {}.", notes.join("; ")));
    }
}

/// The error for an unknown code, naming the closest known codes (or all of them).
fn unknown(code: &str) -> CliError {
    let wanted = code.trim().to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = upbond_core::catalog()
        .iter()
        .map(|e| {
            (
                strsim::jaro_winkler(&wanted, &e.code.to_ascii_lowercase()),
                e.code,
            )
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let close: Vec<&str> = scored.iter().take(5).map(|(_, c)| *c).collect();
    let fix = if close.is_empty() {
        let all: Vec<&str> = upbond_core::catalog().iter().map(|e| e.code).collect();
        format!("Known codes: {}.", all.join(", "))
    } else {
        format!("Did you mean {}?", close.join(", "))
    };
    CliError::new(
        Exit::Usage,
        "unknown_code",
        format!("`{}` is not a known error code.", shown(code)),
        fix,
    )
}

/// The code as typed, fit to echo on a terminal: no control characters (escape sequences
/// would be run by the terminal), at most 40 characters.
fn shown(code: &str) -> String {
    let printable: String = code.trim().chars().filter(|c| !c.is_control()).collect();
    match printable.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &printable[..cut]),
        None => printable,
    }
}
