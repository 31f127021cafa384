//! The troubleshooting catalog: one entry per error code, the single source for
//! [`Error::causes`](crate::Error::causes), `upbond explain CODE` and docs/troubleshooting.md.

mod failures;
mod flows;

use std::fmt::Write;
use std::sync::LazyLock;

/// All entries: the flows first, then the failures around them.
static ENTRIES: LazyLock<Vec<CatalogEntry>> =
    LazyLock::new(|| [flows::ENTRIES, failures::ENTRIES].concat());

/// One catalog entry: what an error code means and what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The stable code, e.g. `invalid_client` or `KOE101`.
    pub code: &'static str,
    /// A short title.
    pub title: &'static str,
    /// Likely causes.
    pub causes: &'static [&'static str],
    /// Steps that fix it.
    pub resolution: &'static [&'static str],
    /// Whether the same request may succeed when tried again later.
    pub retryable: bool,
    /// Whether the user has to sign in again to recover.
    pub requires_reauthentication: bool,
}

/// Every catalog entry, in the order of the troubleshooting guide.
pub fn catalog() -> &'static [CatalogEntry] {
    &ENTRIES
}

/// Shorthand constructor for the entry tables.
const fn entry(
    code: &'static str,
    title: &'static str,
    causes: &'static [&'static str],
    resolution: &'static [&'static str],
    retryable: bool,
    requires_reauthentication: bool,
) -> CatalogEntry {
    CatalogEntry {
        code,
        title,
        causes,
        resolution,
        retryable,
        requires_reauthentication,
    }
}

/// Looks up a code; case-insensitive, so `koe101` finds `KOE101`.
pub fn explain(code: &str) -> Option<&'static CatalogEntry> {
    let code = code.trim();
    catalog().iter().find(|e| e.code.eq_ignore_ascii_case(code))
}

/// The entry of a code produced by [`Error::code`](crate::Error::code).
pub(super) fn entry_for(code: &str) -> &'static CatalogEntry {
    // Every code `Error::code` returns has an entry: the `every_code_has_an_entry` test
    // checks it. The fallback keeps this total without a panic.
    explain(code).unwrap_or(&FALLBACK)
}

const FALLBACK: CatalogEntry = CatalogEntry {
    code: "unknown",
    title: "Unknown error",
    causes: &["An error code without a catalog entry."],
    resolution: &["Report this as a bug in upbond-login."],
    retryable: false,
    requires_reauthentication: false,
};

/// Renders the whole catalog as the Markdown page docs/troubleshooting.md.
pub fn troubleshooting_markdown() -> String {
    let mut out = String::from(
        "# Troubleshooting upbond-login\n\n\
         <!-- Generated from core/src/error/catalog/*.rs. Do not edit: run\n     \
         UPDATE_DOCS=1 cargo test -p upbond-core --test docs -->\n\n\
         Every error upbond-login reports carries one of the codes below \
         (`Error::code()` in Rust, `upbond explain CODE` on the command line).\n\n\
         | code | title | retryable | sign in again |\n|---|---|---|---|\n",
    );
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    for e in catalog() {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} |",
            e.code,
            e.code.to_ascii_lowercase(),
            e.title,
            yes_no(e.retryable),
            yes_no(e.requires_reauthentication)
        );
    }
    for e in catalog() {
        let _ = write!(
            out,
            "\n## {}\n\n**{}**\n\nLikely causes:\n\n",
            e.code, e.title
        );
        for cause in e.causes {
            let _ = writeln!(out, "- {cause}");
        }
        out.push_str("\nWhat to do:\n\n");
        for (i, step) in e.resolution.iter().enumerate() {
            let _ = writeln!(out, "{}. {step}", i + 1);
        }
    }
    out
}
