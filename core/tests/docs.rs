//! docs/troubleshooting.md is generated from the error catalog; this test fails when the
//! file on disk is stale. Regenerate with:
//!
//! ```text
//! UPDATE_DOCS=1 cargo test -p upbond-core --test docs
//! ```

use std::path::PathBuf;

#[test]
fn troubleshooting_page_matches_the_catalog() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/troubleshooting.md");
    let expected = upbond_core::troubleshooting_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/troubleshooting.md");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/troubleshooting.md is stale; regenerate it with \
         `UPDATE_DOCS=1 cargo test -p upbond-core --test docs`"
    );
}
