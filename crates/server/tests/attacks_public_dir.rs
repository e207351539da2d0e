//! Attack rows for `public_dir` (issue 15 item 6), on a real socket with paths sent byte for
//! byte: dotfiles, dot-directories and symbolic links out of the folder are 404, and no answer
//! carries a `Location` that leaves the origin.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use common::{Harness, Options};

/// A folder like a deployed `public_dir` with what an attacker hopes to find beside it.
fn public_dir() -> (PathBuf, PathBuf) {
    let base = std::env::temp_dir().join(format!("rr-attack-public-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let www = base.join("www");
    std::fs::create_dir_all(www.join("demo")).unwrap();
    std::fs::create_dir_all(www.join(".git")).unwrap();
    std::fs::write(www.join("index.html"), "<p>index</p>").unwrap();
    std::fs::write(www.join("redcap-resume.js"), "export {}").unwrap();
    std::fs::write(www.join("demo/index.html"), "<p>demo</p>").unwrap();
    std::fs::write(www.join(".env"), "REDCAP_API_TOKEN=LEAKED").unwrap();
    std::fs::write(www.join(".git/config"), "[remote] LEAKED").unwrap();
    std::fs::write(base.join("secret.txt"), "LEAKED").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), www.join("secret.txt")).unwrap();
    std::os::unix::fs::symlink(&base, www.join("up")).unwrap();
    std::os::unix::fs::symlink(www.join(".env"), www.join("env.js")).unwrap();
    std::os::unix::fs::symlink(www.join("redcap-resume.js"), www.join("alias.js")).unwrap();
    (base, www)
}

/// Status, `Location` and body of one request sent exactly as given.
async fn raw(addr: SocketAddr, path: &[u8]) -> (u16, Option<String>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(path);
    request.extend_from_slice(
        format!(" HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    stream.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let location = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    (status, location, body.to_owned())
}

#[tokio::test]
async fn public_dir_serves_only_regular_files_inside_it_and_never_redirects_off_the_origin() {
    let (base, www) = public_dir();
    let h = Harness::with(Options {
        extra: format!("public_dir = {:?}\n", www.display().to_string()),
        ..Options::default()
    })
    .await;
    for (path, status) in [
        ("/", 200),
        ("/index.html", 200),
        ("/redcap-resume.js", 200),
        ("/alias.js", 200),
        ("/demo/", 200),
    ] {
        let (got, _, body) = raw(h.addr, path.as_bytes()).await;
        assert_eq!(got, status, "{path}: {body}");
    }
    let (status, location, _) = raw(h.addr, b"/demo").await;
    assert_eq!((status, location.as_deref()), (307, Some("/demo/")));

    let hidden: [&[u8]; 15] = [
        b"/.env",
        b"/.git/config",
        b"/%2Eenv",
        b"/%2egit/config",
        b"/demo/../.env",
        b"/demo/%2E%2E/.env",
        b"/.git/",
        b"/secret.txt",
        b"/up/secret.txt",
        b"/up/www/.env",
        b"/env.js",
        b"/demo/..%2F.env",
        b"/demo%2F..%2F.env",
        b"/%00.env",
        b"/missing.js",
    ];
    for path in hidden {
        let (status, location, body) = raw(h.addr, path).await;
        let shown = String::from_utf8_lossy(path);
        // 404, or 400 where the HTTP parser refuses the request line itself.
        assert!(status == 404 || status == 400, "{shown}: {status}");
        assert!(location.is_none(), "{shown}: {location:?}");
        assert!(!body.contains("LEAKED"), "{shown}: {body}");
    }

    // Nothing may answer a redirect whose Location a browser reads as another host.
    let tricks: [&[u8]; 9] = [
        b"//demo",
        b"//demo/",
        b"/\\demo",
        b"/%5Cdemo",
        b"/%2F%2Fdemo",
        b"/%2F/demo",
        b"//evil.example/demo",
        b"///evil.example/",
        b"/demo//",
    ];
    for path in tricks {
        let (status, location, _) = raw(h.addr, path).await;
        let shown = String::from_utf8_lossy(path);
        if let Some(location) = &location {
            assert!(
                location.starts_with('/')
                    && !location.starts_with("//")
                    && !location.starts_with("/\\"),
                "{shown}: {status} Location {location}"
            );
        }
        assert!(status == 404 || status == 400, "{shown}: {status}");
    }
    h.stop().await;
    std::fs::remove_dir_all(base).unwrap();
}
