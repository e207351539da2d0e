//! The files of `public_dir` (the built widget, the demo pages): tower-http's `ServeDir` serves
//! them, behind a guard that lets a request through only when it names a regular file inside
//! the folder (issue 15 item 6):
//! - no dotfile or dot-directory (`.env`, `.git/config`, `%2Eenv`): 404;
//! - no symbolic link that leads out of the folder or onto a dotfile: the canonical path must
//!   lie under the canonical folder, with no dot-component below it: else 404;
//! - no empty segment (`//dir`, `/%2F%2Fdir`) and no backslash (`/\dir`): 404, so no answer
//!   can carry a protocol-relative `Location`. A folder asked for without its slash (`/dir`) is
//!   redirected here, to a path this guard built (`/dir/`), never by `ServeDir` from the
//!   request's URI; a `Location` that is not a path on this origin is refused all the same.
//!
//! Refused and missing files look the same: an empty 404, as `ServeDir` answers a missing one.
//!
//! A file with a compressed copy beside it (`x.js.br`, `x.js.gz`: the widget build writes
//! them) is answered with the copy and its `Content-Encoding` when the request accepts it,
//! with `Vary: Accept-Encoding` on every file. A copy older than its file (edited after the
//! build) is named in a warning at start: browsers that accept its encoding would get the old
//! content.

use std::path::{Component, Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The folder of files this server serves, and its guard.
pub struct PublicDir {
    /// As configured.
    dir: PathBuf,
    /// Canonical (symbolic links resolved) at start; `None` when the folder did not exist yet
    /// (then canonicalised on each request, so a folder made later is served).
    root: Option<PathBuf>,
    files: ServeDir,
}

/// What a request path names inside the folder, once it passed the guard.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A regular file (for `…/`: the folder's `index.html`): `ServeDir` serves it.
    File,
    /// A folder asked for without its slash: redirected to this path.
    Folder(String),
}

impl PublicDir {
    /// Serves `dir` (canonicalised now, or on each request while it does not exist).
    pub fn new(dir: &Path) -> Self {
        let root = std::fs::canonicalize(dir).ok();
        let files = ServeDir::new(root.as_deref().unwrap_or(dir))
            .append_index_html_on_directories(true)
            .precompressed_br()
            .precompressed_gzip();
        for (copy, file) in stale_copies(dir) {
            tracing::warn!(
                copy = %copy.display(),
                file = %file.display(),
                "[public_dir] a compressed copy is older than its file: browsers that accept its encoding get the old content; rebuild the widget, or delete the copy"
            );
        }
        Self {
            dir: dir.to_path_buf(),
            root,
            files,
        }
    }

    /// The answer to `request`: the file, a redirect to a folder's slash, or an empty 404.
    pub async fn serve(&self, request: Request) -> Response {
        match self.resolve(request.uri().path()).await {
            None => not_found(),
            Some(Target::Folder(path)) => {
                let location = match request.uri().query() {
                    Some(query) => format!("{path}?{query}"),
                    None => path,
                };
                match HeaderValue::from_str(&location) {
                    Ok(location) => (
                        StatusCode::TEMPORARY_REDIRECT,
                        [(header::LOCATION, location)],
                    )
                        .into_response(),
                    Err(_) => not_found(),
                }
            }
            Some(Target::File) => {
                let mut response = match self.files.clone().oneshot(request).await {
                    Ok(response) => response.into_response(),
                    Err(never) => match never {},
                };
                let leaves = response
                    .headers()
                    .get(header::LOCATION)
                    .is_some_and(|l| !is_path_on_this_origin(l.as_bytes()));
                if leaves {
                    return not_found();
                }
                // The answer depends on Accept-Encoding (a compressed copy or not): caches
                // between must keep the two apart.
                response
                    .headers_mut()
                    .append(header::VARY, HeaderValue::from_static("accept-encoding"));
                response
            }
        }
    }

    /// What `path` (the request's, still percent-encoded) names, when the guard lets it pass.
    async fn resolve(&self, path: &str) -> Option<Target> {
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        // `…/` asks for a folder: its last segment is empty.
        let (names, folder) = match segments.split_last() {
            Some((&"", names)) => (names, true),
            _ => (&segments[..], false),
        };
        let root = match &self.root {
            Some(root) => root.clone(),
            None => tokio::fs::canonicalize(&self.dir).await.ok()?,
        };
        let mut candidate = root.clone();
        for raw in names {
            let name = percent_decode_str(raw).decode_utf8().ok()?;
            if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', '\0']) {
                return None;
            }
            candidate.push(&*name);
        }
        if folder {
            candidate.push("index.html");
        }
        let canonical = tokio::fs::canonicalize(&candidate).await.ok()?;
        let inside = canonical.strip_prefix(&root).ok()?;
        let hidden = inside.components().any(|c| match c {
            Component::Normal(name) => name.as_encoded_bytes().starts_with(b"."),
            _ => true,
        });
        if hidden {
            return None;
        }
        let metadata = tokio::fs::metadata(&canonical).await.ok()?;
        if metadata.is_file() {
            Some(Target::File)
        } else if metadata.is_dir() && !folder {
            Some(Target::Folder(format!("/{}/", names.join("/"))))
        } else {
            None
        }
    }
}

