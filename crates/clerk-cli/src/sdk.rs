//! The SDK's request-level API, imported in this one place (its module path may move).

pub use clerk_backend::operations::OPERATIONS;
pub use clerk_backend::pipeline::{ApiRequest, OperationInfo};
pub use clerk_backend::reexports::reqwest;
pub use clerk_backend::transport::{Body, ReqwestTransport};
pub use clerk_backend::{Clerk, RetryConfig, Upload};

/// The SDK's descriptor of `group`.`name`.
pub fn operation(group: &str, name: &str) -> Option<&'static OperationInfo> {
    OPERATIONS
        .iter()
        .find(|o| o.group == group && o.name == name)
}
