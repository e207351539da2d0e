//! The [`Simulator`]: binds a socket, runs its own accept loop (so it can drop a connection
//! without answering, go down and come back), and offers the runtime knobs.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::routing::any;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::app::App;
use crate::config::SimConfig;
use crate::faults::Faults;
use crate::listener::{accept_loop, Power};
use crate::model::{FormState, ResponseKey, TokenGrant};
use crate::state::{RecordedCall, State};
use crate::{api, pages, survey_api};

/// A running REDCap simulator. Dropping it stops the server too.
pub struct Simulator {
    app: Arc<App>,
    addr: SocketAddr,
    power: watch::Sender<Power>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `config.listen` and starts answering (needs a Tokio runtime).
    pub async fn start(config: SimConfig) -> io::Result<Simulator> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = base_url_of(addr, &config.base_path)?;
        let survey_path = config
            .survey_base_path
            .as_deref()
            .unwrap_or(&config.base_path);
        let mut survey_base = base_url_of(addr, survey_path)?;
        if let Some(host) = &config.survey_host {
            survey_base
                .set_host(Some(host))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
        let state = State::new(config.seed, config.rate_limit_per_minute, config.rng_seed);
        state.lock().legacy_wording = config.legacy_wording;
        let app = Arc::new(App {
            state,
            base_url: base_url.clone(),
            survey_base,
            survey_host_only: config.survey_host.is_some(),
        });
        let router = router(app.clone(), base_url.path(), app.survey_base.path());
        let (power, power_rx) = watch::channel(Power::Up);
        let task = tokio::spawn(accept_loop(listener, addr, router, power_rx));
        tracing::info!(%base_url, "redcap-sim listening");
        Ok(Simulator {
            app,
            addr,
            power,
            task: Some(task),
        })
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// REDCap's base URL, ending with `/` (e.g. `http://127.0.0.1:41234/`).
    pub fn base_url(&self) -> Url {
        self.app.base_url.clone()
    }

    /// Where survey links point: [`Simulator::base_url`], or the same on
    /// [`SimConfig::survey_host`] (e.g. `http://localhost:41234/`).
    pub fn survey_base_url(&self) -> Url {
        self.app.survey_base.clone()
    }

    /// The API endpoint, `{base}api/`.
    pub fn api_url(&self) -> Url {
        self.app
            .base_url
            .join("api/")
            .expect("a relative path joins")
    }

    /// Every request received on `/api/`, oldest first.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.app.state.lock().calls.clone()
    }

    /// How many requests `/api/` received (banned, failed and dropped ones included).
    pub fn api_call_count(&self) -> usize {
        self.app.state.lock().calls.len()
    }

    /// Forgets the recorded calls.
    pub fn reset_calls(&self) {
        self.app.state.lock().calls.clear();
    }

    /// Switches faults on (replacing the previous ones).
    pub fn set_faults(&self, faults: Faults) {
        self.app.state.lock().faults = faults;
    }

    /// Back to normal answers.
    pub fn clear_faults(&self) {
        self.set_faults(Faults::default());
    }

    /// The per-IP threshold (requests per minute; 0 disables it). Existing bans stay.
    pub fn set_rate_limit(&self, per_minute: u32) {
        self.app.state.lock().limiter.set_per_minute(per_minute);
    }

    /// Lifts every ban, like an administrator in the Control Center.
    pub fn unban_all(&self) {
        self.app.state.lock().limiter.unban_all();
    }

    /// Whether the IP is banned.
    pub fn is_banned(&self, ip: IpAddr) -> bool {
        self.app.state.lock().limiter.is_banned(ip)
    }

    /// Older REDCap wording: `The record 'X' does not exist` instead of `"X"`.
    pub fn set_legacy_wording(&self, legacy: bool) {
        self.app.state.lock().legacy_wording = legacy;
    }

    /// Plays a REDCap older than the API methods `contents` (e.g. `surveyReturnCode`): a call
    /// with one of them answers 400 `The value of the parameter "content" is not valid`, as
    /// REDCap's `API/index.php` does for a `content` it does not know. Empty: every method.
    pub fn set_unknown_contents(&self, contents: &[&str]) {
        self.app.state.lock().unknown_contents = contents.iter().map(|c| (*c).to_owned()).collect();
    }

    /// Adds a record (no data yet) to a project; `false` when the project does not exist.
    pub fn add_record(&self, project: &str, record: &str) -> bool {
        let mut inner = self.app.state.lock();
        let Some(p) = inner.project_mut(project) else {
            return false;
        };
        if !p.has_record(record) {
            p.records.push(record.to_owned());
        }
        true
    }

