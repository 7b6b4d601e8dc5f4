//! `scripts/demo`: a realistic flow on an in-process emulator, no account, network or Node.
//!
//! Users, an organization and a membership through the SDK; a session token verified offline
//! with the emulator's JWKS; a webhook delivered to a local receiver and verified; pagination
//! over a few hundred users.

use clerk_backend::auth::{VerifyOptions, verify_token};
use clerk_backend::webhooks::Webhook;
use clerk_emulator::Emulator;
use futures_util::TryStreamExt as _;
use std::time::Instant;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A one-request webhook receiver on 127.0.0.1: returns the request's headers and body.
async fn receive_one(listener: tokio::net::TcpListener) -> Result<(http::HeaderMap, Vec<u8>)> {
    let (mut sock, _) = listener.accept().await?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>())
                })
                .transpose()?
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                let mut headers = http::HeaderMap::new();
                for line in head.lines().skip(1) {
                    if let Some((k, v)) = line.split_once(':') {
                        headers.insert(
                            http::HeaderName::from_bytes(k.trim().as_bytes())?,
                            v.trim().parse()?,
                        );
                    }
                }
                sock.write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await?;
                return Ok((headers, buf[end + 4..end + 4 + len].to_vec()));
            }
        }
    }
    Err("webhook receiver: connection closed early".into())
}

#[tokio::main]
async fn main() -> Result<()> {
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_url = format!("http://{}/webhooks/clerk", receiver.local_addr()?);
    let received = tokio::spawn(receive_one(receiver));

    let t = Instant::now();
    let emu = Emulator::builder().webhook_url(&hook_url).start().await?;
    println!(
        "emulator at {} (started in {:?})",
        emu.api_url(),
        t.elapsed()
    );
    let clerk = emu.client();

    let ada = clerk
        .users()
        .create()
        .email_address(["ada@example.com"])
        .first_name("Ada")
        .last_name("Lovelace")
        .send()
        .await?;
    println!(
        "created user {} ({:?} {:?})",
        ada.id, ada.first_name, ada.last_name
    );

    let (headers, body) = received.await??;
    let event = Webhook::new(emu.webhook_secret())?.verify(&headers, &body)?;
    println!(
        "webhook received and verified: {} (svix-id {:?})",
        event.event_type(),
        headers.get("svix-id")
    );

    let org = clerk
        .organizations()
        .create()
        .name("Analytical Engines")
        .slug("engines")
        .created_by(&ada.id)
        .send()
        .await?;
    let grace = clerk
        .users()
        .create()
        .email_address(["grace@example.com"])
        .first_name("Grace")
        .send()
        .await?;
    let m = clerk
        .organization_memberships()
        .create(&org.id)
        .user_id(&grace.id)
        .role("org:member")
        .send()
        .await?;
    println!(
        "organization {} ({}) with member {} as {}",
        org.id, org.slug, grace.id, m.role
    );

    let session = clerk
        .sessions()
        .create()
        .user_id(&ada.id)
        .active_organization_id(&org.id)
        .send()
        .await?;
    let token = clerk.sessions().create_token(&session.id).send().await?;
    let jwt = token.jwt.ok_or("no jwt")?;
    let claims = verify_token(
        jwt.expose_secret(),
        &VerifyOptions::new().jwks_json(&emu.jwks_json())?,
    )
    .await?;
    println!(
        "session token verified offline: sub={} sid={:?} org={:?}",
        claims.sub,
        claims.sid,
        claims.organization.as_ref().map(|o| (&o.id, &o.role))
    );

    let t = Instant::now();
    for i in 0..300 {
        clerk
            .users()
            .create()
            .email_address([format!("user{i}@example.com")])
            .send()
            .await?;
    }
    println!("created 300 more users in {:?}", t.elapsed());
    let mut n = 0;
    let mut stream = clerk.users().list().limit(100).into_stream();
    while stream.try_next().await?.is_some() {
        n += 1;
    }
    let count = clerk.users().count().send().await?;
    println!(
        "paged through {n} users, 100 per page; count says {}",
        count.total_count
    );
    println!("{} webhook events in the inbox", emu.events().len());
    Ok(())
}
