//! Token and webhook verification, and the embedded emulator.

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Value, json};

use crate::fail::{Failure, Result, local};

/// `clerk token verify`.
pub fn token_command() -> Command {
    Command::new("token")
        .about("Session tokens")
        .subcommand_required(true)
        .subcommand(
            Command::new("verify")
                .about("Verify a session token and print its claims (the instance's JWKS unless --pem/--jwks)")
                .arg(Arg::new("jwt").required(true).value_name("JWT").help("The token, or - for stdin"))
                .arg(Arg::new("pem").long("pem").value_name("FILE").help("PEM public key file (networkless)"))
                .arg(Arg::new("jwks").long("jwks").value_name("FILE").help("JWKS JSON file (networkless)"))
                .arg(
                    Arg::new("authorized-party")
                        .long("authorized-party")
                        .action(ArgAction::Append)
                        .help("Accepted `azp` origins"),
                ),
        )
}

/// Extra subcommands of `clerk webhooks`.
pub fn webhook_commands(g: Command) -> Command {
    g.subcommand(
        Command::new("verify")
            .about("Verify a webhook's Svix signature and print the event")
            .arg(Arg::new("secret").long("secret").required(true).env("CLERK_WEBHOOK_SECRET").hide_env_values(true).help("Signing secret (whsec_…)"))
            .arg(
                Arg::new("headers")
                    .long("headers")
                    .required(true)
                    .value_name("JSON|@FILE")
                    .help("The request's svix-id, svix-timestamp and svix-signature headers as a JSON object"),
            )
            .arg(Arg::new("body").required(true).value_name("BODY|@FILE|-").help("The raw body")),
    )
    .subcommand(crate::listen::command())
}

/// Whether `name` is one of [`webhook_commands`].
pub fn handles_webhook(name: &str) -> bool {
    matches!(name, "verify" | "listen")
}

fn read_arg(arg: &str) -> Result<Vec<u8>> {
    if arg == "-" || arg == "@-" {
        use std::io::Read;
        let mut v = Vec::new();
        std::io::stdin()
            .read_to_end(&mut v)
            .map_err(|e| local("stdin", e))?;
        Ok(v)
    } else if let Some(p) = arg.strip_prefix('@') {
        std::fs::read(p).map_err(|e| local(p, e))
    } else {
        Ok(arg.as_bytes().to_vec())
    }
}

/// The verified token's payload, for printing.
fn payload(token: &str) -> Result<Value> {
    use base64::Engine as _;
    let part = token
        .split('.')
        .nth(1)
        .ok_or_else(|| Failure::Verify("not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| Failure::Verify(format!("payload: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| Failure::Verify(format!("payload: {e}")))
}

/// `clerk token verify`.
pub async fn token(top: &ArgMatches, m: &ArgMatches) -> Result<()> {
    use clerk_backend::auth::{VerifyOptions, verify_token};
    let Some(("verify", m)) = m.subcommand() else {
        return Err(Failure::Usage("token verify".into()));
    };
    let raw: &String = m
        .get_one("jwt")
        .ok_or_else(|| Failure::Usage("JWT".into()))?;
    let token = String::from_utf8_lossy(&read_arg(raw)?).trim().to_owned();
    let mut opts = VerifyOptions::new();
    if let Some(p) = m.get_one::<String>("pem") {
        let pem = std::fs::read_to_string(p).map_err(|e| local(p, e))?;
        opts = opts
            .jwt_key(&pem)
            .map_err(|e| Failure::Usage(format!("--pem: {e}")))?;
    } else if let Some(p) = m.get_one::<String>("jwks") {
        let j = std::fs::read_to_string(p).map_err(|e| local(p, e))?;
        opts = opts
            .jwks_json(&j)
            .map_err(|e| Failure::Usage(format!("--jwks: {e}")))?;
    } else {
        let (clerk, _) = crate::client(top)?;
        opts = opts.clerk(&clerk);
    }
    if let Some(parties) = m.get_many::<String>("authorized-party") {
        opts = opts.authorized_parties(parties.cloned());
    }
    match verify_token(&token, &opts).await {
        Ok(_) => crate::printer(top)?.print(payload(&token)?),
        Err(e) => Err(Failure::Verify(format!("{e} (reason: {:?})", e.reason()))),
    }
}

/// `clerk webhooks verify` and `listen`.
pub async fn webhooks(top: &ArgMatches, name: &str, m: &ArgMatches) -> Result<()> {
    use clerk_backend::webhooks::Webhook;
    match name {
        "verify" => {}
        "listen" => return crate::listen::run(top, m).await,
        _ => return Err(Failure::Usage(format!("webhooks {name}"))),
    }
    let secret: &String = m
        .get_one("secret")
        .ok_or_else(|| Failure::Usage("--secret".into()))?;
    let wh = Webhook::new(secret).map_err(|e| Failure::Usage(format!("--secret: {e}")))?;
    let headers_arg: &String = m
        .get_one("headers")
        .ok_or_else(|| Failure::Usage("--headers".into()))?;
    let hv: Value = serde_json::from_slice(&read_arg(headers_arg)?)
        .map_err(|e| Failure::Usage(format!("--headers: not a JSON object: {e}")))?;
    let obj = hv
        .as_object()
        .ok_or_else(|| Failure::Usage("--headers: not a JSON object".into()))?;
    let mut headers = http::HeaderMap::new();
    for (k, v) in obj {
        let name = http::HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes())
            .map_err(|e| Failure::Usage(format!("--headers: {k:?}: {e}")))?;
        let value = http::HeaderValue::from_str(v.as_str().unwrap_or_default())
            .map_err(|e| Failure::Usage(format!("--headers: {k:?}: {e}")))?;
        headers.insert(name, value);
    }
    let body_arg: &String = m
        .get_one("body")
        .ok_or_else(|| Failure::Usage("BODY".into()))?;
    let body = read_arg(body_arg)?;
    match wh.verify_raw(&headers, &body) {
        Ok(b) => {
            let v: Value =
                serde_json::from_slice(b).unwrap_or_else(|_| json!(String::from_utf8_lossy(b)));
            crate::printer(top)?.print(v)
        }
        Err(e) => Err(Failure::Verify(e.to_string())),
    }
}

