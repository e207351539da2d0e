//! The real server in demo mode: the widget files, the API, the demo sign-in, and the REDCap
//! simulator, all on 127.0.0.1 with ports chosen by the OS.

use std::net::SocketAddr;

use redcap_resume::demo::Demo;
use redcap_sim::Simulator;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running demo server; dropping it stops the server and the simulator.
pub struct Server {
    pub demo: Demo,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Server {
    /// Starts the simulator and the server (serving `paths::dist_dir()`) on free ports.
    pub async fn start() -> Server {
        let demo = Demo::start(Some(crate::paths::dist_dir()))
            .await
            .expect("the demo starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (stop, stopped) = oneshot::channel::<()>();
        let app = demo
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { _ = stopped.await })
                .await
                .expect("the server runs");
        });
        Server {
            demo,
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The REDCap simulator behind the server.
    pub fn sim(&self) -> &Simulator {
        &self.demo.sim
    }

    /// The title the server's configuration gives survey `key` (what the card's title shows).
    pub fn survey_title(&self, key: &str) -> String {
        self.demo
            .state
            .config
            .surveys
            .iter()
            .find(|s| s.key.as_str() == key)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| panic!("the demo configures no survey `{key}`"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            _ = stop.send(());
        }
        // The browser may still hold keep-alive connections: do not wait for them.
        self.task.abort();
    }
}
