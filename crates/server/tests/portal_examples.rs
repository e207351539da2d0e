//! The README's portal examples mint tickets the server accepts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use redcap_resume::config::{AuthMode, Config, TicketKey};
use redcap_resume::ticket::{TicketIssuer, TicketVerifier};

const SECRET: &str = "portal-example-secret-portal-example-secret";

fn docs(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(file)
}

#[test]
fn the_python_example_mints_a_ticket_the_server_accepts() {
    let out = Command::new("python3")
        .arg(docs("mint_ticket.py"))
        .arg("1001")
        .env("REDCAP_RESUME_TICKET_SECRET", SECRET)
        .env_remove("REDCAP_RESUME_TICKET_SECRET_FILE")
        .output()
        .expect("python3 runs (it is part of the machine's image)");
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
    let other = TicketVerifier::new(
        &TicketKey::Hs256("another-secret-another-secret-another".to_owned().into()),
        Duration::from_secs(30),
    )
    .unwrap();
    assert!(other.verify(ticket.trim()).is_err());
}

#[test]
fn the_readme_shows_the_tested_examples_verbatim() {
    let readme = std::fs::read_to_string(docs("../README.md")).unwrap();
    for file in ["mint_ticket.py", "mint_ticket.php"] {
        let code = std::fs::read_to_string(docs(file)).unwrap();
        assert!(
            readme.contains(code.trim_end()),
            "README shows docs/{file} verbatim"
        );
    }
}

/// A scratch folder for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("redcap-resume-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The verifier the server builds from a configuration whose `ticket_secret_file` is `secret`.
fn server_verifier(dir: &Path, secret: &Path) -> TicketVerifier {
    let token = dir.join("redcap_token");
    std::fs::write(&token, "D3A0C1E2B4F5061728394A5B6C7D8E9F\n").unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[redcap]\nurl = \"https://redcap.example.edu/api/\"\ntoken_file = \"{}\"\n\
             [auth]\nticket_secret_file = \"{}\"\n\
             [surveys.baseline]\ntitle = \"Baseline\"\ninstrument = \"baseline_survey\"\n",
            token.display(),
            secret.display()
        ),
    )
    .unwrap();
    let config = Config::load(&config).expect("the configuration loads");
    let AuthMode::Ticket(ticket) = &config.auth.mode else {
        panic!("ticket mode is the default");
    };
    TicketVerifier::new(&ticket.key, Duration::from_secs(30)).unwrap()
}

/// Runs a portal example with `REDCAP_RESUME_TICKET_SECRET_FILE`: the ticket it prints. Panics
/// when the interpreter is missing (the examples are the README's promise, not optional).
fn mint_with_file(program: &str, example: &str, secret: &Path) -> String {
    let out = Command::new(program)
        .arg(docs(example))
        .arg("1001")
        .env("REDCAP_RESUME_TICKET_SECRET_FILE", secret)
        .env_remove("REDCAP_RESUME_TICKET_SECRET")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs ({e}); `cargo xtask setup` installs php-cli"));
    assert!(
        out.status.success(),
        "{example}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn a_secret_file_ending_in_a_newline_means_the_same_key_to_the_server_and_both_portals() {
    let scratch = Scratch::new("secret-newline");
    for (name, ending) in [("lf", "\n"), ("crlf", "\r\n"), ("none", "")] {
        let secret = scratch.0.join(format!("ticket_secret_{name}"));
        std::fs::write(&secret, format!("{SECRET}{ending}")).unwrap();
        let server = server_verifier(&scratch.0, &secret);
        for (program, example) in [("python3", "mint_ticket.py"), ("php", "mint_ticket.php")] {
            let ticket = mint_with_file(program, example, &secret);
            assert_eq!(
                server
                    .verify(&ticket)
                    .map(|r| r.as_str().to_owned())
                    .ok()
                    .as_deref(),
                Some("1001"),
                "{example} with a secret file ending in {name:?}"
            );
        }
        if !ending.is_empty() {
            // The disagreement the rule removes: a key that kept the line break is refused.
            let as_is = TicketIssuer::hs256(&format!("{SECRET}{ending}"))
                .mint("1001", Duration::from_secs(60))
                .unwrap();
            assert!(
                server.verify(&as_is).is_err(),
                "{name}: the line break is not part of the key"
            );
        }
    }
}
