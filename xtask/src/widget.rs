//! Building the widget with trunk, and its size budget.

use std::path::Path;

use crate::process::{cargo, path_with_tools, run, workspace_root};
use crate::tools::Tools;

/// wasm + js, brotli-compressed, that the embed snippet loads: the hard limit (the size check
/// fails above it).
pub const BUDGET_BYTES: usize = 80 * 1024;
/// What we aim for, reported beside the figure.
pub const GOAL_BYTES: usize = 64 * 1024;

/// Compiler flags for the release widget only: no file/line/column strings in panics and no
/// `Debug` formatting code (the widget never shows either). They are unstable flags, accepted
/// on the stable toolchain through `RUSTC_BOOTSTRAP=1`, which this build alone sets: together
/// they save ~4 KB of wasm (~1.5 KB brotli).
const SIZE_RUSTFLAGS: &str = "-Zlocation-detail=none -Zfmt-debug=none";

/// The wasm features the release build uses (Rust 1.95's wasm32 defaults), for wasm-opt.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn build(tools: &Tools) -> Result<(), String> {
    let root = workspace_root();
    // trunk runs cargo offline (it must never reach for GitHub); fetch crates first.
    run(cargo(tools).args(["fetch", "--quiet"]), "cargo fetch")?;
    eprintln!("widget: trunk build --release (RUSTFLAGS=\"{SIZE_RUSTFLAGS}\")");
    run(
        std::process::Command::new(tools.cargo_bin.join("trunk"))
            .args(["build", "--release"])
            .current_dir(&root)
            .env("PATH", path_with_tools(tools))
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("TRUNK_OFFLINE", "true")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", SIZE_RUSTFLAGS)
            .env_remove("NO_COLOR"),
        "trunk build --release",
    )?;
    strip_unused_exports(tools)?;
    minify(tools)?;
    crate::dist::precompressed::write(&root.join("dist"))
}

/// What wasm-opt may assume about Rust's wasm32 output, each true of it, which lets it fold
/// address arithmetic and drop guards (~500 B brotli together):
/// - `--ignore-implicit-traps`: no load or store is out of bounds and no division by zero or
///   float-to-int conversion traps implicitly (safe Rust checks these before the instruction;
///   the float conversions are the saturating ones);
/// - `--low-memory-unused`: nothing lives below address 1024 (the linker puts the 1 MiB
///   stack first, so only a stack overflow could reach it, and that traps);
/// - `--zero-filled-memory`: the module defines its own memory (not imported), which starts
///   zeroed.
const ASSUMPTIONS: [&str; 3] = [
    "--ignore-implicit-traps",
    "--low-memory-unused",
    "--zero-filled-memory",
];

/// Leptos always links `server_fn`'s browser support, whose `wasm-streams` classes are wasm
/// exports (so no dead-code pass may drop them) although a client-side widget never streams a
/// server function. Removing those exports lets wasm-opt drop their code (~1.2 KB brotli).
/// The glue keeps the (never constructed) JS classes.
fn strip_unused_exports(tools: &Tools) -> Result<(), String> {
    let wasm = workspace_root().join("dist/redcap-resume-widget_bg.wasm");
    run(
        std::process::Command::new(tools.binaryen_bin.join("wasm-opt"))
            .arg(&wasm)
            .args(WASM_FEATURES)
            .args([
                "--remove-exports=intounderlying*",
                "--remove-exports=__wbg_intounderlying*",
            ])
            .args(ASSUMPTIONS)
            .args(["-Oz", "--converge", "--strip-producers", "-o"])
            .arg(&wasm),
        "wasm-opt (removing wasm-streams exports)",
    )
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
    // Loaded apart from the card's files: the classic autoload script and the modules.
    for name in OUTSIDE_BUDGET.iter().filter(|n| dist.join(n).exists()) {
        let file = dist.join(name);
        let module = !name.ends_with("-autoload.js");
        run(
            std::process::Command::new(&tools.terser)
                .arg(&file)
                .args(module.then_some("--module"))
                .args(["--compress", "--mangle", "--output"])
                .arg(&file)
                .env("PATH", path_with_tools(tools)),
            &format!("terser {name}"),
        )?;
    }
    Ok(())
}

