//! `cargo xtask <command>` — the project's one entry point for people and CI.
//!
//! ```text
//! cargo xtask setup            install what is missing (idempotent)
//! cargo xtask demo [--port N]  build the widget and run the demo on 127.0.0.1
//! cargo xtask test             every test: native, widget in Chromium, end-to-end
//! cargo xtask size             build the widget and check its size budget
//! cargo xtask bench            print the server's throughput (also with [shared] on Redis), the widget's size and its time to first card
//! cargo xtask fuzz [SECONDS]   run each fuzz target that long (default 600)
//! cargo xtask deploy           install deploy/ as the README says in a scratch root and run it
//! cargo xtask circles        check that no crate has an import circle between its files
//! cargo xtask dist             release artefacts in target/dist/: binary, .deb, widget tarball, npm package
//! ```

mod circles;
mod deploy;
mod dist;
mod fuzz;
mod process;
mod setup;
mod suite;
mod tools;
mod widget;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup().map(|_| ()),
        Some("circles") => circles::check(&process::workspace_root()),
        Some("demo") => demo(&args[1..]),
        Some("test") => suite::test(),
        Some("bench") => bench(),
        Some("fuzz") => fuzz_for(&args[1..]),
        Some("deploy") => deploy::run_all(),
        Some("dist") => {
            setup::setup().and_then(|tools| dist::dist(&tools, dist::Widget::Build).map(|_| ()))
        }
        Some("size") => setup::setup()
            .and_then(|tools| widget::build(&tools))
            .and_then(|()| widget::check_size().map(|_| ())),
        _ => {
            eprintln!("usage: cargo xtask <setup | demo [--port N] | test | circles | size | bench | fuzz [SECONDS] | deploy | dist>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Figures, not assertions: the server's throughput on loopback, the widget's size, and the
/// time to the first card in Chromium.
fn bench() -> Result<(), String> {
    let tools = setup::setup()?;
    process::run(
        process::cargo(&tools).args(["bench", "-p", "redcap-resume", "--bench", "throughput"]),
        "the throughput benchmark",
    )?;
    process::run(
        process::cargo(&tools).args(["bench", "-p", "redcap-resume", "--bench", "replicas"]),
        "the benchmark with and without [shared]",
    )?;
    widget::build(&tools)?;
    widget::check_size()?;
    process::run(
        process::cargo(&tools)
            .args(["bench", "-p", "redcap-resume-e2e", "--bench", "first_card"])
            .env("REDCAP_RESUME_DIST", process::workspace_root().join("dist")),
        "the first-card benchmark",
    )
}

fn fuzz_for(args: &[String]) -> Result<(), String> {
    let seconds = match args {
        [] => 600,
        [n] => n
            .parse::<u64>()
            .map_err(|_| format!("{n}: not a number of seconds"))?,
        _ => return Err("usage: cargo xtask fuzz [SECONDS]".into()),
    };
    fuzz::smoke(seconds, None)
}

fn demo(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 8080,
        [flag, port] if flag == "--port" => port
            .parse::<u16>()
            .map_err(|_| format!("--port {port}: not a port number"))?,
        _ => return Err("usage: cargo xtask demo [--port N]".into()),
    };
    let tools = setup::setup()?;
    widget::build(&tools)?;
    let root = process::workspace_root();
    process::run(
        process::cargo(&tools)
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "redcap-resume",
                "--features",
                "demo",
                "--",
                "demo",
                "--listen",
            ])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--public-dir")
            .arg(root.join("dist")),
        "the demo server",
    )
}
