//! The smallest program that uses the SDK: build a client and list users.
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_… cargo run -p clerk-backend --example hello
//! ```
//! (against the local emulator, `cargo run -p clerk-emulator -- --port 4000`: add
//! `CLERK_API_URL=http://127.0.0.1:4000/v1` and its secret key). BENCHMARKS.md times a
//! clean release build of this program and reports its stripped size.

use clerk_backend::Clerk;

#[tokio::main]
async fn main() -> Result<(), clerk_backend::Error> {
    let key = std::env::var("CLERK_SECRET_KEY").unwrap_or_else(|_| "sk_test_missing".to_owned());
    let url = std::env::var("CLERK_API_URL").unwrap_or_else(|_| "https://api.clerk.com/v1".into());
    let clerk = Clerk::builder().secret_key(key).server_url(url).build()?;
    let users = clerk.users().list().limit(5).send().await?;
    for user in &users {
        println!("{}", user.id);
    }
    Ok(())
}
