//! Spec paths and a Prism mock server per test.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A spec file from `$var`, else `../shared/openapi/<default>` next to the repo. Panics (loudly)
/// when it is missing: conformance is never skipped silently.
pub fn spec_path(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(
        || repo_root().join("../shared/openapi").join(default),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "OpenAPI spec not found at {} (set {var} or provide ../shared/openapi/{default})",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

/// A running Prism (`scripts/prism.sh start`), stopped on drop.
pub struct Prism {
    pub port: u16,
}

impl Prism {
    /// Start Prism on `spec`.
    pub fn start(spec: &std::path::Path) -> Prism {
        let script = repo_root().join("scripts/prism.sh");
        let port = free_port();
        let status = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(spec)
            .arg(port.to_string())
            .status()
            .expect("cannot run scripts/prism.sh");
        assert!(
            status.success(),
            "Prism did not start (install it with `scripts/prism.sh install`)"
        );
        Prism { port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/prism.sh"))
            .arg("stop")
            .arg(self.port.to_string())
            .status();
    }
}

/// A copy of `spec` (under `target/`, never committed) that asks Prism's JSON-schema-faker to
/// fill in every optional property.
pub fn with_complete_objects(spec: &std::path::Path) -> PathBuf {
    let mut text = std::fs::read_to_string(spec).expect("read spec");
    text.push_str("\nx-json-schema-faker:\n  alwaysFakeOptionals: true\n");
    let dir = repo_root().join("target/prism");
    std::fs::create_dir_all(&dir).expect("create target/prism");
    let out = dir.join(format!(
        "complete-{}",
        spec.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&out, text).expect("write spec copy");
    out
}