/// The compressed copies in `dir` and one folder down (`i18n/`) that are older than their
/// file by more than [`STALE_AFTER`] (a file edited after the build), each with its file. The
/// widget build writes a file and then its copies; `install`/`cp` keep that order or write
/// them within the same moment.
fn stale_copies(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let folders = std::iter::once(dir.to_path_buf()).chain(
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir()),
    );
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut stale = Vec::new();
    for folder in folders {
        for copy in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let copy = copy.path();
            let is_copy = copy.extension().is_some_and(|e| e == "br" || e == "gz");
            let file = copy.with_extension("");
            if !is_copy || !file.is_file() {
                continue;
            }
            if let (Some(c), Some(f)) = (modified(&copy), modified(&file)) {
                if c + STALE_AFTER < f {
                    stale.push((copy, file));
                }
            }
        }
    }
    stale.sort();
    stale
}

/// How much older than its file a copy may be before it counts as stale.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether a `Location` is a path on this origin: `/` then anything but a second `/` or `\`
/// (which browsers read as another host).
fn is_path_on_this_origin(location: &[u8]) -> bool {
    match location {
        [b'/'] => true,
        [b'/', second, ..] => *second != b'/' && *second != b'\\',
        _ => false,
    }
}

fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_origin_are_locations() {
        for ok in ["/", "/dir/", "/dir/?a=//b"] {
            assert!(is_path_on_this_origin(ok.as_bytes()), "{ok}");
        }
        for leaves in [
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "",
        ] {
            assert!(!is_path_on_this_origin(leaves.as_bytes()), "{leaves}");
        }
    }

    #[tokio::test]
    async fn the_guard_passes_regular_files_inside_the_folder_only() {
        let dir = std::env::temp_dir().join(format!("rr-public-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www/sub")).unwrap();
        std::fs::create_dir_all(dir.join("www/.git")).unwrap();
        std::fs::write(dir.join("www/index.html"), "i").unwrap();
        std::fs::write(dir.join("www/sub/index.html"), "s").unwrap();
        std::fs::write(dir.join("www/.env"), "SECRET=1").unwrap();
        std::fs::write(dir.join("www/.git/config"), "[core]").unwrap();
        std::fs::write(dir.join("outside.txt"), "outside").unwrap();
        std::os::unix::fs::symlink(dir.join("outside.txt"), dir.join("www/leak.txt")).unwrap();
        std::os::unix::fs::symlink(dir.join("www/.env"), dir.join("www/env.txt")).unwrap();
        std::os::unix::fs::symlink(dir.join("www/index.html"), dir.join("www/alias.html")).unwrap();
        let public = PublicDir::new(&dir.join("www"));
        let cases: [(&str, Option<Target>); 16] = [
            ("/", Some(Target::File)),
            ("/index.html", Some(Target::File)),
            ("/alias.html", Some(Target::File)),
            ("/sub/", Some(Target::File)),
            ("/sub", Some(Target::Folder("/sub/".into()))),
            ("/.env", None),
            ("/%2Eenv", None),
            ("/.git/config", None),
            ("/sub/../.env", None),
            ("/leak.txt", None),
            ("/env.txt", None),
            ("//sub", None),
            ("/%2F%2Fsub", None),
            ("/\\sub", None),
            ("/%5Csub", None),
            ("/missing.js", None),
        ];
        for (path, expected) in cases {
            assert_eq!(public.resolve(path).await, expected, "{path}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_copy_older_than_its_file_is_stale() {
        let dir = std::env::temp_dir().join(format!("rr-public-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("i18n")).unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        let write = |name: &str, at: Option<std::time::SystemTime>| {
            let path = dir.join(name);
            std::fs::write(&path, name).unwrap();
            if let Some(at) = at {
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(at)
                    .unwrap();
            }
        };
        // Built together: fresh.
        write("redcap-resume.js", None);
        write("redcap-resume.js.br", None);
        write("redcap-resume.js.gz", None);
        // The file edited after the build: both copies stale, in a subfolder too.
        write("redcap-resume-widget_bg.wasm", None);
        write("redcap-resume-widget_bg.wasm.br", Some(old));
        write("i18n/es.json", None);
        write("i18n/es.json.gz", Some(old));
        // A copy without its file, and a file older than its copy: nothing to say.
        write("orphan.js.gz", Some(old));
        write("demo.js", Some(old));
        write("demo.js.gz", None);
        assert_eq!(
            stale_copies(&dir),
            vec![
                (dir.join("i18n/es.json.gz"), dir.join("i18n/es.json")),
                (
                    dir.join("redcap-resume-widget_bg.wasm.br"),
                    dir.join("redcap-resume-widget_bg.wasm")
                ),
            ]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_folder_made_after_start_is_served() {
        let dir = std::env::temp_dir().join(format!("rr-public-later-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let public = PublicDir::new(&dir);
        assert_eq!(public.resolve("/index.html").await, None);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "i").unwrap();
        std::fs::write(dir.join(".env"), "SECRET=1").unwrap();
        assert_eq!(public.resolve("/index.html").await, Some(Target::File));
        assert_eq!(public.resolve("/.env").await, None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
