//! The `clerk` binary run as a user runs it, against an in-process emulator.

mod bulk;
mod commands;
#[path = "../../src/generated/commands.rs"]
mod generated_commands;
mod groups;
mod listen;
#[path = "../../src/table.rs"]
#[allow(dead_code)]
mod table;
mod tools;

use std::process::Output;

use clerk_emulator::Emulator;

/// A finished run: exit code, stdout, stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as JSON (panics with both streams when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Assert success.
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

fn from(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A `clerk` command with a clean environment (no user config) pointed at `emu`.
pub fn clerk(emu: Option<&Emulator>, config: &std::path::Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_clerk"));
    c.env_remove("CLERK_SECRET_KEY")
        .env_remove("CLERK_API_URL")
        .env_remove("CLERK_PROFILE")
        .env("CLERK_CONFIG", config)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(emu) = emu {
        c.env("CLERK_SECRET_KEY", emu.secret_key())
            .env("CLERK_API_URL", emu.url());
    }
    c
}

/// Run `clerk ARGS` against `emu`.
pub async fn run(emu: &Emulator, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = clerk(Some(emu), &dir.path().join("config.json"))
        .args(args)
        .output()
        .await
        .unwrap();
    from(out)
}

/// Run with a prepared command.
pub async fn output(mut c: tokio::process::Command) -> Run {
    from(c.output().await.unwrap())
}
