//! From names to files: which file each path a module names leads to. `crate::`, `super::`,
//! `self::` and a child module's name start a path inside the crate; a name a module brought in
//! with `use` (a re-export such as `pub use error::ConfigError`) is followed to the file that
//! defines it, so a facade module is not a step of its own.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::circles::refs::Refs;
use crate::circles::tree::{ModPath, Tree};

/// File → the files it names, each with one path that names it (for messages).
pub type Graph = BTreeMap<PathBuf, BTreeMap<PathBuf, String>>;

/// Re-exports followed this deep at most (a `use` loop stops there).
const MAX_HOPS: usize = 16;

/// The file graph of one crate: an edge for every path that leads to another file.
pub fn graph(tree: &Tree, refs: &Refs) -> Graph {
    let mut graph: Graph = tree
        .files
        .keys()
        .map(|f| (f.clone(), BTreeMap::new()))
        .collect();
    for named in &refs.named {
        let Some(from) = tree.modules.get(&named.module) else {
            continue;
        };
        let Some(module) = target(tree, refs, &named.module, &named.segments, 0) else {
            continue;
        };
        let to = &tree.modules[&module];
        if to != from {
            graph
                .entry(from.clone())
                .or_default()
                .entry(to.clone())
                .or_insert_with(|| named.text());
        }
    }
    graph
}

/// The module a path written in `module` leads to, if it stays inside the crate.
fn target(
    tree: &Tree,
    refs: &Refs,
    module: &ModPath,
    segments: &[String],
    hops: usize,
) -> Option<ModPath> {
    let absolute = absolute(tree, module, segments)?;
    let mut at: ModPath = Vec::new();
    for (i, segment) in absolute.iter().enumerate() {
        let mut next = at.clone();
        next.push(segment.clone());
        if tree.modules.contains_key(&next) {
            at = next;
            continue;
        }
        let imported = refs.imports.get(&at).and_then(|names| names.get(segment));
        if let Some(path) = imported.filter(|_| hops < MAX_HOPS) {
            let mut rest = path.clone();
            rest.extend(absolute[i + 1..].iter().cloned());
            if let Some(found) = target(tree, refs, &at, &rest, hops + 1) {
                return Some(found);
            }
        }
        break;
    }
    Some(at)
}

/// The path from the crate root, or `None` for a path that leaves the crate (another crate,
/// `std`, a local name).
fn absolute(tree: &Tree, module: &ModPath, segments: &[String]) -> Option<ModPath> {
    let first = segments.first()?;
    match first.as_str() {
        "crate" => Some(segments[1..].to_vec()),
        "super" => {
            let mut base = module.clone();
            let mut rest = segments;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            Some(base)
        }
        "self" => {
            let mut base = module.clone();
            base.extend(segments[1..].iter().cloned());
            Some(base)
        }
        child => {
            let mut base = module.clone();
            base.push(child.to_owned());
            if !tree.modules.contains_key(&base) {
                return None;
            }
            base.extend(segments[1..].iter().cloned());
            Some(base)
        }
    }
}
