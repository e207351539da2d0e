//! `cargo xtask test`: every test, in an order that fails fast on cheap checks, and one
//! summary line at the end.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::process::{cargo, workspace_root};
use crate::setup::setup;
use crate::tools::Tools;
use crate::widget;

/// Each fuzz target runs this long in `cargo xtask test` (CI); `cargo xtask fuzz` runs longer.
const FUZZ_SMOKE_SECONDS: u64 = 20;
/// A fixed libFuzzer seed for that run (see `fuzz::smoke`).
const FUZZ_SMOKE_SEED: u32 = 20_261_127;

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
    failed_steps: Vec<String>,
}

impl Tally {
    /// Reads cargo's / wasm-bindgen-test-runner's `test result:` lines.
    fn read(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split([';', '.']) {
            let mut words = part.split_whitespace();
            if let (Some(n), Some(what)) = (
                words.next().and_then(|n| n.parse::<u64>().ok()),
                words.next(),
            ) {
                match what {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.ignored += n,
                    _ => {}
                }
            }
        }
    }

    /// Runs a test command, echoing its output and counting its results.
    fn step(&mut self, name: &str, mut command: Command) {
        eprintln!("\n=== {name}");
        let started = Instant::now();
        command.stdout(Stdio::piped());
        let outcome = command.spawn().and_then(|mut child| {
            if let Some(out) = child.stdout.take() {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    self.read(&line);
                }
            }
            child.wait()
        });
        let ok = matches!(outcome, Ok(status) if status.success());
        eprintln!(
            "=== {name}: {} in {:.0} s",
            if ok { "ok" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
        if !ok {
            self.failed_steps.push(name.to_owned());
        }
    }

    /// A check that is not a cargo test run (counted as one test).
    fn check(&mut self, name: &str, result: Result<(), String>) {
        match result {
            Ok(()) => self.passed += 1,
            Err(e) => {
                eprintln!("{name}: {e}");
                self.failed += 1;
                self.failed_steps.push(name.to_owned());
            }
        }
    }
}

pub fn test() -> Result<(), String> {
    let started = Instant::now();
    let tools = setup()?;
    let mut tally = Tally::default();

    eprintln!("\n=== widget release build");
    let built = widget::build(&tools);
    let size_ok = built
        .clone()
        .and_then(|()| widget::check_size().map(|_| ()));
    tally.check("widget size budget", size_ok);

    tally.step(
        "native tests (contract, REDCap client, simulator, server, xtask)",
        with_args(
            cargo(&tools),
            &[
                "test",
                "--workspace",
                "--exclude",
                "redcap-resume-widget",
                "--exclude",
                "redcap-resume-e2e",
            ],
        ),
    );
    tally.check(
        "fuzz smoke: classify, ticket, config",
        crate::fuzz::smoke(FUZZ_SMOKE_SECONDS, Some(FUZZ_SMOKE_SEED)),
    );
    tally.check(
        "deploy/nginx-location.conf passes nginx -t",
        crate::deploy::check_nginx(),
    );
    tally.check(
        "deploy/alerts.yml passes promtool check rules",
        crate::deploy::check_alerts(),
    );
    let debug = workspace_root().join("target/debug");
    let built_bins = crate::deploy::build(cargo(&tools));
    tally.check(
        "deploy/redcap-resume.service passes systemd-analyze verify, exposure at most 2.0",
        built_bins
            .clone()
            .and_then(|()| crate::deploy::check_systemd(&debug.join("redcap-resume"))),
    );
    tally.check(
        "README install steps in a scratch root; the unit's ExecStart as its user serves",
        built_bins.clone().and_then(|()| {
            crate::deploy::check_install(&debug.join("redcap-resume"), &debug.join("redcap-sim"))
        }),
    );
    tally.check(
        "cargo xtask dist; its .deb installed (dpkg -i) runs against the simulator, then purged",
        built_bins.and(built.clone()).and_then(|()| {
            let artefacts = crate::dist::dist(&tools, crate::dist::Widget::AlreadyBuilt)?;
            crate::dist::check_installed(&artefacts.deb, &debug.join("redcap-sim"))
        }),
    );
    tally.step(
        "widget tests in headless Chromium (wasm-bindgen-test)",
        with_args(
            cargo(&tools),
            &[
                "test",
                "-p",
                "redcap-resume-widget",
                "--target",
                "wasm32-unknown-unknown",
            ],
        ),
    );
    if built.is_ok() {
        tally.step(
            "end-to-end browser tests (release widget + server + simulator)",
            e2e_command(&tools),
        );
    } else {
        tally
            .failed_steps
            .push("end-to-end browser tests (not run: the widget did not build)".into());
        tally.failed += 1;
    }

    eprintln!(
        "\nxtask test finished in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if !tally.failed_steps.is_empty() {
        eprintln!("failed steps: {}", tally.failed_steps.join("; "));
    }
    let skipped = if tally.ignored > 0 {
        format!(", {} skipped", tally.ignored)
    } else {
        String::new()
    };
    println!(
        "xtask: {} passed, {} failed{skipped}",
        tally.passed, tally.failed
    );
    if tally.failed_steps.is_empty() && tally.failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

fn with_args(mut c: Command, args: &[&str]) -> Command {
    c.args(args);
    c
}

fn e2e_command(tools: &Tools) -> Command {
    let mut c = cargo(tools);
    c.args(["test", "-p", "redcap-resume-e2e", "--", "--test-threads=1"])
        .env("REDCAP_RESUME_DIST", workspace_root().join("dist"))
        .env("REDCAP_RESUME_AXE", &tools.axe_js);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_result_lines() {
        let mut t = Tally::default();
        t.read("test result: ok. 30 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        t.read("test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out");
        t.read("running 5 tests");
        assert_eq!((t.passed, t.failed, t.ignored), (33, 1, 2));
    }
}
