//! A crate's module tree, found the way rustc finds it: from a root file (`lib.rs`, `main.rs`)
//! through each `mod name;` to `name.rs` or `name/mod.rs` (or a `#[path]`), with inline
//! `mod name { … }` blocks kept as modules of their own file. Test modules (`#[cfg(test)]`) are
//! left out.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A module's path from the crate root, e.g. `["pages", "survey"]`; the root is `[]`.
pub type ModPath = Vec<String>;

/// Every module of one crate and the file that holds it.
#[derive(Default)]
pub struct Tree {
    /// Each module and its file (inline modules share their parent's file).
    pub modules: BTreeMap<ModPath, PathBuf>,
    /// Each file's parsed text, with the module it starts.
    pub files: BTreeMap<PathBuf, (ModPath, syn::File)>,
}

/// Reads a file's text (`None` when it does not exist).
pub type Read<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// Loads the crate whose root file is `root`.
///
/// Errors: a file that does not parse, or a `mod name;` with no file.
pub fn load(root: &Path, read: Read) -> Result<Tree, String> {
    let mut tree = Tree::default();
    add_file(&mut tree, root, Vec::new(), true, read)?;
    Ok(tree)
}

/// Whether the attributes say `#[cfg(test)]`.
pub fn cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

fn add_file(
    tree: &mut Tree,
    file: &Path,
    module: ModPath,
    owns_dir: bool,
    read: Read,
) -> Result<(), String> {
    let text = read(file).ok_or_else(|| format!("{}: cannot read", file.display()))?;
    let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    tree.modules.insert(module.clone(), file.to_owned());
    // Where `mod child;` files live: beside a root or mod.rs, else in a folder named after it.
    let base = file.parent().unwrap_or(Path::new("")).to_owned();
    let dir = if owns_dir {
        base.clone()
    } else {
        base.join(file.file_stem().unwrap_or_default())
    };
    add_items(tree, file, &base, &dir, &module, &parsed.items, read)?;
    tree.files.insert(file.to_owned(), (module, parsed));
    Ok(())
}

fn add_items(
    tree: &mut Tree,
    file: &Path,
    base: &Path,
    dir: &Path,
    module: &ModPath,
    items: &[syn::Item],
    read: Read,
) -> Result<(), String> {
    for item in items {
        let syn::Item::Mod(m) = item else { continue };
        if cfg_test(&m.attrs) {
            continue;
        }
        let name = m.ident.to_string();
        let mut child = module.clone();
        child.push(name.clone());
        if let Some((_, inner)) = &m.content {
            tree.modules.insert(child.clone(), file.to_owned());
            add_items(tree, file, base, &dir.join(&name), &child, inner, read)?;
            continue;
        }
        let (path, owns_dir) = match path_attr(&m.attrs) {
            Some(p) => (normalize(&base.join(p)), true),
            None => {
                let flat = dir.join(format!("{name}.rs"));
                if read(&flat).is_some() {
                    (flat, false)
                } else {
                    (dir.join(&name).join("mod.rs"), true)
                }
            }
        };
        add_file(tree, &path, child, owns_dir, read)?;
    }
    Ok(())
}

/// `#[path = "…"]`'s value.
fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
