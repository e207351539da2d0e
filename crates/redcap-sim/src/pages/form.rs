//! Reading a posted survey form (urlencoded, or multipart like REDCap's own pages): the
//! `__code` of the "Returning?" page, the login fields of Survey Login.

use axum::http::{header, HeaderMap};

use crate::params::Params;

/// The fields of a urlencoded or multipart form.
pub(crate) fn posted(headers: &HeaderMap, body: &[u8]) -> Params {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.trim_start().starts_with("multipart/form-data") => {
            Params(multipart_fields(body, boundary.trim_matches('"')))
        }
        _ => Params::parse(body),
    }
}

/// A minimal multipart/form-data reader for text fields.
fn multipart_fields(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let body = String::from_utf8_lossy(body);
    body.split(&format!("--{boundary}"))
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_from_multipart() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"__code\"\r\n\r\n abc \r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"dob\"\r\n\r\n2001-02-03\r\n--XyZ--\r\n";
        let fields = multipart_fields(body.as_bytes(), "XyZ");
        assert_eq!(
            fields,
            [
                ("__code".to_owned(), " abc ".to_owned()),
                ("dob".to_owned(), "2001-02-03".to_owned())
            ]
        );
    }
}
