//! Building the widget with trunk, and its size budget.

use std::io::Write;
use std::path::Path;

use crate::process::{cargo, path_with_tools, run, workspace_root};
use crate::setup::Tools;

/// wasm + js, brotli-compressed, that the embed snippet loads. The hard limit.
pub const BUDGET_BYTES: usize = 64 * 1024;
/// What we aim for.
pub const GOAL_BYTES: usize = 50 * 1024;

pub fn build(tools: &Tools) -> Result<(), String> {
    let root = workspace_root();
    // trunk runs cargo offline (it must never reach for GitHub); fetch crates first.
    run(cargo(tools).args(["fetch", "--quiet"]), "cargo fetch")?;
    eprintln!("widget: trunk build --release");
    run(
        std::process::Command::new(tools.cargo_bin.join("trunk"))
            .args(["build", "--release"])
            .current_dir(&root)
            .env("PATH", path_with_tools(tools))
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("TRUNK_OFFLINE", "true")
            .env_remove("NO_COLOR"),
        "trunk build --release",
    )?;
    minify(tools)
}

/// The JavaScript the embed snippet loads: the wasm-bindgen glue and our loader, minified in
/// place (ES modules; names are mangled only inside them, exports stay).
fn minify(tools: &Tools) -> Result<(), String> {
    let dist = workspace_root().join("dist");
    for name in ["redcap-resume-widget.js", "redcap-resume.js"] {
        let file = dist.join(name);
        run(
            std::process::Command::new(&tools.terser)
                .arg(&file)
                .args(["--module", "--compress", "--mangle", "--output"])
                .arg(&file)
                .env("PATH", path_with_tools(tools)),
            &format!("terser {name}"),
        )?;
    }
    Ok(())
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes).expect("writing to memory");
    }
    out.len()
}

/// The files the embed snippet loads: every .wasm and .js in dist/ except the demo page's own.
fn shipped_files(dist: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e} (build the widget first)", dist.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (name.ends_with(".wasm") || name.ends_with(".js")) && !name.starts_with("demo")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Prints the figure; fails above the budget. Returns the total.
pub fn check_size() -> Result<usize, String> {
    let dist = workspace_root().join("dist");
    let files = shipped_files(&dist)?;
    if !files
        .iter()
        .any(|f| f.extension().is_some_and(|e| e == "wasm"))
    {
        return Err(format!("no .wasm in {}", dist.display()));
    }
    let mut total = 0;
    for file in &files {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let compressed = brotli_len(&bytes);
        total += compressed;
        eprintln!(
            "size: {:<32} {:>8} B raw {:>7} B brotli",
            file.file_name().unwrap_or_default().to_string_lossy(),
            bytes.len(),
            compressed
        );
    }
    eprintln!(
        "size: widget wasm + js = {total} B brotli (budget {BUDGET_BYTES} B, goal {GOAL_BYTES} B)"
    );
    if total > BUDGET_BYTES {
        return Err(format!(
            "the widget is {total} B brotli, over the {BUDGET_BYTES} B budget"
        ));
    }
    Ok(total)
}
