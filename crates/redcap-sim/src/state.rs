//! The simulator's mutable state behind one mutex: projects, tokens, survey hashes and return
//! codes, the recorded calls, fault settings and the rate limiter.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::faults::Faults;
use crate::model::{FormState, Project, ResponseKey, TokenGrant};
use crate::ratelimit::RateLimiter;
use crate::seed::Seed;

/// The characters REDCap draws return codes from (no look-alikes such as 0/O, 1/I).
pub const RETURN_CODE_CHARS: &str = "34789ACDEFHJKLMNPRTWXY";
/// Length of a return code.
pub const RETURN_CODE_LEN: usize = 8;
/// Length of a survey hash (`?s=`) in current REDCap versions.
pub const SURVEY_HASH_LEN: usize = 16;
const HASH_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const QUEUE_HASH_LEN: usize = 10;

/// One request the simulator received on `/api/`.
#[derive(Debug, Clone)]
pub struct RecordedCall {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request path, e.g. `/api/`.
    pub path: String,
    /// The `content` form field, if any.
    pub content: Option<String>,
    /// Every form field in order (the token included: this is a simulator).
    pub form: Vec<(String, String)>,
    /// The client's IP address.
    pub client_ip: IpAddr,
    /// When it arrived.
    pub at: SystemTime,
}

impl RecordedCall {
    /// The first value of a form field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The survey participant behind one response: its link hash and return code.
#[derive(Debug, Clone)]
pub(crate) struct Participant {
    pub hash: String,
    pub return_code: Option<String>,
}

pub(crate) struct Inner {
    pub projects: Vec<Project>,
    pub tokens: HashMap<String, TokenGrant>,
    participants: HashMap<(String, ResponseKey), Participant>,
    by_hash: HashMap<String, (String, ResponseKey)>,
    queue_hashes: HashMap<(String, String), String>,
    codes_in_use: HashSet<String>,
    pub calls: Vec<RecordedCall>,
    pub faults: Faults,
    pub limiter: RateLimiter,
    pub legacy_wording: bool,
    /// `content` values answered as unknown, as a REDCap older than those methods does.
    pub unknown_contents: Vec<String>,
    rng: StdRng,
}

/// Shared state; every handler locks it briefly (never across an `.await`).
pub(crate) struct State {
    inner: Mutex<Inner>,
}

impl State {
    pub(crate) fn new(seed: Seed, rate_limit: u32, rng_seed: Option<u64>) -> Self {
        let rng = match rng_seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let mut inner = Inner {
            projects: seed.projects,
            tokens: seed.tokens.into_iter().collect(),
            participants: HashMap::new(),
            by_hash: HashMap::new(),
            queue_hashes: HashMap::new(),
            codes_in_use: HashSet::new(),
            calls: Vec::new(),
            faults: Faults::default(),
            limiter: RateLimiter::new(rate_limit),
            legacy_wording: false,
            unknown_contents: Vec::new(),
            rng,
        };
        inner.give_partial_responses_codes();
        State {
            inner: Mutex::new(inner),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not poison the simulator for the others.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    pub(crate) fn project(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }

    pub(crate) fn project_mut(&mut self, name: &str) -> Option<&mut Project> {
        self.projects.iter_mut().find(|p| p.name == name)
    }

    /// The participant of a response, if one was created.
    pub(crate) fn participant(&self, project: &str, key: &ResponseKey) -> Option<&Participant> {
        self.participants.get(&(project.to_owned(), key.clone()))
    }

    /// The survey hash of a response, created on first use and stable after.
    pub(crate) fn survey_hash(&mut self, project: &str, key: &ResponseKey) -> String {
        let id = (project.to_owned(), key.clone());
        if let Some(p) = self.participants.get(&id) {
            return p.hash.clone();
        }
        let hash = loop {
            let h = self.random(HASH_CHARS, SURVEY_HASH_LEN);
            if !self.by_hash.contains_key(&h) {
                break h;
            }
        };
        self.by_hash.insert(hash.clone(), id.clone());
        self.participants.insert(
            id,
            Participant {
                hash: hash.clone(),
                return_code: None,
            },
        );
        hash
    }

    /// The return code of a response, created on first use and stable after.
    pub(crate) fn return_code(&mut self, project: &str, key: &ResponseKey) -> String {
        self.survey_hash(project, key);
        let id = (project.to_owned(), key.clone());
        if let Some(code) = self
            .participants
            .get(&id)
            .and_then(|p| p.return_code.clone())
        {
            return code;
        }
        let code = loop {
            let c = self.random(RETURN_CODE_CHARS.as_bytes(), RETURN_CODE_LEN);
            if self.codes_in_use.insert(c.clone()) {
                break c;
            }
        };
        if let Some(p) = self.participants.get_mut(&id) {
            p.return_code = Some(code.clone());
        }
        code
    }

    /// Which response a survey hash belongs to.
    pub(crate) fn lookup_hash(&self, hash: &str) -> Option<(String, ResponseKey)> {
        self.by_hash.get(hash).cloned()
    }

    /// The survey queue hash of a record, created on first use.
    pub(crate) fn queue_hash(&mut self, project: &str, record: &str) -> String {
        let id = (project.to_owned(), record.to_owned());
        if let Some(h) = self.queue_hashes.get(&id) {
            return h.clone();
        }
        let h = self.random(HASH_CHARS, QUEUE_HASH_LEN);
        self.queue_hashes.insert(id, h.clone());
        h
    }

    /// The (project, record) of a survey queue hash.
    pub(crate) fn lookup_queue_hash(&self, hash: &str) -> Option<(String, String)> {
        self.queue_hashes
            .iter()
            .find(|(_, h)| *h == hash)
            .map(|(id, _)| id.clone())
    }

    fn random(&mut self, chars: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| chars[self.rng.gen_range(0..chars.len())] as char)
            .collect()
    }

    /// Responses saved with Save & Return Later already have a code (REDCap made it then).
    fn give_partial_responses_codes(&mut self) {
        let partial: Vec<(String, ResponseKey)> = self
            .projects
            .iter()
            .flat_map(|p| {
                p.forms
                    .iter()
                    .filter(|(_, s)| matches!(s, FormState::Partial { .. }))
                    .map(|(k, _)| (p.name.clone(), k.clone()))
            })
            .collect();
        for (project, key) in partial {
            self.return_code(&project, &key);
        }
    }
}

/// The current UTC time as REDCap writes it: `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn now_timestamp() -> String {
    // `2026-11-27T18:04:05Z` → `2026-11-27 18:04:05`
    let rfc3339 = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    rfc3339.trim_end_matches('Z').replacen('T', " ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_redcaps() {
        let t = now_timestamp();
        assert_eq!(t.len(), 19, "{t}");
        assert_eq!((&t[4..5], &t[10..11], &t[13..14]), ("-", " ", ":"), "{t}");
    }

    #[test]
    fn codes_and_hashes_are_stable_and_well_formed() {
        let state = State::new(Seed::standard(), 600, Some(7));
        let mut inner = state.lock();
        let key = ResponseKey::classic(crate::seed::RECORD_NOT_STARTED, crate::seed::BASELINE);
        let code = inner.return_code("demo", &key);
        assert_eq!(code.len(), RETURN_CODE_LEN);
        assert!(code.chars().all(|c| RETURN_CODE_CHARS.contains(c)));
        assert_eq!(inner.return_code("demo", &key), code);
        let hash = inner.survey_hash("demo", &key);
        assert_eq!(hash.len(), SURVEY_HASH_LEN);
        assert!(hash.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(inner.lookup_hash(&hash), Some(("demo".into(), key)));
    }
}
