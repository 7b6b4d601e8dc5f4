//! axum.
