//! The README's portal examples mint tickets the server accepts.

use std::process::Command;
use std::time::Duration;

use redcap_resume::config::TicketKey;
use redcap_resume::ticket::TicketVerifier;

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
