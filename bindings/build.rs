//! Folds identical functions (`--icf=all`) in the shipped cdylib where the linker is known to
//! be lld, which has the option: Android (the NDK links with lld) and x86_64 Linux with Rust
//! 1.90 or later (rustc's bundled lld is the default there), unless the build names a linker
//! or link flags of its own. Elsewhere the link is unchanged. It saves about 20 KB: many
//! generic instances compile to the same machine code.

use std::env;
use std::process::Command;

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    let own_linker = env::var_os("RUSTC_LINKER").is_some()
        || env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|flags| flags.contains("link"));
    let lld = target.ends_with("-linux-android")
        || (target == "x86_64-unknown-linux-gnu" && !own_linker && rustc_minor() >= 90);
    if lld {
        println!("cargo::rustc-cdylib-link-arg=-Wl,--icf=all");
    }
}

/// The minor version of the compiler (`rustc 1.95.0 ...` gives 95), or 0 if unknown.
fn rustc_minor() -> u32 {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| {
            let text = String::from_utf8(out.stdout).ok()?;
            text.split_whitespace()
                .nth(1)?
                .split('.')
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
