//! Repository chores. `cargo xtask codegen [--check]` regenerates the SDK from the OpenAPI spec.

mod cli;
mod codegen;
mod conformance;
mod diff;
mod emit;
mod ir;
mod names;
mod passes;
mod read;
mod secrets;
mod spec;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask codegen [--check]\n\n\
         Reads CLERK_OPENAPI_SPEC (default ../shared/openapi/bapi-2026-05-12.yml),\n\
         CLERK_OPENAPI_SEED_SPEC (default ../shared/openapi/bapi-2025-03-12-seed.yml) and\n\
         CLERK_WEBHOOKS_SPEC (default ../shared/openapi/webhooks-2025-04-15.yml), relative to the repo root."
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec_path = |var: &str, default: &str| -> PathBuf {
        std::env::var_os(var).map_or_else(
            || root.join("../shared/openapi").join(default),
            PathBuf::from,
        )
    };
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().any(|a| a == "--check");
            let inputs = codegen::Inputs {
                main: spec_path("CLERK_OPENAPI_SPEC", "bapi-2026-05-12.yml"),
                seed: spec_path("CLERK_OPENAPI_SEED_SPEC", "bapi-2025-03-12-seed.yml"),
                webhooks: spec_path("CLERK_WEBHOOKS_SPEC", "webhooks-2025-04-15.yml"),
            };
            match codegen::run(&root, &inputs, check)
                .and_then(|()| cli::run(&root, &inputs.main, &inputs.seed, check))
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("xtask codegen: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}
