//! The policies a page sets in its own HTML: each `<meta http-equiv="Content-Security-Policy"
//! content="…">` before `<body>` (browsers apply only those in the head). A small tolerant
//! scan, not a parser: comments are skipped, attribute names are case-insensitive, values
//! may be quoted either way or bare, and the common character references are decoded.

/// The `content` of each CSP `<meta>` in the head of `html`, in document order.
pub fn meta_policies(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find('<') {
        let start = at + found;
        let rest = &lower[start..];
        if rest.starts_with("<!--") {
            at = lower[start..]
                .find("-->")
                .map_or(lower.len(), |e| start + e + 3);
            continue;
        }
        if tag_is(rest, "<body") {
            break;
        }
        if !tag_is(rest, "<meta") {
            at = start + 1;
            continue;
        }
        let (attributes, end) = attributes(html, start + "<meta".len());
        let value = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if value("http-equiv")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-security-policy"))
        {
            if let Some(content) = value("content") {
                out.push(content.to_owned());
            }
        }
        at = end;
    }
    out
}

/// Whether `text` starts with the tag name `open` (`<meta`) followed by the end of the name.
fn tag_is(text: &str, open: &str) -> bool {
    text.starts_with(open)
        && text[open.len()..]
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_whitespace() || c == '/' || c == '>')
}

/// The attributes from byte `at` (just after the tag name) to the tag's `>`: names in lower
/// case, values decoded; and the byte after the tag.
fn attributes(html: &str, mut at: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() {
            return (out, at);
        }
        if bytes[at] == b'>' {
            return (out, at + 1);
        }
        let name_start = at;
        while at < bytes.len()
            && !matches!(bytes[at], b'=' | b'>' | b'/')
            && !bytes[at].is_ascii_whitespace()
        {
            at += 1;
        }
        let name = html[name_start..at].to_ascii_lowercase();
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let mut value = String::new();
        if at < bytes.len() && bytes[at] == b'=' {
            at += 1;
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            let (raw, next) = match bytes.get(at) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let end = html[at + 1..]
                        .find(q as char)
                        .map_or(html.len(), |e| at + 1 + e);
                    (&html[at + 1..end], (end + 1).min(html.len()))
                }
                _ => {
                    let end = html[at..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |e| at + e);
                    (&html[at..end], end)
                }
            };
            value = decode(raw);
            at = next;
        }
        out.push((name, value));
    }
}

/// Decodes `&amp; &quot; &apos; &lt; &gt;` and numeric references; others stay as written.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "lt" => Some('<'),
            "gt" => Some('>'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_metas_in_the_head_are_found() {
        let html = r#"<!doctype html><html><head>
<!-- <meta http-equiv="Content-Security-Policy" content="script-src 'none'"> -->
<meta charset=utf-8>
<META HTTP-EQUIV="content-security-policy" CONTENT="script-src 'self'; frame-src https://a.example.edu">
<meta http-equiv='Content-Security-Policy' content='default-src &#39;self&#39; &amp; more'>
<meta name="csp" content="not this">
<meta http-equiv=Content-Security-Policy content=img-src>
<metadata http-equiv="Content-Security-Policy" content="nor this">
</head><body>
<meta http-equiv="Content-Security-Policy" content="too late">
</body></html>"#;
        assert_eq!(
            meta_policies(html),
            [
                "script-src 'self'; frame-src https://a.example.edu",
                "default-src 'self' & more",
                "img-src",
            ]
        );
        assert!(meta_policies("<p>no head</p>").is_empty());
        assert!(
            meta_policies("<meta http-equiv=\"Content-Security-Policy\" content=\"x").len() == 1
        );
    }
}
