//! The configuration loader (`redcap_resume::config::Config::parse`).
//!
//! Input: `toml-text [\0 file-content]`. Secrets come from an in-memory source: environment
//! variables `TOKEN`, `TOKEN2`, `SUPER`, `SECRET`, `CRLF_TOKEN` hold valid values, `SHORT`,
//! `EMPTY`, `SPACED`, `BAD` hold bad ones; any `*_file` path reads `file-content` when the input
//! has one, else `ed.pem` / `rsa.pem` (public keys), `token`, `secret`; other paths are "not
//! found". The file system is never touched (the default `SecretSource::file` — also used by
//! `HashMap` — would read whatever path the text names).
//!
//! Properties: never panics, only returns `ConfigError`; neither an error nor the `Debug` of a
//! loaded configuration shows a secret; a loaded configuration keeps its documented invariants.
#![no_main]

use std::collections::HashMap;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use redcap_resume::config::{AuthMode, Config, SecretSource, MAX_BUDGET_PER_MINUTE};
use redcap_resume_fuzz::{assert_no_leak, text, Bytes};

const TOKEN: &str = "8F3A1C9E4B7D2056A1B3C5D7E9F01234";
const TOKEN2: &str = "FEDCBA9876543210FEDCBA9876543210";
const SUPER: &str = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";
const SECRET: &str = "fuzz-ticket-secret-0123456789abcdef";
const SECRETS: [&str; 4] = [TOKEN, TOKEN2, SUPER, SECRET];

const ED_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAiEwZ1/tWRTLB5BK6GCDqFouajRLc6HHIjK52SHWz1+8=
-----END PUBLIC KEY-----
";
const RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAutPHNrtfSV9PRokZVd0M
VhzSoRIYiODMs8H1hHs0asLa+GfOHPsrJzsEYISYgeo4179inPaa1GlfBlsjrHn6
54W/3uid9CopvnMm4Sadq6BOy9oAZe8eACZV3HIKDxIkCNgNpEGeQ3fVmu22xbJV
WWZNuBxiGebuduZCuvxGGyxjFDGVMpEQv8DSXbFBcMXQon1ujqYZlLEQQx0HVr2t
J1Jskwg67TB/FaheLOUaWxC1fm9xxgt+f8sVk9JJAM3YnvHcI8ksKxlq+ojKy9dy
ktMJwmQJKDujxuZAt9hPU3ga/McEUn1XTS2wl+QpcizBF+7Oj63vK4DZEflEkCty
SQIDAQAB
-----END PUBLIC KEY-----
";

struct Secrets {
    env: HashMap<String, String>,
    file: Option<String>,
}

impl SecretSource for Secrets {
    fn env(&self, name: &str) -> Option<String> {
        self.env.env(name)
    }

    fn file(&self, path: &Path) -> std::io::Result<String> {
        if let Some(content) = &self.file {
            return Ok(content.clone());
        }
        match path.to_str() {
            Some("ed.pem") => Ok(ED_PEM.to_owned()),
            Some("rsa.pem") => Ok(RSA_PEM.to_owned()),
            Some("token") => Ok(format!("{TOKEN}\n")),
            Some("secret") => Ok(format!("{SECRET}\r\n")),
            _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file (fuzz)")),
        }
    }
}

fn environment() -> HashMap<String, String> {
    [
        ("TOKEN", TOKEN.to_owned()),
        ("TOKEN2", TOKEN2.to_owned()),
        ("SUPER", SUPER.to_owned()),
        ("SECRET", SECRET.to_owned()),
        ("CRLF_TOKEN", format!("{TOKEN}\r\n")),
        ("SHORT", "short-secret".to_owned()),
        ("EMPTY", String::new()),
        ("SPACED", format!("  {TOKEN}  ")),
        ("BAD", format!("{TOKEN}-x")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let has_file = data.contains(&0);
    let toml_text = text(input.until(0));
    let file = has_file.then(|| text(input.rest()));
    let secrets = Secrets { env: environment(), file };

    let result = Config::parse(&toml_text, &secrets);
    let shown = match &result {
        Ok(config) => format!("{config:?}"),
        Err(e) => format!("{e} | {e:?}"),
    };
    // A secret the text (or the file) itself spells out may be echoed back as part of it.
    let given = format!("{toml_text}\n{}", secrets.file.as_deref().unwrap_or_default()).to_ascii_lowercase();
    for secret in SECRETS {
        if !given.contains(&secret.to_ascii_lowercase()) {
            assert_no_leak(&shown, secret, "a configured secret");
        }
    }

    if let Ok(config) = result {
        let p = &config.base_path;
        assert!(p.starts_with('/') && p.len() > 1 && !p.ends_with('/'), "base_path {p:?}");
        assert!(!config.projects.is_empty(), "no project");
        assert!(!config.surveys.is_empty(), "no survey");
        for (i, project) in config.projects.iter().enumerate() {
            let id = config.project_named(&project.name).expect("a project is found by its name");
            assert_eq!(id.index(), i, "project names unique");
            assert!(
                (1..=MAX_BUDGET_PER_MINUTE).contains(&project.max_requests_per_minute),
                "budget {}",
                project.max_requests_per_minute
            );
            assert!(project.api_url.path().ends_with("/api/"), "api url {}", project.api_url);
            assert!(matches!(project.api_url.scheme(), "http" | "https"));
            assert!(project.api_url.query().is_none() && project.api_url.password().is_none());
            let token = project.token.expose_secret();
            assert!(!token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric()), "token shape");
        }
        // Every project on exactly one REDCap server, of its own origin, under the strictest budget.
        let mut on_a_server = vec![0; config.projects.len()];
        for server in &config.servers {
            assert!(!server.projects.is_empty(), "a server without projects");
            for &id in &server.projects {
                on_a_server[id.index()] += 1;
                let project = config.project(id);
                assert_eq!(project.api_url.origin().ascii_serialization(), server.origin);
                assert!(server.max_requests_per_minute <= project.max_requests_per_minute);
                assert!(server.ban_pause >= project.ban_pause);
            }
        }
        assert!(on_a_server.iter().all(|&n| n == 1), "each project on one server: {on_a_server:?}");
        let mut keys = std::collections::HashSet::new();
        for survey in &config.surveys {
            assert!(survey.project.index() < config.projects.len(), "survey names a missing project");
            assert!(!survey.title.trim().is_empty(), "empty title");
            assert!(keys.insert(survey.key.clone()), "survey keys unique");
        }
        for origin in &config.allowed_origins {
            assert!(
                origin.starts_with("http://") || origin.starts_with("https://"),
                "allowed origin {origin:?}"
            );
            assert!(!origin.ends_with('/'), "allowed origin with a path {origin:?}");
        }
        match &config.auth.mode {
            AuthMode::Ticket(ticket) => assert!(ticket.leeway.as_secs() <= 60),
            AuthMode::Header(header) => {
                assert!(!config.auth.trusted_proxies.is_empty(), "header mode without trusted proxies");
                if let Some(lookup) = &header.lookup {
                    assert!(lookup.project.index() < config.projects.len(), "lookup names a missing project");
                }
            }
        }
        if let Some(secret) = config.auth.hs256_secret() {
            assert!(secret.len() >= 32, "short HS256 secret accepted");
        }
    }
});
