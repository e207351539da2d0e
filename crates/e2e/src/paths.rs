//! Where things are: the built widget (`dist/`), axe-core, and the screenshot folder.

use std::path::{Path, PathBuf};

const BUILD_HINT: &str = "run `cargo xtask test` (it builds the widget)";

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The release-built widget: `$REDCAP_RESUME_DIST`, else `<workspace>/dist`. Panics (never
/// skips) when a file the pages need is missing.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("REDCAP_RESUME_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    for file in [
        "index.html",
        "embed.html",
        "redcap-resume.js",
        "redcap-resume-autoload.js",
        "redcap-resume-plain.js",
        "redcap-resume-more.js",
        "redcap-resume-widget.js",
        "redcap-resume-widget_bg.wasm",
    ] {
        let path = dir.join(file);
        assert!(
            path.is_file(),
            "the built widget is missing {}: {BUILD_HINT}",
            path.display()
        );
    }
    dir
}

/// axe-core's `axe.min.js`: `$REDCAP_RESUME_AXE`, else where `cargo xtask setup` puts it.
pub fn axe_js() -> PathBuf {
    let path = std::env::var_os("REDCAP_RESUME_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools/axe/node_modules/axe-core/axe.min.js"));
    assert!(
        path.is_file(),
        "axe-core is missing ({}): run `cargo xtask test` (its setup step installs axe-core)",
        path.display()
    );
    path
}

/// `target/e2e/` in the workspace's target directory (created): screenshots of each state.
pub fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|t| workspace_root().join(t)) // an absolute path replaces the root
        .unwrap_or_else(|| workspace_root().join("target"));
    let dir = target.join("e2e");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}
