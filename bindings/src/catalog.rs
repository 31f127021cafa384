//! The troubleshooting catalog: what each error code means and what to do about it.

/// One catalog entry.
#[derive(uniffi::Record)]
pub struct CatalogEntry {
    /// The stable code, e.g. `invalid_client` or `KOE101`.
    pub code: String,
    /// A short title.
    pub title: String,
    /// Likely causes.
    pub causes: Vec<String>,
    /// Steps that fix it.
    pub resolution: Vec<String>,
    /// Whether the same request may succeed when tried again later.
    pub retryable: bool,
    /// Whether the user has to sign in again to recover.
    pub reauthentication_required: bool,
}

impl From<&upbond_core::CatalogEntry> for CatalogEntry {
    fn from(e: &upbond_core::CatalogEntry) -> Self {
        CatalogEntry {
            code: e.code.to_owned(),
            title: e.title.to_owned(),
            causes: strings(e.causes),
            resolution: strings(e.resolution),
            retryable: e.retryable,
            reauthentication_required: e.requires_reauthentication,
        }
    }
}

/// Owned copies of static string lists.
pub(crate) fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Every catalog entry, in the order of the troubleshooting guide.
#[uniffi::export]
pub fn catalog() -> Vec<CatalogEntry> {
    upbond_core::catalog()
        .iter()
        .map(CatalogEntry::from)
        .collect()
}

/// The entry of `code` (case-insensitive), if there is one.
#[uniffi::export]
pub fn explain(code: String) -> Option<CatalogEntry> {
    upbond_core::explain(&code).map(CatalogEntry::from)
}
