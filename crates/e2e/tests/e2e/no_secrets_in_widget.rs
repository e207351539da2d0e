//! The leak scan's last part: no REDCap token (of the simulator's projects, which the demo
//! server holds) and no server-side secret name appears in any file of the built widget.

use redcap_resume_e2e::paths::dist_dir;
use redcap_sim::seed;

#[test]
fn no_built_widget_file_contains_a_token() {
    let dir = dist_dir();
    let mut scanned = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            seed::DEMO_TOKEN,
            seed::COHORT_TOKEN,
            seed::NO_RIGHTS_TOKEN,
            "token_env",
            "ticket_secret",
        ] {
            assert!(
                !text.contains(secret),
                "{} contains {secret:?}",
                path.display()
            );
        }
        scanned += 1;
    }
    assert!(scanned >= 5, "scanned the built files ({scanned})");
}
