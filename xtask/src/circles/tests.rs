use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{check, circles_of, Circle};

/// Circles of an in-memory crate rooted at `src/lib.rs`.
fn circles(files: &[(&str, &str)]) -> Vec<Circle> {
    let files: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (Path::new("src").join(p), (*t).to_owned()))
        .collect();
    let read = |p: &Path| files.get(p).cloned();
    circles_of(Path::new("src/lib.rs"), &read).expect("the tree parses")
}

fn names(c: &Circle) -> Vec<String> {
    c.files
        .iter()
        .map(|f| f.strip_prefix("src").unwrap().display().to_string())
        .collect()
}

#[test]
fn a_two_file_circle_is_found_and_named() {
    let found = circles(&[
        ("lib.rs", "mod server; mod listener;"),
        (
            "server.rs",
            "use crate::listener::accept; pub struct ConnInfo;",
        ),
        (
            "listener.rs",
            "pub fn accept(_: crate::server::ConnInfo) {}",
        ),
    ]);
    assert_eq!(found.len(), 1);
    assert_eq!(names(&found[0]), ["listener.rs", "server.rs"]);
    let paths: Vec<&str> = found[0].steps.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["crate::server::ConnInfo", "crate::listener::accept"]
    );
}

#[test]
fn no_circle_when_the_shared_type_has_its_own_file() {
    let found = circles(&[
        ("lib.rs", "mod server; mod listener; mod conn;"),
        ("conn.rs", "pub struct ConnInfo;"),
        (
            "server.rs",
            "use crate::listener::accept; use crate::conn::ConnInfo;",
        ),
        ("listener.rs", "pub fn accept(_: crate::conn::ConnInfo) {}"),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn grouped_imports_super_and_mod_rs_children() {
    let found = circles(&[
        ("lib.rs", "mod pages; mod api;"),
        ("api.rs", "pub struct Params;"),
        (
            "pages/mod.rs",
            "mod survey; pub const WRONG: &str = \"\"; fn handle() { survey::answer() }",
        ),
        (
            "pages/survey/mod.rs",
            "use crate::{api::{Params}, pages::{self}}; pub fn answer() { let _ = super::WRONG; }",
        ),
    ]);
    assert_eq!(found.len(), 1);
    assert_eq!(names(&found[0]), ["pages/mod.rs", "pages/survey/mod.rs"]);
}

#[test]
fn deeper_circles_through_three_files() {
    let found = circles(&[
        ("lib.rs", "mod a; mod b; mod c;"),
        ("a.rs", "fn f() { crate::b::g() }"),
        ("b.rs", "pub fn g() { crate::c::h() }"),
        ("c.rs", "pub fn h() { let _: crate::a::T; }"),
    ]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].steps.len(), 3);
}

#[test]
fn tests_comments_and_other_crates_do_not_count() {
    let found = circles(&[
        ("lib.rs", "mod a; mod b;"),
        ("a.rs", "pub fn f() { crate::b::g() }"),
        (
            "b.rs",
            "// crate::a::f\n/// crate::a::f\npub(crate) fn g() { other::a::f() }\n\
             pub(in crate::a) fn k() {}\n\
             #[cfg(test)] mod tests { use crate::a::f; }\n\
             #[cfg(test)] fn helper() { crate::a::f() }",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn re_exports_lead_to_the_defining_file() {
    // config/mod.rs re-exports the error; its children name it through the facade.
    let found = circles(&[
        ("lib.rs", "mod config;"),
        (
            "config/mod.rs",
            "mod error; mod shared; pub use error::ConfigError; use shared::Shared;",
        ),
        ("config/error.rs", "pub enum ConfigError {}"),
        (
            "config/shared.rs",
            "use super::ConfigError; pub struct Shared;",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
    // The same child naming an item the parent defines itself is a circle.
    let found = circles(&[
        ("lib.rs", "mod config;"),
        (
            "config/mod.rs",
            "mod shared; pub enum ConfigError {} use shared::Shared;",
        ),
        (
            "config/shared.rs",
            "use super::ConfigError; pub struct Shared;",
        ),
    ]);
    assert_eq!(found.len(), 1);
}

#[test]
fn the_workspace_has_no_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    if let Err(e) = check(root) {
        panic!("{e}");
    }
}
