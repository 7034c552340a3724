//! `kubeclass trainer add NAME` and `kubeclass trainer token NAME`: what an operator runs
//! on the server's machine (with its database) to make trainer accounts and API tokens.

use super::credentials;
use crate::config::TrainerCommand;
use crate::db::Database;
use anyhow::{Context, bail};
use std::io::{BufRead, IsTerminal, Write};

/// Runs the command against `db`; what it prints goes to `out`.
pub async fn run(
    command: &TrainerCommand,
    db: &Database,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        TrainerCommand::Add { name } => {
            check_name(name)?;
            let password = password()?;
            let hash = credentials::hash_password(&password).map_err(anyhow::Error::msg)?;
            let added = db.put_trainer(name, &hash).await?;
            db.audit(
                name,
                if added {
                    "account added"
                } else {
                    "password set"
                },
                "command line",
            )
            .await?;
            if added {
                writeln!(out, "trainer {name} added")?;
            } else {
                writeln!(out, "trainer {name}: password changed")?;
            }
        }
        TrainerCommand::Token { name } => {
            if db.trainer_password(name).await?.is_none() {
                bail!("no trainer {name}: add one with `kubeclass trainer add {name}`");
            }
            let token = credentials::new_token();
            db.add_trainer_token(name, &credentials::digest(&token))
                .await?;
            db.audit(name, "token made", "command line").await?;
            writeln!(out, "{token}")?;
        }
    }
    Ok(())
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let fine = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !fine {
        bail!("a trainer's name is 1 to 64 letters, digits, '.', '_' or '-', not {name:?}");
    }
    Ok(())
}

/// The new password: from `KUBECLASS_TRAINER_PASSWORD`, or one line of stdin (asked for
/// when stdin is a terminal; it is echoed, so prefer the variable on shared screens).
fn password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("KUBECLASS_TRAINER_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Password (at least {} characters): ",
            credentials::MIN_PASSWORD
        );
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password: set KUBECLASS_TRAINER_PASSWORD or type one");
    }
    Ok(password)
}
