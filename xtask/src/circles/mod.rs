//! No import circle between the files of one crate (docs/ARCHITECTURE.md): for every crate of
//! the workspace (and `fuzz/`), the graph of which file names which — `use crate::…`,
//! `crate::a::b` paths in code, `super::…`, `self::…`, a module's `child::…`, grouped
//! `use crate::{a, b::{c}}` — must have no strongly connected component of more than one file.
//! Test modules (`#[cfg(test)]`) and comments do not count; re-exports are followed to the file
//! that defines the name. Run by the xtask crate's tests (so by `cargo xtask test`) and by
//! `cargo xtask circles`.

mod cycles;
mod refs;
mod resolve;
mod tree;

use std::path::{Path, PathBuf};

pub use cycles::Circle;

/// Circles known and being removed, each as (crate source folder, its files): a circle that
/// matches one exactly passes. An entry that no longer matches any circle is reported (not
/// failed, so the change that removes the circle lands green) and should then be deleted.
const KNOWN: &[(&str, &[&str])] = &[];

/// Every circle of every crate under `workspace`, known ones excepted.
///
/// Errors: one message naming each circle (its files, and the path by which each names the
/// next), or a file that does not parse.
pub fn check(workspace: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut known_seen = vec![false; KNOWN.len()];
    for (src, roots) in crate_roots(workspace) {
        let shown = src.strip_prefix(workspace).unwrap_or(&src).to_owned();
        for root in roots {
            let read = |p: &Path| std::fs::read_to_string(p).ok();
            for circle in circles_of(&root, &read)? {
                let files: Vec<PathBuf> = circle
                    .files
                    .iter()
                    .map(|f| f.strip_prefix(&src).unwrap_or(f).to_owned())
                    .collect();
                let known = KNOWN.iter().position(|(dir, known)| {
                    Path::new(dir) == shown
                        && known.len() == files.len()
                        && known
                            .iter()
                            .all(|k| files.iter().any(|f| f == Path::new(k)))
                });
                match known {
                    Some(i) => known_seen[i] = true,
                    None => problems.push(describe(&shown, &src, &circle)),
                }
            }
        }
    }
    for (seen, (dir, files)) in known_seen.iter().zip(KNOWN) {
        if !seen {
            eprintln!(
                "circles: the known circle {dir}: {} is gone; delete its entry in xtask/src/circles/mod.rs",
                files.join(", ")
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "import circles between files of one crate:\n{}",
            problems.join("\n")
        ))
    }
}

/// The circles of the crate whose root file is `root`.
pub fn circles_of(root: &Path, read: tree::Read) -> Result<Vec<Circle>, String> {
    let tree = tree::load(root, read)?;
    let mut refs = refs::Refs::default();
    for (module, file) in tree.files.values() {
        refs::collect(file, module, &mut refs);
    }
    Ok(cycles::circles(&resolve::graph(&tree, &refs)))
}

/// Each crate's `src/` folder with its root files (`lib.rs`, `main.rs`, `bin/*.rs`).
fn crate_roots(workspace: &Path) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let mut dirs = vec![
        workspace.to_owned(),
        workspace.join("xtask"),
        workspace.join("fuzz"),
    ];
    if let Ok(entries) = std::fs::read_dir(workspace.join("crates")) {
        let mut crates: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        crates.sort();
        dirs.extend(crates);
    }
    let mut out = Vec::new();
    for dir in dirs {
        let src = dir.join("src");
        let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
            .iter()
            .map(|f| src.join(f))
            .filter(|f| f.is_file())
            .collect();
        if let Ok(bins) = std::fs::read_dir(src.join("bin")) {
            let mut bins: Vec<PathBuf> = bins
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .collect();
            bins.sort();
            roots.extend(bins);
        }
        if !roots.is_empty() {
            out.push((src, roots));
        }
    }
    out
}

fn describe(shown: &Path, src: &Path, circle: &Circle) -> String {
    let rel = |f: &PathBuf| f.strip_prefix(src).unwrap_or(f).display().to_string();
    let mut ring: Vec<String> = circle.steps.iter().map(|(f, _)| rel(f)).collect();
    if let Some(first) = ring.first().cloned() {
        ring.push(first);
    }
    let mut text = format!(
        "- {}: {} (component: {})",
        shown.display(),
        ring.join(" -> "),
        circle.files.iter().map(rel).collect::<Vec<_>>().join(", ")
    );
    for (i, (file, path)) in circle.steps.iter().enumerate() {
        let next = &circle.steps[(i + 1) % circle.steps.len()].0;
        text.push_str(&format!(
            "\n    {} names {} by `{path}`",
            rel(file),
            rel(next)
        ));
    }
    text
}

#[cfg(test)]
mod tests;
