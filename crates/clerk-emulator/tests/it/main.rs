//! clerk-emulator's integration tests: over HTTP, every response checked against the spec.

mod api;
mod control;
mod machine;
mod orgs;
mod sdk;
mod spec;
mod users;
