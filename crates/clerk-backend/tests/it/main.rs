//! Integration tests (one binary): retries and faults against a scripted local server, hooks,
//! custom transports, logging and redaction, and a bounded soak test.

mod faults;
mod hooks;
mod logging;
mod retry;
mod soak;
mod support;
mod transport;
