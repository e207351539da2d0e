//! The widget as an npm package in target/dist/npm/: the element module (no side effect), a
//! `./define` module that registers `<redcap-resume>`, the wasm glue and file from the release
//! build (dist/), TypeScript declarations and `custom-elements.json` generated from src/lib.rs's
//! Element API. `npm pack --dry-run` must list exactly [`files`]. Publishing is a human step
//! (`npm publish target/dist/npm`).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::api::{reflected_properties, ElementApi};
use super::manifest::{self, DEFINE_MODULE, ELEMENT_MODULE, TAG};

/// The package's name on the registry.
pub const NAME: &str = "redcap-resume-widget";

/// The package's own files (generated here); the widget's files beside them are
/// [`WIDGET_COPIES`] and the languages.
const OWN: [&str; 7] = [
    "README.md",
    "custom-elements.json",
    "define.d.ts",
    "define.js",
    "element.d.ts",
    "element.js",
    "package.json",
];

/// The built widget's files the package carries as they are (the loader becomes `element.js`).
const WIDGET_COPIES: [&str; 5] = [
    "redcap-resume-autoload.js",
    "redcap-resume-more.js",
    "redcap-resume-plain.js",
    "redcap-resume-widget.js",
    "redcap-resume-widget_bg.wasm",
];

/// What `npm pack` must put in the package, sorted (as it lists them).
pub fn files() -> Vec<&'static str> {
    let mut all: Vec<&str> = OWN
        .into_iter()
        .chain(WIDGET_COPIES)
        .chain(super::files::LANGUAGE_FILES)
        .collect();
    all.sort_unstable();
    all
}

/// The loader's last statements (whitespace aside): they start the download and register the
/// element on import. The element module replaces them with `load()`; if the loader changes
/// there, this must be looked at again.
const LOADER_TAIL: &str =
    "const wasm = fetch(new URL('redcap-resume-widget_bg.wasm', import.meta.url));
define(
  'redcap-resume',
  Promise.all([import('./redcap-resume-widget.js'), wasm]).then(async ([m, w]) => {
    await m.default({ module_or_path: w });
    return m;
  }),
);";

const LOAD_FN: &str =
    "/** Starts loading the widget's glue and wasm file (found next to this module); resolves to
 * their exports, which `define` takes. */
export function load() {
  const wasm = fetch(new URL('redcap-resume-widget_bg.wasm', import.meta.url));
  return Promise.all([import('./redcap-resume-widget.js'), wasm]).then(async ([m, w]) => {
    await m.default({ module_or_path: w });
    return m;
  });
}
";

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// www/redcap-resume.js without its registering tail, plus `load()`: importing it defines nothing.
pub fn element_module(loader_js: &str) -> Result<String, String> {
    let at = loader_js
        .find("const wasm = fetch(")
        .ok_or("www/redcap-resume.js: no `const wasm = fetch(` (its registering tail)")?;
    if squash(&loader_js[at..]) != squash(LOADER_TAIL) {
        return Err(format!(
            "www/redcap-resume.js ends differently from what xtask/src/dist/npm.rs knows \
             (LOADER_TAIL): update the element module's `load()` to match:\n{}",
            &loader_js[at..]
        ));
    }
    Ok(format!(
        "// {NAME}: the <{TAG}> element without registering it (`import '{NAME}/define'` does).\n{}{LOAD_FN}",
        &loader_js[..at]
    ))
}

/// package.json, written by hand: in `exports`, `types` must come before `default` (resolvers
/// take the first condition that matches), and serde_json's map would sort the keys.
fn package_json(version: &str, description: &str) -> String {
    let q = |s: &str| Value::from(s).to_string();
    let files: Vec<String> = files()
        .iter()
        .filter(|f| **f != "package.json" && **f != "README.md")
        .map(|f| format!("    {}", q(f)))
        .collect();
    format!(
        r#"{{
  "name": {name},
  "version": {version},
  "description": {description},
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./{ELEMENT_MODULE}",
  "types": "./element.d.ts",
  "exports": {{
    ".": {{ "types": "./element.d.ts", "default": "./{ELEMENT_MODULE}" }},
    "./define": {{ "types": "./define.d.ts", "default": "./{DEFINE_MODULE}" }},
    "./custom-elements.json": "./custom-elements.json",
    "./package.json": "./package.json"
  }},
  "customElements": "custom-elements.json",
  "sideEffects": ["./{DEFINE_MODULE}"],
  "files": [
{files}
  ],
  "keywords": ["redcap", "web-component", "custom-element", "survey"]
}}
"#,
        name = q(NAME),
        version = q(version),
        description = q(description),
        files = files.join(",\n"),
    )
}

