//! Session layer against the emulator: single flight, rotation safety, failures, clock
//! offsets, file store.

#[path = "session_tests/common.rs"]
mod common;
#[path = "support/emulator_jwt.rs"]
mod emulator_jwt;
#[path = "session_tests/failures.rs"]
mod failures;
#[path = "session_tests/file_store.rs"]
mod file_store;
#[path = "session_tests/refresh.rs"]
mod refresh;
#[path = "session_tests/refused.rs"]
mod refused;
#[path = "session_tests/resource.rs"]
mod resource;
