//! The `redcap-resume` binary as an operator runs it: `serve`, `check`, `ticket`, bad
//! configuration, graceful shutdown.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use redcap_resume::config::TicketKey;
use redcap_resume::ticket::TicketVerifier;
use redcap_sim::{seed, Faults, SimConfig, Simulator};

const BIN: &str = env!("CARGO_BIN_EXE_redcap-resume");
const SECRET: &str = "cli-test-secret-cli-test-secret-cli-test";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redcap-resume-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_config(dir: &std::path::Path, api: &str, listen: &str, surveys: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "listen = \"{listen}\"\n[redcap]\nurl = \"{api}\"\ntoken_env = \"CLI_TEST_TOKEN\"\ntimeout_ms = 3000\n[auth]\nticket_secret_env = \"CLI_TEST_SECRET\"\n{surveys}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("CLI_TEST_TOKEN", seed::DEMO_TOKEN)
        .env("CLI_TEST_SECRET", SECRET)
        .env("RUST_LOG", "info");
    c
}

const GOOD_SURVEYS: &str =
    "[surveys.baseline]\ntitle = \"Baseline\"\ninstrument = \"baseline_survey\"\n";

#[test]
fn ticket_mints_what_the_server_accepts() {
    let dir = temp_dir("ticket");
    let config = write_config(
        &dir,
        "https://redcap.example.edu/api/",
        "127.0.0.1:0",
        GOOD_SURVEYS,
    );
    let out = command(&[
        "ticket",
        "--config",
        config.to_str().unwrap(),
        "--record",
        "1001",
        "--ttl",
        "5m",
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ticket = String::from_utf8(out.stdout).unwrap();
    let verifier = TicketVerifier::new(
        &TicketKey::Hs256(SECRET.to_owned().into()),
        Duration::from_secs(30),
    )
    .unwrap();
    assert_eq!(verifier.verify(ticket.trim()).unwrap().as_str(), "1001");
    // Longer than the maximum lifetime (1 h by default): refused, naming the key.
    let out = command(&[
        "ticket",
        "--config",
        config.to_str().unwrap(),
        "--record",
        "1001",
        "--ttl",
        "2h",
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && out.stdout.is_empty(), "{stderr}");
    assert!(stderr.contains("max_ticket_lifetime_seconds"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_configuration_names_the_key_and_leaks_no_secret() {
    let dir = temp_dir("bad");
    let config = write_config(
        &dir,
        "https://redcap.example.edu/",
        "127.0.0.1:0",
        GOOD_SURVEYS,
    );
    let out = command(&["serve", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`redcap.url`") && err.contains("/api/"),
        "{err}"
    );
    assert!(!err.contains(seed::DEMO_TOKEN) && !err.contains(SECRET));
    let missing = command(&["serve", "--config", dir.join("nope.toml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the configuration file"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_what_to_change_in_redcap() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = temp_dir("check");
    let surveys = format!(
        "{GOOD_SURVEYS}[surveys.consent]\ntitle = \"Consent\"\ninstrument = \"consent\"\n[surveys.contact]\ntitle = \"Contact\"\ninstrument = \"contact_info\"\n"
    );
    let config = write_config(&dir, sim.api_url().as_str(), "127.0.0.1:0", &surveys);
    let run = |args: Vec<String>| async move {
        tokio::task::spawn_blocking(move || {
            command(&args.iter().map(String::as_str).collect::<Vec<_>>())
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    let cfg = config.to_str().unwrap().to_owned();

    let out = run(vec![
        "check".into(),
        "--config".into(),
        cfg.clone(),
        "--record".into(),
        seed::RECORD_IN_PROGRESS.into(),
    ])
    .await;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !out.status.success(),
        "consent has Save & Return Later off: {report}"
    );
    let line = |key: &str| {
        report
            .lines()
            .find(|l| l.contains(key))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line("baseline").starts_with("ok"), "{report}");
    assert!(
        line("baseline").contains("Save & Return Later on"),
        "{report}"
    );
    assert!(
        line("consent").starts_with("FAIL")
            && line("consent")
                .to_lowercase()
                .contains("save & return later"),
        "{report}"
    );
    assert!(
        line("contact").starts_with("FAIL") && line("contact").to_lowercase().contains("survey"),
        "{report}"
    );
    assert!(!report.contains(seed::DEMO_TOKEN));

    // Without a record: reachability and token only, and it says so.
    let only = std::fs::read_to_string(&config).unwrap();
    let good_only = dir.join("good.toml");
    std::fs::write(&good_only, only.split("[surveys.consent]").next().unwrap()).unwrap();
    let out = run(vec![
        "check".into(),
        "--config".into(),
        good_only.to_str().unwrap().into(),
    ])
    .await;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("token valid") && report.contains("--record"),
        "{report}"
    );

    // A wrong token: not ok, and the hint says where to look.
    let bad_token = std::fs::read_to_string(&good_only)
        .unwrap()
        .replace("CLI_TEST_TOKEN", "CLI_TEST_OTHER");
    std::fs::write(&good_only, bad_token).unwrap();
    let out = tokio::task::spawn_blocking({
        let path = good_only.clone();
        move || {
            command(&["check", "--config", path.to_str().unwrap()])
                .env("CLI_TEST_OTHER", "0123456789ABCDEF0123456789ABCDEF")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success());
    assert!(
        report.starts_with("FAIL") && report.to_lowercase().contains("token"),
        "{report}"
    );
    assert!(!report.contains("0123456789ABCDEF0123456789ABCDEF"));
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.set_faults(Faults::latency(Duration::from_millis(800)));
    let dir = temp_dir("shutdown");
    let config = write_config(&dir, sim.api_url().as_str(), "127.0.0.1:0", GOOD_SURVEYS);
    // Port 0: find the address in the start-up log line.
    let mut child = command(&["serve", "--config", config.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listen=") {
                let addr: String = line[at + 7..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = addr_tx.send(addr);
            }
        }
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server logs where it listens");
    let ticket = redcap_resume::ticket::TicketIssuer::hs256(SECRET)
        .mint("1001", Duration::from_secs(60))
        .unwrap();
    let request = reqwest::Client::new()
        .get(format!("http://{addr}/redcap-resume/api/surveys/baseline"))
        .header("X-CSRF", "1")
        .header("Origin", format!("http://{addr}"))
        .header("Cookie", format!("__Host-redcap_resume_ticket={ticket}"))
        .send();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let answer = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(answer.status(), 200);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "exits cleanly after SIGTERM: {status}");
    assert!(started.elapsed() < Duration::from_secs(5));
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
