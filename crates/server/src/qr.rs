//! "Continue on another device" (issue 13): the return-page link of a participant's answer as
//! a QR code in SVG, for `GET {base}/surveys/{key}/qr.svg`.
//!
//! The image is squares only: one `<rect>` for the light background and one `<path>` of dark
//! modules (presentation attributes, no `style`, no script, no text, no external reference),
//! so it is safe as an `<img>` and shows under a CSP without `style-src 'unsafe-inline'`. It
//! carries the link to REDCap's "Returning?" page, never the code: the card shows the code to
//! type beside it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::audit::{Audited, Outcome};
use crate::error::Failure;

/// The media type of the answer.
pub const SVG_TYPE: &str = "image/svg+xml";
/// The policy the SVG is served with: as a document of its own (opened directly) it may load
/// and run nothing; as an `<img>` it runs nothing anyway.
pub const SVG_CSP: &str = "default-src 'none'; sandbox";
/// Each module's side in SVG units (a 33-module code with its quiet zone is 328 units wide);
/// the card scales the image with CSS.
const MODULE_SIZE: u32 = 8;

/// One survey's QR code, ready to send.
pub struct QrImage {
    /// The survey key, for the audit log.
    pub key: String,
    svg: String,
}

impl QrImage {
    /// The QR code of `link` (REDCap's return page), error correction level M (15% of the
    /// modules may be lost: a phone camera at an angle, a smudged screen).
    pub fn of(key: &str, link: &str) -> Result<QrImage, Failure> {
        let code =
            QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).map_err(|e| {
                Failure::Internal(format!("the return-page link does not fit a QR code: {e}"))
            })?;
        let svg = code
            .render::<svg::Color>()
            .quiet_zone(true)
            .module_dimensions(MODULE_SIZE, MODULE_SIZE)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build();
        Ok(QrImage {
            key: key.to_owned(),
            svg,
        })
    }
}

impl Audited for QrImage {
    fn handed_out(&self) -> Vec<(&str, Outcome)> {
        vec![(&self.key, Outcome::ReturnLinkIssued)]
    }
}

impl IntoResponse for QrImage {
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(SVG_TYPE)),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(SVG_CSP),
                ),
            ],
            self.svg,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_is_squares_only() {
        let link = "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr&__lang=es-MX&__return=1";
        let image = QrImage::of("baseline", link).unwrap();
        let svg = &image.svg;
        assert!(svg.starts_with("<?xml"), "{svg}");
        let lower = svg.to_lowercase();
        for banned in [
            "<script",
            "style",
            "<text",
            "href",
            "<foreignobject",
            "<image",
            "url(",
            " on",
        ] {
            assert!(!lower.contains(banned), "{banned} in {svg}");
        }
        assert!(
            !svg.contains("AbCdEfGhJkLmNpQr"),
            "the link is not in the text"
        );
    }
}