fn readme(version: &str) -> String {
    format!(
        "# {NAME} {version}\n\n\
         The `<{TAG}>` custom element: a \"Resume your survey\" card for REDCap participants.\n\
         It talks to a redcap-resume server on the page's own origin (default endpoint\n\
         `/redcap-resume/api`).\n\n\
         ```js\n\
         import '{NAME}/define'; // registers <{TAG}>\n\
         ```\n\n\
         ```html\n\
         <{TAG} survey=\"baseline\"></{TAG}>\n\
         ```\n\n\
         Or register it under another name: `import {{ define, load }} from '{NAME}'; define('my-card', load());`.\n\
         The glue module and `redcap-resume-widget_bg.wasm` are loaded from next to the module\n\
         (bundlers that understand `new URL(…, import.meta.url)` copy the wasm file).\n\n\
         Attributes, properties, events, parts, slots and custom properties: `custom-elements.json` and\n\
         `element.d.ts`. The page's Content-Security-Policy needs `'wasm-unsafe-eval'` in\n\
         `script-src`.\n"
    )
}

/// Writes the package into `out` (emptied first). `dist` is the widget's release build.
pub fn write(
    out: &Path,
    dist: &Path,
    api: &ElementApi,
    loader_js: &str,
    version: &str,
    description: &str,
) -> Result<(), String> {
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    let pretty = |v: &Value| serde_json::to_string_pretty(v).expect("JSON values print") + "\n";
    let properties = reflected_properties(loader_js, api)?;
    write("package.json", &package_json(version, description))?;
    write("README.md", &readme(version))?;
    write(ELEMENT_MODULE, &element_module(loader_js)?)?;
    write(
        DEFINE_MODULE,
        &format!(
            "// Registers <{TAG}> and starts loading the widget.\n\
             import {{ define, load }} from './{ELEMENT_MODULE}';\n\n\
             define('{TAG}', load());\n"
        ),
    )?;
    write("element.d.ts", &manifest::declarations(api, &properties)?)?;
    write(
        "define.d.ts",
        &format!(
            "// Registers <{TAG}>: see element.d.ts.\nimport './{ELEMENT_MODULE}';\nexport {{}};\n"
        ),
    )?;
    let summary = "A \"Resume your survey\" card for REDCap participants.";
    write(
        "custom-elements.json",
        &pretty(&manifest::custom_elements_json(api, &properties, summary)?),
    )?;
    for file in WIDGET_COPIES
        .into_iter()
        .chain(super::files::LANGUAGE_FILES)
    {
        if let Some(folder) = out.join(file).parent() {
            std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
        }
        std::fs::copy(dist.join(file), out.join(file)).map_err(|e| {
            format!(
                "{}: {e} (build the widget first)",
                dist.join(file).display()
            )
        })?;
    }
    Ok(())
}

/// `npm pack --dry-run --json` in `dir`: the files it would publish and the packed size.
pub fn pack_dry_run(dir: &Path) -> Result<(Vec<String>, u64), String> {
    let out = Command::new("npm")
        .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm pack --dry-run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("npm pack --json printed no JSON: {e}"))?;
    let package = &report[0];
    let mut files: Vec<String> = package["files"]
        .as_array()
        .ok_or("npm pack --json: no files")?
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect();
    files.sort();
    Ok((files, package["size"].as_u64().unwrap_or(0)))
}

/// `Err` unless `listed` is exactly [`files`].
pub fn check_files(listed: &[String]) -> Result<(), String> {
    let files = files();
    if listed.iter().map(String::as_str).eq(files.iter().copied()) {
        Ok(())
    } else {
        Err(format!(
            "npm pack --dry-run lists {listed:?}, the package must hold exactly {files:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::workspace_root;

    #[test]
    fn the_element_module_registers_nothing_and_exports_load() {
        let loader =
            std::fs::read_to_string(workspace_root().join("www/redcap-resume.js")).unwrap();
        let module = element_module(&loader).unwrap();
        assert!(module.contains("export function define(name, rust)"));
        assert!(module.contains("export function load()"));
        // No top-level statement calls `define(` (the loader's last one did).
        assert!(
            !module.lines().any(|l| l.starts_with("define(")),
            "{module}"
        );
        assert!(
            element_module(&loader).is_ok_and(|_| loader.lines().any(|l| l.starts_with("define(")))
        );
    }

    #[test]
    fn a_changed_loader_tail_is_refused() {
        let loader =
            std::fs::read_to_string(workspace_root().join("www/redcap-resume.js")).unwrap();
        let changed = loader.replace("'redcap-resume',\n", "'redcap-card',\n");
        assert!(element_module(&changed).is_err());
    }

    #[test]
    fn package_json_exports_the_element_and_define() {
        let text = package_json("1.2.3", "a \"quoted\" word");
        let p: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(p["description"], "a \"quoted\" word");
        assert!(
            text.find("\"types\": \"./element.d.ts\"").unwrap()
                < text.find("\"default\": \"./element.js\"").unwrap()
        );
        assert_eq!(p["exports"]["."]["default"], "./element.js");
        assert_eq!(p["exports"]["./define"]["default"], "./define.js");
        assert_eq!(p["customElements"], "custom-elements.json");
    }

    #[test]
    fn a_missing_or_extra_file_fails_the_list_check() {
        let mut listed: Vec<String> = files().iter().map(|s| s.to_string()).collect();
        check_files(&listed).unwrap();
        listed.pop();
        assert!(check_files(&listed).is_err());
    }
}
