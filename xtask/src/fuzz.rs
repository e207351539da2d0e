//! `cargo xtask fuzz`: the libFuzzer targets in `fuzz/` (cargo-fuzz), for the parsers that read
//! hostile input — REDCap's answers (`classify`), participant tickets (`ticket`) and the
//! configuration (`config`).
//!
//! Only stable Rust is assumed: cargo-fuzz needs nightly flags (`-Z…`), which `RUSTC_BOOTSTRAP=1`
//! unlocks on stable. The targets are built without a sanitizer (`--sanitizer none`): the code
//! under test is `#![forbid(unsafe_code)]`, so AddressSanitizer would cost a second cold build and
//! half the speed for little; debug assertions and overflow checks stay on (cargo-fuzz's default).
//!
//! What a run does, by hand (from the workspace root):
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz --sanitizer none classify \
//!     fuzz/corpus/classify fuzz/seeds/classify -- -max_total_time=60 -dict=fuzz/dicts/classify.dict
//! ```
//!
//! New inputs go to `fuzz/corpus/<target>` (git-ignored; the checked-in seeds are only read), a
//! crashing input to `fuzz/artifacts/<target>/` (git-ignored: copy it into `fuzz/seeds/<target>/`
//! as a `regression-*` file). See `fuzz/README.md`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::process::{run, workspace_root};

/// The fuzz targets, in the order `smoke` runs them.
pub const TARGETS: [&str; 3] = ["classify", "ticket", "config"];

/// The cargo-fuzz release known to work here (with `RUSTC_BOOTSTRAP=1` on stable 1.95).
const CARGO_FUZZ_VERSION: &str = "0.13.2";

fn say(message: &str) {
    eprintln!("xtask fuzz: {message}");
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

/// `cargo fuzz …` with the environment the targets need.
fn cargo_fuzz() -> Command {
    let mut c = cargo();
    c.arg("fuzz")
        // cargo-fuzz passes nightly-only flags (-Zsanitizer…, -Cpasses=sancov-module); this lets
        // the stable toolchain accept them.
        .env("RUSTC_BOOTSTRAP", "1");
    // `REDCAP_FUZZ_KNOWN` (ids of reported, unfixed bugs the harness may step over) is passed on
    // only when the caller sets it: by default nothing is tolerated and regression seeds fail.
    c
}

/// Installs cargo-fuzz when `cargo fuzz` does not run; does nothing when it does.
pub fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = cargo()
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    say(&format!(
        "installing cargo-fuzz {CARGO_FUZZ_VERSION} (`cargo fuzz` was not found; it runs the libFuzzer targets in fuzz/; ~1-2 min once)"
    ));
    run(
        cargo().args([
            "install",
            "--locked",
            &format!("cargo-fuzz@{CARGO_FUZZ_VERSION}"),
        ]),
        &format!("cargo install cargo-fuzz@{CARGO_FUZZ_VERSION}"),
    )?;
    Ok(())
}

/// What libFuzzer reported for one run.
#[derive(Debug, Default)]
struct Stats {
    executions: Option<u64>,
    exec_per_sec: Option<u64>,
    cov: Option<u64>,
    ft: Option<u64>,
}

impl Stats {
    fn read(&mut self, line: &str) {
        // `-print_final_stats=1` lines: `stat::number_of_executed_units: 123`
        if let Some(n) = stat(line, "stat::number_of_executed_units:") {
            self.executions = Some(n);
        } else if let Some(n) = stat(line, "stat::average_exec_per_sec:") {
            self.exec_per_sec = Some(n);
        }
        // Progress lines: `#1234 NEW cov: 2299 ft: 5794 corp: …`
        if line.starts_with('#') {
            if let Some(n) = field(line, "cov:") {
                self.cov = Some(n);
            }
            if let Some(n) = field(line, "ft:") {
                self.ft = Some(n);
            }
        }
    }
}

fn stat(line: &str, key: &str) -> Option<u64> {
    line.strip_prefix(key)?.trim().parse().ok()
}

fn field(line: &str, key: &str) -> Option<u64> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == key)?;
    words.next()?.parse().ok()
}

fn show(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

/// Builds the targets, then runs each for `seconds_per_target` seconds from its seeds and the
/// local corpus; fails on the first crash (or timeout, or out-of-memory) and says how to reproduce
/// it. Prints executions, speed and coverage per target.
///
/// `seed` fixes libFuzzer's random seed: the test suite passes one, so that a CI run (which
/// starts from the checked-in seeds only) replays what was checked here instead of exploring
/// somewhere new; `cargo xtask fuzz` explores with a random seed.
pub fn smoke(seconds_per_target: u64, seed: Option<u32>) -> Result<(), String> {
    ensure_cargo_fuzz()?;
    let root = workspace_root();
    let started = Instant::now();
    say("building the fuzz targets (fuzz/target; the first build takes ~7 min on 2 cores)");
    run(
        cargo_fuzz().args(["build", "--fuzz-dir", "fuzz", "--sanitizer", "none"]),
        "cargo fuzz build",
    )?;
    say(&format!("built in {:.0?}", started.elapsed()));

    let mut summary = Vec::new();
    for target in TARGETS {
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(root.join(&corpus))
            .map_err(|e| format!("cannot create {corpus}: {e}"))?;
        say(&format!("running {target} for {seconds_per_target} s"));
        let mut child = cargo_fuzz()
            .args(["run", "--fuzz-dir", "fuzz", "--sanitizer", "none", target])
            .arg(&corpus) // first: new inputs are written here, never into the seeds
            .arg(format!("fuzz/seeds/{target}"))
            .arg("--")
            .arg(format!("-max_total_time={seconds_per_target}"))
            .args(seed.map(|n| format!("-seed={n}")))
            .arg("-timeout=10")
            .arg(format!("-dict=fuzz/dicts/{target}.dict"))
            .arg("-print_final_stats=1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start cargo fuzz run {target}: {e}"))?;

        let mut stats = Stats::default();
        let mut tail = VecDeque::new();
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                stats.read(&line);
                if tail.len() == 60 {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
        if !status.success() {
            for line in &tail {
                eprintln!("  | {line}");
            }
            return Err(format!(
                "fuzz target `{target}` failed ({status}) after {} executions: a crash, timeout or out-of-memory; \
                 the input is in fuzz/artifacts/{target}/. Reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz \
                 --sanitizer none {target} fuzz/artifacts/{target}/<file>; keep it as fuzz/seeds/{target}/regression-<name>",
                show(stats.executions)
            ));
        }
        let line = format!(
            "{target}: {} executions in {seconds_per_target} s ({} exec/s), cov {} ft {}, no crash",
            show(stats.executions),
            show(stats.exec_per_sec),
            show(stats.cov),
            show(stats.ft)
        );
        say(&line);
        summary.push(line);
    }
    say("summary:");
    for line in summary {
        eprintln!("  {line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_output() {
        let mut s = Stats::default();
        for line in [
            "#419881\tREDUCE cov: 3154 ft: 10043 corp: 2277/201Kb lim: 378 exec/s: 9542 rss: 87Mb L: 69/378 MS: 1 EraseBytes-",
            "stat::number_of_executed_units: 5725313",
            "stat::average_exec_per_sec:     9542",
            "INFO: Running with entropic power schedule (0xFF, 100).",
        ] {
            s.read(line);
        }
        assert_eq!(
            (s.executions, s.exec_per_sec, s.cov, s.ft),
            (Some(5_725_313), Some(9542), Some(3154), Some(10043))
        );
    }
}
