//! Reading the `__code` field of a posted form (urlencoded, or multipart like REDCap's own).

use axum::http::{header, HeaderMap};

use crate::api::Params;

/// The `__code` field of a urlencoded or multipart form.
pub(crate) fn posted_code(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.trim_start().starts_with("multipart/form-data") => {
            multipart_field(body, boundary.trim_matches('"'), "__code")
        }
        _ => Params::parse(body).get("__code").map(str::to_owned),
    }
}

/// A minimal multipart/form-data reader for one text field.
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let body = String::from_utf8_lossy(body);
    let wanted = format!("name=\"{name}\"");
    body.split(&format!("--{boundary}")).find_map(|part| {
        let (head, value) = part.split_once("\r\n\r\n")?;
        head.contains(&wanted)
            .then(|| value.strip_suffix("\r\n").unwrap_or(value).to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_from_multipart() {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"__code\"\r\n\r\n abc \r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body.as_bytes(), "XyZ", "__code").as_deref(),
            Some(" abc ")
        );
        assert_eq!(multipart_field(body.as_bytes(), "XyZ", "other"), None);
    }
}
