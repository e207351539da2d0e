//! `redcap-sim [--listen 127.0.0.1:8081] [--rate-limit 600] [--base-path /] [--survey-host H]
//! [--survey-base-path P]`:
//! a REDCap simulator on loopback.

use std::net::SocketAddr;

use clap::Parser;
use redcap_sim::{seed, SimConfig, Simulator};

/// A REDCap API simulator with seeded demo projects.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// Requests per minute per IP before the IP is banned (0: no limit).
    #[arg(long, default_value_t = 600)]
    rate_limit: u32,
    /// Path REDCap lives under, e.g. /redcap/.
    #[arg(long, default_value = "/")]
    base_path: String,
    /// Put survey links on this host name instead of the API's (REDCap's survey base URL on
    /// another host), e.g. `localhost` while listening on 127.0.0.1.
    #[arg(long)]
    survey_host: Option<String>,
    /// The survey base URL's path when it differs from --base-path, e.g. /.
    #[arg(long)]
    survey_base_path: Option<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = SimConfig {
        listen: args.listen,
        rate_limit_per_minute: args.rate_limit,
        base_path: args.base_path,
        survey_host: args.survey_host,
        survey_base_path: args.survey_base_path,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await?;
    println!("REDCap simulator (REDCap {})", seed::REDCAP_VERSION);
    println!("API URL:  {}", sim.api_url());
    println!("surveys:  {}surveys/", sim.survey_base_url());
    println!(
        "tokens:   {} ({}, survey rights)",
        seed::DEMO_TOKEN,
        seed::DEMO_PROJECT
    );
    println!(
        "          {} ({}, no survey rights)",
        seed::NO_RIGHTS_TOKEN,
        seed::DEMO_PROJECT
    );
    println!(
        "          {} ({}, longitudinal)",
        seed::COHORT_TOKEN,
        seed::COHORT_PROJECT
    );
    println!(
        "          {} ({}, record-id field {})",
        seed::REGISTRY_TOKEN,
        seed::REGISTRY_PROJECT,
        seed::REGISTRY_ID_FIELD
    );
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
