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

    // Without a record: the good survey alone passes, checked as far as with a record.
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
        report.contains("token valid") && report.contains("Save & Return Later on"),
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

/// Runs the binary off the async runtime with extra environment variables.
async fn run_with(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let envs: Vec<(String, String)> = envs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut c = command(&args.iter().map(String::as_str).collect::<Vec<_>>());
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    })
    .await
    .unwrap()
}

/// The report line whose subject (second column) is `subject`.
fn line_of(report: &str, subject: &str) -> String {
    report
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(subject))
        .unwrap_or_else(|| panic!("no line for {subject}: {report}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_without_a_record_tells_broken_surveys_apart() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = temp_dir("check-setup");
    let surveys = format!(
        "{GOOD_SURVEYS}\
[surveys.consent]\ntitle = \"Consent\"\ninstrument = \"{consent}\"\n\
[surveys.contact]\ntitle = \"Contact\"\ninstrument = \"{contact}\"\n\
[surveys.typo]\ntitle = \"Typo\"\ninstrument = \"baseline_surveys\"\n\
[surveys.month3]\nproject = \"cohort\"\ntitle = \"M3\"\ninstrument = \"{month3}\"\nevent = \"{ev_m3}\"\n\
[surveys.noevent]\nproject = \"cohort\"\ntitle = \"No event\"\ninstrument = \"{month3}\"\n\
[surveys.badevent]\nproject = \"cohort\"\ntitle = \"Bad event\"\ninstrument = \"{month3}\"\nevent = \"month_6_arm_1\"\n\
[surveys.notinevent]\nproject = \"cohort\"\ntitle = \"Not in event\"\ninstrument = \"{month3}\"\nevent = \"{ev_base}\"\n\
[projects.cohort]\nurl = \"{api}\"\ntoken_env = \"CLI_COHORT_TOKEN\"\n\
[audit]\npath = \"{audit}\"\n",
        consent = seed::CONSENT,
        contact = seed::CONTACT_INFO,
        month3 = seed::MONTH_3,
        ev_m3 = seed::EVENT_MONTH_3,
        ev_base = seed::EVENT_BASELINE,
        api = sim.api_url(),
        // A folder where the log file should be: it cannot be appended to.
        audit = dir.display(),
    );
    let config = write_config(&dir, sim.api_url().as_str(), "127.0.0.1:0", &surveys);
    let out = run_with(
        &["check", "--config", config.to_str().unwrap()],
        &[("CLI_COHORT_TOKEN", seed::COHORT_TOKEN)],
    )
    .await;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{report}");
    assert!(!out.status.success(), "{report}");
    let expect = |subject: &str, verdict: &str, words: &[&str]| {
        let line = line_of(&report, subject);
        assert!(line.starts_with(verdict), "{subject}: {line}");
        for w in words {
            assert!(line.contains(w), "{subject} lacks {w:?}: {line}");
        }
    };
    expect("baseline", "ok", &["is a survey", "Save & Return Later on"]);
    expect("consent", "FAIL", &["Save & Return Later is not enabled"]);
    expect("contact", "FAIL", &["not enabled as a survey"]);
    expect(
        "typo",
        "FAIL",
        &["no instrument `baseline_surveys`", "baseline_survey"],
    );
    expect("month3", "ok", &["Save & Return Later on"]);
    expect(
        "noevent",
        "FAIL",
        &["longitudinal", "set event", seed::EVENT_MONTH_3],
    );
    expect("badevent", "FAIL", &["no event `month_6_arm_1`"]);
    expect(
        "notinevent",
        "FAIL",
        &["not designated for the event baseline_arm_1"],
    );
    expect("links", "ok", &["the API's host"]);
    expect(
        "budget",
        "ok",
        &["300 calls/minute", "600/minute", "administrator"],
    );
    expect("audit", "FAIL", &["[audit] path", "cannot be appended to"]);
    assert!(!report.contains(seed::DEMO_TOKEN) && !report.contains(seed::COHORT_TOKEN));
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_the_survey_base_url_key_when_links_are_elsewhere() {
    let sim = Simulator::start(SimConfig {
        survey_host: Some("localhost".into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = temp_dir("check-links");
    let config = write_config(&dir, sim.api_url().as_str(), "127.0.0.1:0", GOOD_SURVEYS);
    let out = run_with(&["check", "--config", config.to_str().unwrap()], &[]).await;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success(), "{report}");
    let base = sim.survey_base_url().to_string();
    assert!(base.contains("localhost"), "{base}");
    for subject in ["baseline", "links"] {
        let line = line_of(&report, subject);
        assert!(
            line.starts_with("FAIL")
                && line.contains(&format!("[redcap] survey_base_url = \"{base}\"")),
            "{line}"
        );
    }
    // Set as it says: the same check passes and says where links come from.
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "timeout_ms = 3000",
        &format!("timeout_ms = 3000\nsurvey_base_url = \"{base}\""),
    );
    std::fs::write(&config, text).unwrap();
    let out = run_with(&["check", "--config", config.to_str().unwrap()], &[]).await;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{report}");
    let links = line_of(&report, "links");
    assert!(
        links.contains("localhost") && links.contains("under [redcap] survey_base_url"),
        "{links}"
    );
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// An API user with API Export but "No Access" as Data Export right: REDCap's record export
/// refuses with its own sentence, and `check` names the right to give (issue 9).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_the_data_export_right_when_the_record_export_is_refused() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = temp_dir("check-data-export");
    let config = write_config(&dir, sim.api_url().as_str(), "127.0.0.1:0", GOOD_SURVEYS);
    let out = run_with(
        &["check", "--config", config.to_str().unwrap()],
        &[("CLI_TEST_TOKEN", seed::NO_DATA_EXPORT_TOKEN)],
    )
    .await;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success(), "{report}");
    let line = line_of(&report, "baseline");
    assert!(
        line.starts_with("FAIL") && line.contains("Data Export") && !line.contains("maintenance"),
        "{line}"
    );
    assert!(!report.contains(seed::NO_DATA_EXPORT_TOKEN));
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ticket_needs_no_redcap_token() {
    let dir = temp_dir("ticket-no-token");
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
    ])
    .env_remove("CLI_TEST_TOKEN")
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .split('.')
            .count(),
        3
    );
    // `serve` with the same environment does need it, and says which key.
    let out = command(&["serve", "--config", config.to_str().unwrap()])
        .env_remove("CLI_TEST_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("redcap.token_env"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Starts `serve`, returns the child, where it listens, and the log lines seen so far.
fn start_serve(
    config: &std::path::Path,
    token: &str,
) -> (
    std::process::Child,
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let mut child = command(&["serve", "--config", config.to_str().unwrap()])
        .env("CLI_TEST_TOKEN", token)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let seen = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listen=") {
                let addr: String = line[at + 7..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = addr_tx.send(addr);
            }
            seen.lock().unwrap().push(line);
        }
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server logs where it listens");
    (child, addr, log)
}

/// Waits until a log line contains `needle`.
fn wait_for_log(log: &std::sync::Mutex<Vec<String>>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(line) = log.lock().unwrap().iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no log line with {needle:?}: {:?}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_warns_once_when_redcap_is_not_ready_and_serves_anyway() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    // A port nothing listens on: bind one, then let it go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cases = [
        (
            "refused",
            sim.api_url().to_string(),
            "0123456789ABCDEF0123456789ABCDEF",
            "refused the API token",
        ),
        (
            "unreachable",
            format!("http://{closed}/api/"),
            seed::DEMO_TOKEN,
            "unavailable",
        ),
        (
            "ready",
            sim.api_url().to_string(),
            seed::DEMO_TOKEN,
            "REDCap answers and accepts the token",
        ),
    ];
    for (name, api, token, needle) in cases {
        let dir = temp_dir(&format!("serve-{name}"));
        let config = write_config(&dir, &api, "127.0.0.1:0", GOOD_SURVEYS);
        let (mut child, addr, log) = tokio::task::spawn_blocking(move || {
            let started = start_serve(&config, token);
            (started, dir)
        })
        .await
        .map(|((c, a, l), dir)| {
            let _ = std::fs::remove_dir_all(dir);
            (c, a, l)
        })
        .unwrap();
        let line = {
            let log = log.clone();
            tokio::task::spawn_blocking(move || wait_for_log(&log, needle))
                .await
                .unwrap()
        };
        if name == "ready" {
            assert!(!line.contains("WARN"), "{line}");
        } else {
            assert!(
                line.contains("WARN") && line.contains("serving anyway"),
                "{name}: {line}"
            );
            assert!(line.contains("redcap-resume check"), "{line}");
        }
        assert!(
            !line.contains(token) || name == "ready" && !line.contains(seed::DEMO_TOKEN),
            "{line}"
        );
        // It serves meanwhile.
        let health = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap();
        assert_eq!(health.status(), 200, "{name}");
        let warnings = log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("WARN"))
            .count();
        assert!(
            warnings <= 1,
            "{name}: one warning, not {warnings}: {:?}",
            log.lock().unwrap()
        );
        child.kill().unwrap();
        let _ = child.wait();
    }
    sim.shutdown().await;
}
