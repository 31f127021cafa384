//! `upbond explain CODE`: the troubleshooting catalog entry of an error code.

use serde_json::json;
use upbond_core::CatalogEntry;

use crate::error::{CliError, Exit, remedy};
use crate::output::{Output, printable};

/// Arguments of `upbond explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The error code, e.g. invalid_client, EMAIL_007, KOE101 (case does not matter)
    #[arg(required_unless_present = "list")]
    code: Option<String>,
    /// List every known code with its title
    #[arg(long, conflicts_with = "code")]
    list: bool,
}

/// Prints the entry (with the fix that applies to this command), the list of codes, or the
/// closest known codes and fails.
pub fn run(args: Args, out: Output) -> Result<(), CliError> {
    // clap guarantees a code unless --list was given, and never both.
    let Some(code) = args.code else {
        list(out);
        return Ok(());
    };
    let Some(entry) = upbond_core::explain(&code) else {
        return Err(unknown(&code));
    };
    let fix = remedy(entry.code);
    out.result(&json!({
        "code": entry.code,
        "title": entry.title,
        "causes": entry.causes,
        "resolution": fix,
        "retryable": entry.retryable,
        "requires_reauthentication": entry.requires_reauthentication,
    }));
    if !out.is_json() {
        print_entry(entry, &fix, out);
    }
    Ok(())
}

/// Every code and its title.
fn list(out: Output) {
    let catalog = upbond_core::catalog();
    let codes: Vec<_> = catalog
        .iter()
        .map(|e| json!({ "code": e.code, "title": e.title }))
        .collect();
    out.result(&codes);
    if !out.is_json() {
        let width = catalog.iter().map(|e| e.code.len()).max().unwrap_or(0);
        for entry in catalog {
            let code = format!("{:<width$}", entry.code);
            out.say(format!("{}  {}", out.bold(&code), entry.title));
        }
    }
}

fn print_entry(entry: &CatalogEntry, fix: &[String], out: Output) {
    out.say(format!("{} {}", out.bold(entry.code), entry.title));
    out.say("");
    out.say("Likely causes:");
    for cause in entry.causes {
        out.say(format!("  - {cause}"));
    }
    out.say("");
    out.say("What to do:");
    for (i, step) in fix.iter().enumerate() {
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

/// The error for an unknown code: the known codes within a few typos of it, if any, else how
/// to list them all.
fn unknown(code: &str) -> CliError {
    let wanted = code.trim().to_ascii_lowercase();
    let mut close: Vec<(usize, &str)> = upbond_core::catalog()
        .iter()
        .map(|e| {
            let known = e.code.to_ascii_lowercase();
            (strsim::damerau_levenshtein(&wanted, &known), e.code)
        })
        // A quarter of the code's length (at least one edit): "email07" finds EMAIL_007,
        // "NOPE" finds nothing.
        .filter(|(distance, known)| *distance <= (known.len() / 4).max(1))
        .collect();
    close.sort_by_key(|(distance, _)| *distance);
    let close: Vec<&str> = close.iter().take(3).map(|(_, c)| *c).collect();
    let fix = if close.is_empty() {
        "Run `upbond explain --list` to see every known code.".to_owned()
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

/// The code as typed, fit to echo on a terminal: [`printable`], at most 40 characters.
fn shown(code: &str) -> String {
    let code = printable(code.trim());
    match code.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &code[..cut]),
        None => code.into_owned(),
    }
}
