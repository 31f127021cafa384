//! One module per grant or protocol step.

pub mod authorization_code;
pub mod client_credentials;
pub mod device;
pub mod logout;
mod pkce;
pub mod refresh;
pub mod revocation;
