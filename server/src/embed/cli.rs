//! `kubeclass embed add-site|list-sites|remove-site|end-sandboxes`: what an operator runs on the server's
//! machine (with its database) to let a docs site embed lessons.

use super::sites;
use crate::config::EmbedCommand;
use crate::db::Database;
use anyhow::bail;
use std::io::Write;

/// Runs the command against `db`; what it prints goes to `out`.
pub async fn run(
    command: &EmbedCommand,
    db: &Database,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        EmbedCommand::AddSite { origins, key } => {
            let origins = origins
                .iter()
                .map(|o| sites::parse_origin(o))
                .collect::<Result<Vec<_>, _>>()
                .map_err(anyhow::Error::msg)?;
            let key = match key {
                Some(key) if db.embed_site(key).await?.is_none() => {
                    bail!("no site has the key {key}: leave out --key to make a new one")
                }
                Some(key) => key.clone(),
                None => sites::new_key(),
            };
            db.put_embed_site(&key, &origins).await?;
            writeln!(out, "{key}")?;
        }
        EmbedCommand::ListSites => {
            for site in db.embed_sites().await? {
                writeln!(out, "{}\t{}", site.key, site.origins.join(" "))?;
            }
        }
        EmbedCommand::RemoveSite { key } => {
            if !db.remove_embed_site(key).await? {
                bail!("no site has the key {key}");
            }
            writeln!(out, "site {key} removed")?;
        }
        EmbedCommand::EndSandboxes { key } => {
            if db.embed_site(key).await?.is_none() {
                bail!("no site has the key {key}");
            }
            let ended = db.end_embed_sessions_of(key).await?;
            writeln!(out, "{ended} sandboxes of {key} ended")?;
        }
    }
    Ok(())
}
