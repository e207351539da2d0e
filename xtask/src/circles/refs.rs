//! What each module names: every `use` (groups expanded, `as` renames kept) and every other
//! path in its code (types, calls, patterns, macro names), with the module that names it.
//! Items marked `#[cfg(test)]` are left out; comments never reach the parser.

use std::collections::BTreeMap;

use syn::visit::{self, Visit};

use crate::circles::tree::{cfg_test, ModPath};

/// One path as written, e.g. `crate::pages::html::escape`, named in `module`.
#[derive(Debug, Clone)]
pub struct Named {
    pub module: ModPath,
    pub segments: Vec<String>,
}

impl Named {
    /// The path as written (`a::b::c`), for messages.
    pub fn text(&self) -> String {
        self.segments.join("::")
    }
}

/// What the files of a crate name, and the names each module's `use` brings in.
#[derive(Debug, Default)]
pub struct Refs {
    pub named: Vec<Named>,
    /// Per module: a name brought in by `use` → the path it stands for (as written there).
    pub imports: BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
}

/// Collects what one file names; `module` is the module the file starts.
pub fn collect(file: &syn::File, module: &ModPath, refs: &mut Refs) {
    let mut v = Collector {
        module: module.clone(),
        refs,
    };
    for item in &file.items {
        v.visit_item(item);
    }
}

struct Collector<'a> {
    module: ModPath,
    refs: &'a mut Refs,
}

impl Collector<'_> {
    fn name(&mut self, segments: Vec<String>) {
        let keyword = |s: &String| matches!(s.as_str(), "crate" | "super" | "self");
        if !segments.iter().all(keyword) {
            self.refs.named.push(Named {
                module: self.module.clone(),
                segments,
            });
        }
    }

    /// Expands a use tree: each leaf path is named, and each leaf name recorded as an import.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.leaf(prefix, &n.ident, &n.ident),
            syn::UseTree::Rename(r) => self.leaf(prefix, &r.ident, &r.rename),
            syn::UseTree::Glob(_) => self.name(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn leaf(&mut self, prefix: &[String], ident: &syn::Ident, local: &syn::Ident) {
        let mut path = prefix.to_vec();
        if ident != "self" {
            path.push(ident.to_string());
        }
        let local = if local == "self" {
            path.last().cloned().unwrap_or_default()
        } else {
            local.to_string()
        };
        if local != "_" {
            self.refs
                .imports
                .entry(self.module.clone())
                .or_default()
                .insert(local, path.clone());
        }
        self.name(path);
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !cfg_test(item_attrs(item)) {
            visit::visit_item(self, item);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Fn(f) => &f.attrs[..],
            syn::ImplItem::Const(c) => &c.attrs[..],
            syn::ImplItem::Type(t) => &t.attrs[..],
            _ => &[],
        };
        if !cfg_test(attrs) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if let Some((_, items)) = &m.content {
            self.module.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        self.use_tree(&mut prefix, &u.tree);
    }

    /// `pub(crate)`, `pub(super)`, `pub(in a::b)` say who may see an item, not what it uses.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            self.name(path.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        visit::visit_path(self, path);
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