    /// Sets a field's value for a record (adding the record if needed), e.g. an SSO user name
    /// to find with `filterLogic`; `false` when the project does not exist.
    pub fn set_value(&self, project: &str, record: &str, field: &str, value: &str) -> bool {
        let mut inner = self.app.state.lock();
        let Some(p) = inner.project_mut(project) else {
            return false;
        };
        if !p.has_record(record) {
            p.records.push(record.to_owned());
        }
        p.values
            .insert((record.to_owned(), field.to_owned()), value.to_owned());
        true
    }

    /// Sets a form's state, adding the record if needed; `false` when the project does not
    /// exist. [`FormState::Partial`] gets its return code at once, as in REDCap.
    pub fn set_form_state(&self, project: &str, key: ResponseKey, state: FormState) -> bool {
        if !self.add_record(project, &key.record) {
            return false;
        }
        let mut inner = self.app.state.lock();
        let partial = matches!(state, FormState::Partial { .. });
        if let Some(p) = inner.project_mut(project) {
            p.forms.insert(key.clone(), state);
        }
        if partial {
            inner.return_code(project, &key);
        }
        true
    }

    /// Marks a survey response completed now.
    pub fn complete_response(&self, project: &str, key: ResponseKey) -> bool {
        let at = crate::state::now_timestamp();
        self.set_form_state(project, key, FormState::Completed { at })
    }

    /// A form's state (`None` when the project does not exist).
    pub fn form_state(&self, project: &str, key: &ResponseKey) -> Option<FormState> {
        self.app
            .state
            .lock()
            .project(project)
            .map(|p| p.form_state(key))
    }

    /// The return code of a response if one exists (does not create one).
    pub fn return_code(&self, project: &str, key: &ResponseKey) -> Option<String> {
        let inner = self.app.state.lock();
        inner
            .participant(project, key)
            .and_then(|p| p.return_code.clone())
    }

    /// The survey link of a response if one exists (does not create one).
    pub fn survey_link(&self, project: &str, key: &ResponseKey) -> Option<Url> {
        let inner = self.app.state.lock();
        let hash = inner.participant(project, key)?.hash.clone();
        Url::parse(&survey_api::surveys_url(&self.app.survey_base, "s", &hash)).ok()
    }

    /// Switches a project's survey queue on or off (`surveyQueueLink` then answers REDCap's
    /// "not enabled" error, and queue pages `survey_508`); `false` when the project does not
    /// exist.
    pub fn set_survey_queue(&self, project: &str, enabled: bool) -> bool {
        let mut inner = self.app.state.lock();
        let Some(p) = inner.project_mut(project) else {
            return false;
        };
        p.survey_queue = enabled;
        true
    }

    /// Closes a survey (offline, expired, time limit reached) or opens it again: the API still
    /// hands out links and codes, the survey page says it is closed. `false` when the project
    /// or the survey does not exist.
    pub fn set_survey_closed(&self, project: &str, instrument: &str, closed: bool) -> bool {
        let mut inner = self.app.state.lock();
        let survey = inner
            .project_mut(project)
            .and_then(|p| p.instruments.iter_mut().find(|i| i.name == instrument))
            .and_then(|i| i.survey.as_mut());
        match survey {
            Some(s) => {
                s.closed = closed;
                true
            }
            None => false,
        }
    }

    /// Adds (or replaces) an API token.
    pub fn add_token(&self, token: &str, grant: TokenGrant) {
        self.app.state.lock().tokens.insert(token.to_owned(), grant);
    }

    /// "REDCap is down": closes the listener and every open connection; the port refuses
    /// connections until [`Simulator::come_up`].
    pub fn go_down(&self) {
        self.power.send_replace(Power::Down);
    }

    /// Listens again on the same address after [`Simulator::go_down`].
    pub fn come_up(&self) {
        self.power.send_replace(Power::Up);
    }

    /// Stops the server for good; the port then refuses connections.
    pub async fn shutdown(mut self) {
        self.power.send_replace(Power::Off);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.power.send_replace(Power::Off);
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.app.base_url.as_str())
            .finish()
    }
}

fn base_url_of(addr: SocketAddr, base_path: &str) -> io::Result<Url> {
    let path = format!("/{}/", base_path.trim_matches('/')).replace("//", "/");
    Url::parse(&format!("http://{addr}{path}"))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

fn router(app: Arc<App>, base_path: &str, survey_path: &str) -> Router {
    let api = Router::new()
        .route("/api/", any(api::handle))
        .route("/api", any(api::handle))
        .with_state(app.clone());
    let surveys = Router::new()
        .route("/surveys/", any(pages::handle))
        .route("/surveys", any(pages::handle))
        .with_state(app);
    let under = |prefix: &str, routes: Router| match prefix.trim_end_matches('/') {
        "" => routes,
        prefix => Router::new().nest(prefix, routes),
    };
    under(base_path, api).merge(under(survey_path, surveys))
}