/// Shipped scripts that the embed snippet does not load: the site-wide placeholder script
/// (loads the loader only when a placeholder appears), the card without WebAssembly
/// (imported only when the wasm cannot run) and the queue link and QR code (imported only
/// for a card with `queue` or `qr`). Printed, but not counted in the budget.
pub const OUTSIDE_BUDGET: [&str; 3] = [
    "redcap-resume-autoload.js",
    "redcap-resume-plain.js",
    "redcap-resume-more.js",
];

fn brotli_len(bytes: &[u8]) -> usize {
    crate::dist::precompressed::brotli(bytes).len()
}

/// The files the embed snippet loads: every .wasm and .js in dist/ except the demo page's own.
fn shipped_files(dist: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e} (build the widget first)", dist.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (name.ends_with(".wasm") || name.ends_with(".js"))
                && !name.starts_with("demo")
                && !OUTSIDE_BUDGET.contains(&name)
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Prints the figure; fails above the budget, or when a shipped script is missing from
/// dist/. Returns the total.
pub fn check_size() -> Result<usize, String> {
    check_size_in(&workspace_root().join("dist"))
}

fn check_size_in(dist: &Path) -> Result<usize, String> {
    // trunk copies them only through www/index.html's copy-file links: a lost link would ship
    // a widget whose placeholders and no-wasm fallback silently 404.
    let missing: Vec<_> = OUTSIDE_BUDGET
        .iter()
        .filter(|name| !dist.join(name).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} missing {missing:?}: www/index.html must copy each with <link data-trunk rel=\"copy-file\" href=\"…\">",
            dist.display()
        ));
    }
    let files = shipped_files(dist)?;
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
    let verdict = |limit: usize| match total <= limit {
        true => format!("{} B under", limit - total),
        false => format!("{} B over", total - limit),
    };
    eprintln!(
        "size: widget wasm + js = {total} B brotli; budget {BUDGET_BYTES} B ({}), goal {GOAL_BYTES} B ({})",
        verdict(BUDGET_BYTES),
        verdict(GOAL_BYTES)
    );
    for name in OUTSIDE_BUDGET {
        let bytes = std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"))?;
        eprintln!(
            "size: {:<32} {:>8} B raw {:>7} B brotli (outside the budget: loaded only when needed)",
            name,
            bytes.len(),
            brotli_len(&bytes)
        );
    }
    if total > BUDGET_BYTES {
        return Err(format!(
            "the widget is {total} B brotli, over the {BUDGET_BYTES} B budget"
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_page_copies_every_shipped_script_into_dist() {
        let page = std::fs::read_to_string(workspace_root().join("www/index.html")).unwrap();
        // The glue and the wasm come from the rust link; everything else is a copy-file link.
        let built = ["redcap-resume-widget.js", "redcap-resume-widget_bg.wasm"];
        for name in crate::dist::files::widget_files().filter(|n| !built.contains(n)) {
            // A file in a folder (the language files) comes with its folder's copy-dir link.
            let link = match name.split_once('/') {
                Some((folder, _)) => format!(r#"<link data-trunk rel="copy-dir" href="{folder}">"#),
                None => format!(r#"<link data-trunk rel="copy-file" href="{name}">"#),
            };
            assert!(
                page.contains(&link),
                "www/index.html does not copy {name} into dist/"
            );
            assert!(
                workspace_root().join("www").join(name).is_file(),
                "www/{name}"
            );
        }
        for name in OUTSIDE_BUDGET {
            assert!(
                crate::dist::files::widget_files().any(|f| f == name),
                "{name} is published"
            );
        }
    }

    #[test]
    fn the_size_step_fails_when_a_script_outside_the_budget_is_missing() {
        let dist = std::env::temp_dir().join(format!("xtask-size-{}", std::process::id()));
        std::fs::create_dir_all(&dist).unwrap();
        for name in [
            "redcap-resume.js",
            "redcap-resume-widget.js",
            "redcap-resume-widget_bg.wasm",
        ] {
            std::fs::write(dist.join(name), b"x").unwrap();
        }
        std::fs::write(dist.join("redcap-resume-autoload.js"), b"x").unwrap();
        let err = check_size_in(&dist).unwrap_err();
        assert!(err.contains("redcap-resume-plain.js"), "{err}");
        assert!(!err.contains("autoload"), "{err}");
        std::fs::write(dist.join("redcap-resume-plain.js"), b"x").unwrap();
        std::fs::write(dist.join("redcap-resume-more.js"), b"x").unwrap();
        assert!(check_size_in(&dist).is_ok());
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