/// `clerk emulator start`.
pub fn emulator_command() -> Command {
    Command::new("emulator")
        .about("The local Clerk emulator")
        .subcommand_required(true)
        .subcommand(
            Command::new("start")
                .about("Run the emulator until interrupted (same flags as `clerk-emulator`)")
                .arg(
                    Arg::new("port")
                        .long("port")
                        .default_value("0")
                        .value_parser(clap::value_parser!(u16)),
                )
                .arg(
                    Arg::new("seed")
                        .long("seed")
                        .value_parser(clap::value_parser!(u64)),
                )
                .arg(Arg::new("data").long("data").value_name("FILE"))
                .arg(Arg::new("fixtures").long("fixtures").value_name("FILE"))
                .arg(
                    Arg::new("webhook-url")
                        .long("webhook-url")
                        .action(ArgAction::Append),
                )
                .arg(
                    Arg::new("secret-key")
                        .long("secret-key")
                        .hide_env_values(true),
                ),
        )
}

/// `clerk emulator start`.
#[cfg(feature = "emulator")]
pub async fn emulator(m: &ArgMatches) -> Result<()> {
    let Some(("start", m)) = m.subcommand() else {
        return Err(Failure::Usage("emulator start".into()));
    };
    let mut b =
        clerk_emulator::Emulator::builder().port(m.get_one::<u16>("port").copied().unwrap_or(0));
    if let Some(s) = m.get_one::<u64>("seed") {
        b = b.seed(*s);
    }
    if let Some(d) = m.get_one::<String>("data") {
        b = b.data(d);
    }
    if let Some(f) = m.get_one::<String>("fixtures") {
        b = b.fixtures(f);
    }
    for u in m.get_many::<String>("webhook-url").into_iter().flatten() {
        b = b.webhook_url(u.clone());
    }
    if let Some(k) = m.get_one::<String>("secret-key") {
        b = b.secret_key(k.clone());
    }
    let emu = b.start().await.map_err(|e| local("emulator", e))?;
    println!("{}", emu.url());
    println!("{}", emu.secret_key());
    println!("{}", emu.publishable_key());
    println!("{}", emu.webhook_secret());
    let _ = tokio::signal::ctrl_c().await;
    emu.shutdown().await;
    Ok(())
}

/// `clerk emulator start` without the `emulator` feature.
#[cfg(not(feature = "emulator"))]
pub async fn emulator(_: &ArgMatches) -> Result<()> {
    Err(Failure::Usage(
        "this build has no emulator (feature `emulator`)".into(),
    ))
}
