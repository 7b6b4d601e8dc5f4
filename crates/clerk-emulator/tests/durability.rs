//! `--data` mode: an acknowledged write survives `kill -9` of the binary, and keys persist.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

fn spawn(data: &std::path::Path) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clerk-emulator"))
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let out: Vec<String> = (0..4)
        .map(|_| lines.next().expect("a line").expect("utf-8"))
        .collect();
    (child, out)
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir =
        std::env::temp_dir().join(format!("clerk-emulator-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("state.sqlite");
    let _ = std::fs::remove_file(&data);
    let (mut child, out) = spawn(&data);
    let (url, sk) = (out[0].clone(), out[1].clone());
    assert!(
        out[1].starts_with("sk_test_")
            && out[2].starts_with("pk_test_")
            && out[3].starts_with("whsec_"),
        "{out:?}"
    );
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..20 {
        let r = http
            .post(format!("{url}/v1/users"))
            .bearer_auth(&sk)
            .header("content-type", "application/json")
            .body(format!(r#"{{"email_address":["u{i}@example.com"]}}"#))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json_value().await;
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    child.kill().unwrap(); // SIGKILL: no shutdown code runs
    child.wait().unwrap();
    let (mut child, out2) = spawn(&data);
    assert_eq!(out2[1], sk, "the secret key is the database's own");
    assert_eq!(out2[3], out[3], "so is the webhook secret");
    for id in &ids {
        let r = http
            .get(format!("{}/v1/users/{id}", out2[0]))
            .bearer_auth(&sk)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged user {id} survived");
    }
    // SIGTERM: a clean exit
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM exits cleanly: {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}
impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}

#[test]
fn bad_fixtures_stop_the_binary_naming_the_entry() {
    let dir = std::env::temp_dir().join(format!("clerk-emulator-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("fixtures.json");
    std::fs::write(
        &f,
        r#"{"users": [{"username": "okay_name"}, {"username": "x"}]}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_clerk-emulator"))
        .arg("--fixtures")
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("users[1]") && err.contains("form_username_invalid_length"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing is printed before the fixtures load"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
