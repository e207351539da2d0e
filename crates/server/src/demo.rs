//! `redcap-resume demo`: the whole thing on loopback with nothing installed.
//!
//! Only in a build with the `demo` feature (`cargo xtask demo`, the tests): the binary an
//! institution deploys carries no simulator. Demo-only code lives here and nowhere else: the
//! in-process REDCap simulator, a generated configuration, and a sign-in that takes a bare
//! record id and sets the ticket cookie — which `serve` never offers.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use redcap_client::RecordId;
use redcap_sim::{SimConfig, Simulator};
use serde::Deserialize;

use crate::app::{app, AppState};
use crate::config::{Config, SocketLimits};
use crate::serve::serve_router;
use crate::ticket::TicketIssuer;

/// `redcap-resume demo`: the simulator and the server with the demo sign-in on `listen`, the
/// widget from `public_dir`, until `shutdown` resolves.
pub async fn run(
    listen: SocketAddr,
    public_dir: PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    if !public_dir.join("redcap-resume.js").exists() {
        tracing::warn!(dir = %public_dir.display(), "the built widget is missing: run `cargo xtask demo` (it builds it with trunk)");
    }
    let demo = Demo::start(Some(public_dir)).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("--listen {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "redcap-resume demo: open http://{addr}/  (REDCap simulator at {})",
        demo.sim.api_url()
    );
    println!("Press Ctrl-C to stop.");
    serve_router(listener, demo.router(), SocketLimits::default(), shutdown)
        .await
        .map_err(|e| e.to_string())?;
    demo.sim.shutdown().await;
    Ok(())
}

/// How long a demo sign-in lasts.
const DEMO_TICKET_TTL: Duration = Duration::from_secs(3600);

/// The demo's surveys, one of each kind the simulator's seed has: classic with status,
/// longitudinal, repeating, Save & Return Later off, completed-but-editable.
pub const DEMO_SURVEYS: &str = r#"[surveys.baseline]
title = "Baseline questionnaire"
instrument = "baseline_survey"
status = true

[surveys.month3]
project = "cohort"
title = "Three-month follow-up"
instrument = "month_3"
event = "month_3_arm_1"
status = true

[surveys.diary]
title = "Weekly diary (week 2)"
instrument = "weekly_diary"
repeat_instance = 2
status = true

[surveys.consent]
title = "Consent form"
instrument = "consent"

[surveys.exit]
title = "Exit survey"
instrument = "exit_survey"
status = true
allow_completed_edit = true
"#;

/// What `demo` adds to [`DEMO_SURVEYS`]: the study's contact line in the widget's three
/// built-in languages, and a Survey Login survey (the simulator's `clinic_checkin`).
pub const DEMO_STUDY: &str = r#"[study.contact]
en = "Questions? Call the study team at 555-0100."
es = "¿Preguntas? Llame al equipo del estudio al 555-0100."
fr = "Des questions ? Appelez l'équipe de l'étude au 555-0100."

[surveys.checkin]
title = "Clinic check-in"
instrument = "clinic_checkin"
status = true
survey_login = true
"#;

/// The demo's configuration, pointing at a running simulator.
/// The demo's ticket cookie. Not the `__Host-` default: the demo serves plain HTTP on
/// loopback, where a `__Host-` cookie (which must be `Secure`) is refused by some browsers
/// (WebKit never treats `http://localhost` as secure for cookies).
pub const DEMO_COOKIE: &str = "redcap_resume_ticket";

pub fn demo_config(sim: &Simulator, secret: &str, public_dir: Option<PathBuf>) -> Config {
    let text = format!(
        r#"
listen = "127.0.0.1:0"
[redcap]
url = "{api}"
token_env = "DEMO_REDCAP_TOKEN"
timeout_ms = 3000
max_requests_per_minute = 300
languages = {{ es = "es-MX" }}

[projects.cohort]
url = "{api}"
token_env = "DEMO_COHORT_TOKEN"
timeout_ms = 3000

[auth]
ticket_secret_env = "DEMO_TICKET_SECRET"
cookie_name = "{DEMO_COOKIE}"

{DEMO_STUDY}
{surveys}"#,
        api = sim.api_url(),
        surveys = DEMO_SURVEYS,
    );
    let secrets: HashMap<String, String> = [
        (
            "DEMO_REDCAP_TOKEN".to_owned(),
            redcap_sim::seed::DEMO_TOKEN.to_owned(),
        ),
        (
            "DEMO_COHORT_TOKEN".to_owned(),
            redcap_sim::seed::COHORT_TOKEN.to_owned(),
        ),
        ("DEMO_TICKET_SECRET".to_owned(), secret.to_owned()),
    ]
    .into_iter()
    .collect();
    let mut config = Config::parse(&text, &secrets).expect("the demo configuration is valid");
    config.public_dir = public_dir;
    config
}

/// A running demo: the simulator and the application state.
pub struct Demo {
    pub sim: Simulator,
    pub state: Arc<AppState>,
    secret: String,
}

impl Demo {
    /// Starts the simulator on loopback and builds the server state for it.
    pub async fn start(public_dir: Option<PathBuf>) -> Result<Demo, String> {
        let sim = Simulator::start(SimConfig::default())
            .await
            .map_err(|e| format!("cannot start the REDCap simulator: {e}"))?;
        let secret = random_secret();
        let config = demo_config(&sim, &secret, public_dir);
        let state = AppState::new(config)?;
        Ok(Demo { sim, state, secret })
    }

    /// The server's router plus the demo-only sign-in routes.
    pub fn router(&self) -> Router {
        let issuer = Arc::new(TicketIssuer::hs256(&self.secret));
        let demo_routes = Router::new()
            .route("/demo/sign-in", post(sign_in))
            .route("/demo/sign-out", post(sign_out))
            .with_state(issuer);
        let demo_routes = crate::app::layers::hardened(demo_routes, None);
        demo_routes.merge(app(self.state.clone()))
    }

    /// Mints a ticket the way a portal would (for tests).
    pub fn ticket(&self, record: &str, ttl: Duration) -> String {
        TicketIssuer::hs256(&self.secret)
            .mint(record, ttl)
            .expect("HS256 signing cannot fail")
    }

    /// A ticket that expired ten minutes ago (for tests of the "sign in again" state).
    pub fn expired_ticket(&self, record: &str) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        TicketIssuer::hs256(&self.secret)
            .mint_expiring_at(record, now.saturating_sub(600))
            .expect("HS256 signing cannot fail")
    }
}

fn random_secret() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 48)
}

#[derive(Deserialize)]
struct SignIn {
    record: String,
}

async fn sign_in(State(issuer): State<Arc<TicketIssuer>>, Form(form): Form<SignIn>) -> Response {
    let Ok(record) = RecordId::parse(form.record.trim()) else {
        return (StatusCode::BAD_REQUEST, "not a record id").into_response();
    };
    let Ok(ticket) = issuer.mint(record.as_str(), DEMO_TICKET_TTL) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let cookie = format!(
        "{DEMO_COOKIE}={ticket}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        DEMO_TICKET_TTL.as_secs()
    );
    redirect_with_cookie(&cookie)
}

async fn sign_out() -> Response {
    redirect_with_cookie(&format!(
        "{DEMO_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
}

fn redirect_with_cookie(cookie: &str) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
