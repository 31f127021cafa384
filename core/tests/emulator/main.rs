//! Integration tests over real HTTP against the UPBOND emulator.

mod common;
#[path = "../support/emulator_jwt.rs"]
mod emulator_jwt;

mod authorization;
mod device;
mod doctor;
mod errors;
mod grants;
mod logs;
mod observability;
mod resilience;
mod server_text;
mod userinfo;
