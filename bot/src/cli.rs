//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "lyceum",
    version,
    about = "Paid knowledge communities in Discord and Telegram"
)]
pub struct Cli {
    /// A config file to use instead of the built-in demo (config/default.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log as JSON lines (same as log.format = "json").
    #[arg(long, global = true)]
    pub log_json: bool,

    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Migrate, sync config, serve HTTP and run every configured adapter (the default).
    Run,
    /// A local chat with the bot, as a console identity.
    Console {
        /// Your console name: you are `console:NAME`.
        #[arg(long = "as", value_name = "NAME")]
        name: String,
        /// Act as a local operator, allowed to run admin commands.
        #[arg(long)]
        admin: bool,
        /// The community to talk in (default: the first configured).
        #[arg(long, value_name = "SLUG")]
        community: Option<String>,
        /// Reply language, e.g. en or zh-CN (default: LANG, then the community's).
        #[arg(long, value_name = "TAG")]
        locale: Option<String>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Set up payments at Stripe without its dashboard.
    Stripe {
        #[command(subcommand)]
        command: StripeCmd,
    },
    /// Inspect configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
    /// Inspect communities.
    Community {
        #[command(subcommand)]
        command: CommunityCmd,
    },
    /// Inspect members.
    Member {
        #[command(subcommand)]
        command: MemberCmd,
    },
    /// Recompute entitlements from payments and re-queue missing perk changes.
    Reconcile {
        /// Report what would change without changing it.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Bring data over from another bot.
    Import {
        #[command(subcommand)]
        command: ImportCmd,
    },
    /// A community's members, payments or points ledger as CSV on stdout.
    Export {
        community: String,
        /// members, payments or points
        what: String,
    },
    /// Prints a one-time dashboard sign-in link for an admin of a community
    /// (good for ten minutes; it opens nothing for anyone else).
    DashboardLink {
        community: String,
        /// The admin's identity, e.g. discord:123.
        identity: String,
    },
    /// Prints everything kept about the person behind an identity, as JSON
    /// (what their /privacy export link downloads).
    PrivacyExport {
        /// Any of the person's identities, e.g. telegram:42.
        identity: String,
    },
    /// The audit log of a community: admin and creator commands, newest first.
    Audit {
        community: String,
        /// How many entries to show.
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long)]
        json: bool,
    },
    /// Revenue of a community: MRR by tier, one-off sales and refunds.
    Revenue {
        community: String,
        /// Start of the period, YYYY-MM-DD (default: the first of this month).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// End of the period, exclusive, YYYY-MM-DD (default: now).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StripeCmd {
    /// Make a product and a price for every priced tier and offer, and the
    /// webhook endpoint for http.public_url, keeping its secret sealed;
    /// running it again changes only what the configuration changed.
    Setup,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the effective configuration, secrets redacted.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum CommunityCmd {
    /// List configured communities.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one community's tiers, perks and prices.
    Show {
        slug: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Levels from a MEE6-style CSV export: a Discord user id (or any
    /// identity such as telegram:456) and XP per row, with or without a
    /// header. Lifetime points are raised to the file's XP; nothing is
    /// imported if any row is bad.
    Levels {
        community: String,
        file: PathBuf,
        /// Check the file and report what would change, changing nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Show a member's status, perks, points, badges and history.
    Show {
        community: String,
        /// e.g. console:alice, discord:123, telegram:456
        identity: String,
        #[arg(long)]
        json: bool,
    },
}
