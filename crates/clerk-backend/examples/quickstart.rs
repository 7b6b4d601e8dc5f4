//! A tour of the client: list, create, read, update (and clear), paginate, handle errors.
//!
//! Runs against whatever `CLERK_API_URL` points to. Without a Clerk account, start the local
//! emulator (it prints its URL and secret key) and point the example at it; CI does exactly this
//! (`scripts/emulator-checks`):
//!
//! ```sh
//! cargo run -p clerk-emulator -- --port 4000 --secret-key sk_test_local
//! CLERK_API_URL=http://127.0.0.1:4000/v1 CLERK_SECRET_KEY=sk_test_local \
//!     cargo run -p clerk-backend --example quickstart
//! ```

use clerk_backend::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // CLERK_SECRET_KEY (or CLERK_BEARER_AUTH) and CLERK_API_URL.
    let clerk = Clerk::from_env()?;
    println!("client: {clerk:?}");

    // A typed list call with query parameters.
    let users = clerk
        .users()
        .list()
        .limit(3)
        .order_by("-created_at")
        .send()
        .await?;
    println!("listed {} users", users.len());

    // Create, then read it back by id.
    let created = clerk
        .users()
        .create()
        .email_address(["ada@example.com"])
        .first_name("Ada")
        .last_name("Lovelace")
        .send()
        .await?;
    println!("created user {}", created.id);
    let fetched = clerk.users().get(&created.id).send().await?;
    println!("fetched user {} ({:?})", fetched.id, fetched.first_name);

    // PATCH: set one field, explicitly clear another (null), leave the rest untouched.
    let updated = clerk
        .users()
        .update(&created.id)
        .first_name("Augusta Ada")
        .clear_last_name()
        .send()
        .await?;
    println!("updated user {}", updated.id);

    // Every limit/offset list is also a stream of items, fetching pages as it goes.
    let organizations: Vec<_> = clerk
        .organizations()
        .list()
        .limit(2)
        .into_stream()
        .take(10)
        .try_collect()
        .await?;
    println!("streamed {} organizations", organizations.len());

    // The standalone form of the same calls.
    let count = clerk_backend::api::users::CountUsers::new()
        .send(&clerk)
        .await?;
    println!("total users: {}", count.total_count);

    // Typed errors: a missing required field never reaches the server.
    match clerk.invitations().create().send().await {
        Err(Error::InvalidRequest(why)) => println!("rejected before sending: {why}"),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
