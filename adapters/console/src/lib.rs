//! The console adapter: a local chat on stdin/stdout with the same command
//! catalogue and replies as Discord and Telegram, and the effect sink for
//! `console:` identities. It lets anyone try Lyceum with no tokens, and it is
//! what end-to-end tests drive.

mod sink;

use std::sync::Arc;

use lyceum_core::outbox::OutboxWorker;
use lyceum_core::{Core, Invoker};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

pub use sink::{ConsoleSink, Delivered};

pub struct Session {
    pub core: Arc<Core>,
    pub worker: OutboxWorker,
    pub delivered: Delivered,
    pub community: String,
    pub invoker: Invoker,
    /// Show a prompt and greeting, for a person at a terminal.
    pub interactive: bool,
}

impl Session {
    /// Reads commands until end of input. After each command the outbox is
    /// delivered once, so effects print right after the reply that caused them.
    pub async fn run<R, W>(self, input: R, mut output: W) -> std::io::Result<()>
    where
        R: AsyncBufRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let mut lines = input.lines();
        if self.interactive {
            let (locale, community) = self.core.speaking_to(&self.community, &self.invoker).await;
            let welcome = lyceum_core::i18n::t_args(
                locale,
                "console-welcome",
                &[
                    ("identity", self.invoker.identity.to_string().into()),
                    ("community", community.into()),
                ],
            );
            output.write_all(format!("{welcome}\n> ").as_bytes()).await?;
            output.flush().await?;
        }
        while let Some(line) = lines.next_line().await? {
            let line = line.trim();
            if !line.is_empty() {
                let outcome = self.core.handle_line(&self.community, &self.invoker, line).await;
                let mut text = outcome.text();
                text.push('\n');
                if let Err(e) = self.worker.run_once().await {
                    tracing::error!(error = %e, "outbox pass failed");
                }
                for effect in self.delivered.take() {
                    text.push_str(&effect);
                    text.push('\n');
                }
                output.write_all(text.as_bytes()).await?;
            }
            if self.interactive {
                output.write_all(b"> ").await?;
            }
            output.flush().await?;
        }
        Ok(())
    }
}
