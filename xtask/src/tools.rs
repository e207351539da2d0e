//! The tools `cargo xtask setup` installs: their pinned versions, their paths, and where they
//! ended up ([`Tools`]). Kept apart from `setup.rs` so that the steps that use tools need not
//! import the installer (and the installer can call those steps without an import circle).

use std::path::PathBuf;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const AXE_VERSION: &str = "4.10.3";
pub const TERSER_VERSION: &str = "5.51.4";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const NGINX: &str = "/usr/sbin/nginx";
pub const REDIS_SERVER: &str = "/usr/bin/redis-server";
/// From Debian's `prometheus` package: checks deploy/alerts.yml.
pub const PROMTOOL: &str = "/usr/bin/promtool";
/// PyCap, the Python REDCap client the simulator's tests drive it with
/// (crates/redcap-sim/tests/pycap.rs finds it at `.tools/pycap/bin/python`).
pub const PYCAP_VERSION: &str = "2.7.0";

/// Where the installed tools are.
pub struct Tools {
    pub cargo_bin: PathBuf,
    pub binaryen_bin: PathBuf,
    pub axe_js: PathBuf,
    pub terser: PathBuf,
}
