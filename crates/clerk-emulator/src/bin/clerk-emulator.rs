//! `clerk-emulator`: a local Clerk Backend API on 127.0.0.1.
//!
//! Prints its URL, secret key, publishable key and webhook secret, one per line, then serves
//! until SIGTERM or Ctrl-C.

use clap::Parser;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// A stateful local Clerk Backend API (served under /v1) that real Clerk clients accept.
#[derive(Parser, Debug)]
#[command(name = "clerk-emulator", version)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Derive ids, keys and secrets from this seed (deterministic runs).
    #[arg(long)]
    seed: Option<u64>,
    /// Keep state in this SQLite file; it survives restarts.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Users, organizations and memberships to start with (JSON).
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Deliver webhook events to this URL (repeatable).
    #[arg(long = "webhook-url")]
    webhook_url: Vec<String>,
    /// Use this secret key instead of a generated one.
    #[arg(
        long = "secret-key",
        env = "CLERK_EMULATOR_SECRET_KEY",
        hide_env_values = true
    )]
    secret_key: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // Listen for SIGTERM before anything is printed: a supervisor may stop us right after.
    let stop = tokio::spawn(wait_for_stop());
    let mut b = clerk_emulator::Emulator::builder().port(args.port);
    if let Some(s) = args.seed {
        b = b.seed(s);
    }
    if let Some(d) = args.data {
        b = b.data(d);
    }
    if let Some(f) = args.fixtures {
        b = b.fixtures(f);
    }
    for u in args.webhook_url {
        b = b.webhook_url(u);
    }
    if let Some(k) = args.secret_key {
        b = b.secret_key(k);
    }
    let emu = match b.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("clerk-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", emu.url());
        let _ = writeln!(out, "{}", emu.secret_key());
        let _ = writeln!(out, "{}", emu.publishable_key());
        let _ = writeln!(out, "{}", emu.webhook_secret());
        let _ = out.flush();
    }
    let _ = stop.await;
    emu.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
