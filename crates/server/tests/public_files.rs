//! `public_dir` sends a file's compressed copy (`x.br`, `x.gz`, as the widget build writes
//! them) to a browser that accepts the encoding, with `Content-Encoding` and the file's own
//! type, and `Vary: Accept-Encoding` on every file; without a copy, or without the header, the
//! file itself.

mod common;

use common::{Harness, Options};

const WASM: &str = "redcap-resume-widget_bg.wasm";

#[tokio::test]
async fn a_compressed_copy_is_sent_to_a_browser_that_accepts_it() {
    let www = std::env::temp_dir().join(format!("rr-public-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&www);
    std::fs::create_dir_all(www.join("i18n")).unwrap();
    // Stand-ins: the server sends the copies as they are, so their bytes are what it sends.
    std::fs::write(www.join(WASM), "the wasm itself").unwrap();
    std::fs::write(www.join(format!("{WASM}.br")), "the brotli copy").unwrap();
    std::fs::write(www.join(format!("{WASM}.gz")), "the gzip copy").unwrap();
    std::fs::write(www.join("i18n/es.json"), r#"{"resume":"Continuar"}"#).unwrap();
    std::fs::write(www.join("i18n/es.json.gz"), "the gzip json").unwrap();
    std::fs::write(www.join("index.html"), "<p>no copies</p>").unwrap();
    let h = Harness::with(Options {
        extra: format!("public_dir = {:?}\n", www.display().to_string()),
        ..Options::default()
    })
    .await;
    let http = reqwest::Client::new(); // no decoding of its own: the bytes as sent
    let cases = [
        // (path, Accept-Encoding, Content-Encoding, body)
        (
            WASM,
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            "the brotli copy",
        ),
        (WASM, Some("gzip"), Some("gzip"), "the gzip copy"),
        (WASM, Some("br;q=0, gzip"), Some("gzip"), "the gzip copy"),
        (WASM, None, None, "the wasm itself"),
        (WASM, Some("identity"), None, "the wasm itself"),
        (
            "i18n/es.json",
            Some("br, gzip"),
            Some("gzip"),
            "the gzip json",
        ),
        ("index.html", Some("br, gzip"), None, "<p>no copies</p>"),
    ];
    for (path, accept, encoding, body) in cases {
        let mut request = http.get(h.url(&format!("/{path}")));
        if let Some(accept) = accept {
            request = request.header("Accept-Encoding", accept);
        }
        let answer = request.send().await.unwrap();
        let case = format!("{path} with {accept:?}");
        assert_eq!(answer.status(), 200, "{case}");
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(header("content-encoding").as_deref(), encoding, "{case}");
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"), "{case}");
        let kind = header("content-type").unwrap_or_default();
        let expected = match path.rsplit_once('.').map(|(_, ext)| ext) {
            Some("wasm") => "application/wasm",
            Some("json") => "application/json",
            _ => "text/html",
        };
        assert!(kind.starts_with(expected), "{case}: {kind}");
        assert_eq!(answer.text().await.unwrap(), body, "{case}");
    }
    h.stop().await;
    std::fs::remove_dir_all(www).unwrap();
}
