//! The `redcap-resume` command: `serve`, `check`, `ticket`, and `demo` in a build with the
//! `demo` feature.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use redcap_resume::app::{admin, AppState};
use redcap_resume::config::Config;
use redcap_resume::serve::{serve, shutdown_signal};
use redcap_resume::ticket::TicketIssuer;
use tracing_subscriber::EnvFilter;

/// Lets participants resume a half-finished REDCap survey from the study's own web pages.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the widget files) with a configuration file.
    Serve {
        #[arg(long, short, env = "REDCAP_RESUME_CONFIG")]
        config: PathBuf,
    },
    /// Run everything on 127.0.0.1 with the built-in REDCap simulator (a build with the
    /// `demo` feature only: the binary an institution deploys has no simulator).
    #[cfg(feature = "demo")]
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The built widget (trunk's output).
        #[arg(long, default_value = "dist")]
        public_dir: PathBuf,
    },
    /// Ask the configured REDCap about every survey; exits non-zero when something is wrong.
    Check {
        #[arg(long, short, env = "REDCAP_RESUME_CONFIG")]
        config: PathBuf,
        /// A test record to check survey rights, instruments and Save & Return Later with.
        #[arg(long)]
        record: Option<String>,
    },
    /// Print the HTML that puts one survey's card on a page, for this configuration.
    Snippet {
        #[arg(long, short, env = "REDCAP_RESUME_CONFIG")]
        config: PathBuf,
        /// A key of `[surveys]`.
        #[arg(long)]
        survey: String,
        /// iframe (the hosted page), placeholder (a div + the site-wide autoload script),
        /// module (script + element), or link.
        #[arg(long)]
        mode: redcap_resume::embed::snippet::Mode,
        /// The origin the study site reaches this server on (default: the first of
        /// `allowed_origins`; none: paths on the page's own origin).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Fetch a page of your own site and say which embedding modes will work on it.
    CheckEmbed {
        #[arg(long, short, env = "REDCAP_RESUME_CONFIG")]
        config: PathBuf,
        /// The page, on an origin of `[embed] frame_ancestors` or `allowed_origins`.
        url: String,
        /// The origin the study site reaches this server on, as for `snippet` (default: the
        /// first of `allowed_origins`; none: the page's own origin).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Act on the running server's caches (through its admin listener, `[metrics] listen`).
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Mint a participant ticket (HS256), for testing. Reads only [auth]: no REDCap token needed.
    Ticket {
        #[arg(long, short, env = "REDCAP_RESUME_CONFIG")]
        config: PathBuf,
        #[arg(long)]
        record: String,
        /// How long the ticket lasts, like 10m or 1h.
        #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
        ttl: Duration,
    },
}

#[derive(Subcommand)]
enum CacheAction {
    /// Forget what the server cached about one participant (after their data changed in
    /// REDCap): their links, return codes and statuses, for one survey or all.
    Purge {
        #[arg(long, short, env = "REDCAP_RESUME_CONFIG")]
        config: PathBuf,
        /// The REDCap record id.
        #[arg(long)]
        record: String,
        /// Only this survey (a key of `[surveys]`).
        #[arg(long)]
        survey: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve { config } => {
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            let listen = config.listen;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("listen = \"{listen}\": {e}"))?;
            let state = AppState::new(config)?;
            let listen = listener.local_addr().map_err(|e| e.to_string())?;
            if let Some((admin, _)) = admin::start(state.clone(), shutdown_signal()).await? {
                tracing::info!(%admin, "metrics and cache purge served");
            }
            tracing::info!(%listen, "redcap-resume serving");
            // Serving does not wait for REDCap: an unreachable REDCap or a refused token is
            // one warning per project, and participants are told to try again meanwhile.
            tokio::spawn(redcap_resume::check::warn_unless_ready(state.clone()));
            serve(listener, state, shutdown_signal())
                .await
                .map_err(|e| e.to_string())
        }
        #[cfg(feature = "demo")]
        Command::Demo { listen, public_dir } => {
            redcap_resume::demo::run(listen, public_dir, shutdown_signal()).await
        }
        Command::Check { config, record } => {
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            let record = record
                .map(|r| {
                    redcap_client::RecordId::parse(&r)
                        .map_err(|_| format!("--record {r:?} is not a REDCap record id"))
                })
                .transpose()?;
            match redcap_resume::check::check(&config, record.as_ref()).await {
                Ok(report) => {
                    print!("{report}");
                    Ok(())
                }
                Err(report) => {
                    print!("{report}");
                    Err("some surveys are not ready: see the FAIL lines above".into())
                }
            }
        }
        Command::Snippet {
            config,
            survey,
            mode,
            public_url,
        } => {
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            let html = redcap_resume::embed::snippet::snippet(
                &config,
                &survey,
                mode,
                public_url.as_deref(),
            )
            .map_err(|e| e.to_string())?;
            print!("{html}");
            Ok(())
        }
        Command::CheckEmbed {
            config,
            url,
            public_url,
        } => {
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            let report =
                redcap_resume::embed::check::check_embed(&config, &url, public_url.as_deref())
                    .await
                    .map_err(|e| e.to_string())?;
            print!("{report}");
            Ok(())
        }
        Command::Cache {
            action:
                CacheAction::Purge {
                    config,
                    record,
                    survey,
                },
        } => {
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            let purged = redcap_resume::cache_purge::purge(&config, &record, survey).await?;
            println!("purged {purged} cache entries");
            Ok(())
        }
        Command::Ticket {
            config,
            record,
            ttl,
        } => {
            // Only [auth]: minting a ticket never calls REDCap, so it needs no REDCap token.
            let auth = Config::load_auth(&config).map_err(|e| e.to_string())?;
            let secret = auth
                .hs256_secret()
                .ok_or("`ticket` mints HS256 tickets: configure [auth] with a ticket secret")?;
            if let Some(max) = auth.ticket_max_lifetime().filter(|max| ttl > *max) {
                return Err(format!(
                    "--ttl {} is longer than tickets may live ([auth] max_ticket_lifetime_seconds = {})",
                    humantime::format_duration(ttl),
                    max.as_secs()
                ));
            }
            redcap_client::RecordId::parse(&record)
                .map_err(|_| format!("--record {record:?} is not a REDCap record id"))?;
            let ticket = TicketIssuer::hs256(secret)
                .mint(&record, ttl)
                .map_err(|e| e.to_string())?;
            println!("{ticket}");
            Ok(())
        }
    }
}
