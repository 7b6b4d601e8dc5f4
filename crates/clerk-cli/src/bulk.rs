//! `clerk users export` and `clerk users import`.

use clap::{ArgMatches, Command};

use crate::fail::{Failure, Result};

/// Add the bulk subcommands to the `users` group.
pub fn commands(g: Command) -> Command {
    g
}

/// Whether `name` is a bulk subcommand.
pub fn handles(_name: &str) -> bool {
    false
}

/// Run a bulk subcommand.
pub async fn run(_top: &ArgMatches, name: &str, _m: &ArgMatches) -> Result<()> {
    Err(Failure::Usage(format!("users {name}")))
}
