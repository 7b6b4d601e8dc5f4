//! `clerk webhooks listen`: follow the emulator's event inbox and forward each event to a URL,
//! re-signed as Svix signs, so a local webhook handler can be exercised end to end.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Arg, ArgAction, ArgMatches, Command};
use clerk_backend::webhooks::Webhook;
use serde_json::{Value, json};

use crate::fail::{Failure, Result};
use crate::sdk::{ReqwestTransport, reqwest};

/// The `listen` subcommand.
pub fn command() -> Command {
    Command::new("listen")
        .about("Forward the emulator's webhook events to a URL, signed as Svix signs")
        .long_about(
            "Follow the emulator's event inbox (GET /_emulator/events) and POST each new event to \
             --forward-to with svix-id, svix-timestamp and svix-signature headers. Prints one JSON \
             line per delivery on stdout ({\"id\", \"type\", \"status\"}, or \"error\" when the \
             target could not be reached); stops on Ctrl-C or after --max-events.",
        )
        .arg(
            Arg::new("forward-to")
                .long("forward-to")
                .required(true)
                .value_name("URL")
                .help("Where to POST each event"),
        )
        .arg(
            Arg::new("secret")
                .long("secret")
                .env("CLERK_WEBHOOK_SECRET")
                .hide_env_values(true)
                .value_name("WHSEC")
                .help("Signing secret (whsec_…); default: the emulator's"),
        )
        .arg(
            Arg::new("max-events")
                .long("max-events")
                .value_name("N")
                .value_parser(clap::value_parser!(u64).range(1..))
                .help("Stop after forwarding N events"),
        )
        .arg(
            Arg::new("from-start")
                .long("from-start")
                .action(ArgAction::SetTrue)
                .help("Also forward the events already in the inbox"),
        )
        .arg(
            Arg::new("interval-ms")
                .long("interval-ms")
                .value_name("MS")
                .default_value("200")
                .value_parser(clap::value_parser!(u64).range(10..))
                .help("How often to poll the inbox"),
        )
}

/// An event as the inbox lists it.
struct Event {
    id: String,
    kind: String,
    body: String,
}

/// The emulator's control API: its root URL and the secret key it authenticates.
struct Inbox {
    http: reqwest::Client,
    root: String,
    key: String,
}

impl Inbox {
    async fn get(&self, path: &str) -> Result<Value> {
        let url = format!("{}/_emulator{path}", self.root);
        let resp = self
            .http
            .get(&url)
            .bearer_auth(&self.key)
            .send()
            .await
            .map_err(|e| Failure::Network(format!("{}: {e}", self.root)))?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| Failure::Network(format!("{}: {e}", self.root)))?;
        if status != 200 {
            return Err(Failure::Api { status, body: text });
        }
        serde_json::from_str(&text)
            .map_err(|e| Failure::Local(format!("{url}: not the emulator's inbox: {e}")))
    }

    async fn after(&self, cursor: Option<&str>) -> Result<Vec<Event>> {
        let path = match cursor {
            Some(c) => format!(
                "/events?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("after", c)
                    .finish()
            ),
            None => "/events".to_owned(),
        };
        let v = self.get(&path).await?;
        let data = v["data"].as_array().ok_or_else(|| {
            Failure::Local("the inbox answer has no `data`; is --api-url the emulator?".into())
        })?;
        Ok(data
            .iter()
            .map(|e| Event {
                id: e["id"].as_str().unwrap_or_default().to_owned(),
                kind: e["type"].as_str().unwrap_or_default().to_owned(),
                body: e["body"]
                    .as_str()
                    .map_or_else(|| e["payload"].to_string(), str::to_owned),
            })
            .collect())
    }
}

/// POST one event, signed now; the delivery record printed for it.
async fn forward(http: &reqwest::Client, to: &str, wh: &Webhook, ev: &Event) -> Value {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let sent = http
        .post(to)
        .header("content-type", "application/json")
        .header("svix-id", &ev.id)
        .header("svix-timestamp", ts.to_string())
        .header("svix-signature", wh.sign(&ev.id, ts, ev.body.as_bytes()))
        .body(ev.body.clone())
        .send()
        .await;
    match sent {
        Ok(r) => json!({"id": ev.id, "type": ev.kind, "status": r.status().as_u16()}),
        Err(e) => json!({"id": ev.id, "type": ev.kind, "status": null, "error": e.to_string()}),
    }
}

/// Run `clerk webhooks listen`.
pub async fn run(top: &ArgMatches, m: &ArgMatches) -> Result<()> {
    let settings = crate::config::resolve(
        top.get_one::<String>("profile").map(String::as_str),
        top.get_one::<String>("api-url").map(String::as_str),
    )?;
    let key = settings.secret_key.clone().ok_or_else(|| {
        Failure::Usage(
            "no secret key: set CLERK_SECRET_KEY or `clerk config set secret_key …`".into(),
        )
    })?;
    let to: &String = m
        .get_one("forward-to")
        .ok_or_else(|| Failure::Usage("missing required flag --forward-to".into()))?;
    let to = reqwest::Url::parse(to).map_err(|e| Failure::Usage(format!("--forward-to: {e}")))?;
    let http = ReqwestTransport::client_builder()
        .and_then(|b| {
            b.timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| clerk_backend::Error::Unexpected(format!("HTTP client: {e}")))
        })
        .map_err(Failure::from)?;
    let root = settings
        .server_url
        .trim_end_matches('/')
        .trim_end_matches("/v1")
        .to_owned();
    let inbox = Inbox {
        http: http.clone(),
        root,
        key,
    };
    let secret = match m.get_one::<String>("secret") {
        Some(s) => s.clone(),
        None => inbox.get("/keys").await?["webhook_secret"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                Failure::Usage("--secret: the emulator does not say its webhook secret".into())
            })?,
    };
    let wh = Webhook::new(&secret).map_err(|e| Failure::Usage(format!("--secret: {e}")))?;
    let max = m.get_one::<u64>("max-events").copied();
    let interval = Duration::from_millis(m.get_one::<u64>("interval-ms").copied().unwrap_or(200));
    let printer = crate::printer(top)?;
    // Without --from-start, the events already kept are skipped: the cursor starts at the last.
    let mut cursor = if m.get_flag("from-start") {
        None
    } else {
        inbox.after(None).await?.pop().map(|e| e.id)
    };
    eprintln!(
        "listening on {}/_emulator/events, forwarding to {to}",
        inbox.root
    );
    let mut forwarded: u64 = 0;
    let follow = async {
        loop {
            for ev in inbox.after(cursor.as_deref()).await? {
                printer.print_line(&forward(&http, to.as_str(), &wh, &ev).await)?;
                cursor = Some(ev.id);
                forwarded += 1;
                if max.is_some_and(|n| forwarded >= n) {
                    return Ok(());
                }
            }
            tokio::time::sleep(interval).await;
        }
    };
    tokio::select! {
        r = follow => r,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("stopped");
            Ok(())
        }
    }
}
