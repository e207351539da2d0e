//! Reading the card's QR code back the way a phone would (issue 13, "continue on another
//! device"): the `<img>`'s `data:image/svg+xml;base64,…` URL decoded, the SVG's filled shapes
//! drawn into a greyscale bitmap, and the bitmap given to a QR reader (`rqrr`).
//!
//! The drawing knows what a QR code's SVG is made of: `<rect>`s and `<path>`s of straight lines
//! (`M`, `L`, `H`, `V`, `Z`, absolute or relative), filled with a colour (nonzero rule), in
//! the coordinates of the `viewBox` scaled to `width` × `height`. Anything else (a curve, a
//! transform, text, an embedded image) is an error, not silently skipped: the test then says
//! what the image had instead of decoding something other than what the participant sees.
//!
//! ```
//! let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2" viewBox="0 0 4 2">
//!   <rect x="0" y="0" width="4" height="2" fill="#fff"/><path fill="#000" d="M0 0h2v1H0V0"/></svg>"##;
//! let bitmap = redcap_resume_e2e::qr::draw(svg).unwrap();
//! assert_eq!((bitmap.width, bitmap.height), (4, 2));
//! assert_eq!(bitmap.pixels, [0, 0, 255, 255, 255, 255, 255, 255]);
//! ```

use base64::Engine as _;

/// The media-type prefix of the image the card shows.
pub const SVG_DATA_URL: &str = "data:image/svg+xml;base64,";

/// A greyscale bitmap, row by row (0 black, 255 white).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// The SVG text of a `data:image/svg+xml;base64,…` URL.
pub fn svg_of_data_url(url: &str) -> Result<String, String> {
    let payload = url
        .strip_prefix(SVG_DATA_URL)
        .ok_or_else(|| format!("not a base64 SVG data URL: {}", preview(url)))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|e| format!("the data URL is not base64: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("the SVG is not UTF-8: {e}"))
}

/// The text of the one QR code in `svg`.
pub fn read(svg: &str) -> Result<String, String> {
    let bitmap = draw(svg)?;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(bitmap.width, bitmap.height, |x, y| {
            bitmap.pixels[y * bitmap.width + x]
        });
    let grids = image.detect_grids();
    match grids.as_slice() {
        [grid] => grid
            .decode()
            .map(|(_, text)| text)
            .map_err(|e| format!("the QR code does not decode: {e}")),
        _ => Err(format!(
            "{} QR codes found in the {}×{} image, not one",
            grids.len(),
            bitmap.width,
            bitmap.height
        )),
    }
}

/// The text of the one QR code in the SVG of a `data:image/svg+xml;base64,…` URL.
pub fn read_data_url(url: &str) -> Result<String, String> {
    read(&svg_of_data_url(url)?)
}

/// Draws `svg` into a bitmap of its `width` × `height` (else its `viewBox`'s size) in pixels,
/// white where nothing is drawn.
pub fn draw(svg: &str) -> Result<Bitmap, String> {
    let tags = tags(svg);
    let root = tags
        .iter()
        .find(|t| t.name == "svg")
        .ok_or("no <svg> element")?;
    let view_box: Option<[f64; 4]> = match root.attr("viewBox") {
        Some(v) => {
            let n = numbers(v)?;
            Some(
                n.as_slice()
                    .try_into()
                    .map_err(|_| format!("viewBox {v:?}"))?,
            )
        }
        None => None,
    };
    let size = |attr: &str, from_box: Option<f64>| -> Result<usize, String> {
        match root.attr(attr) {
            Some(v) => v
                .trim()
                .trim_end_matches("px")
                .parse::<f64>()
                .map(|n| n.round() as usize)
                .map_err(|_| format!("<svg {attr}={v:?}>: only pixel sizes are drawn")),
            None => from_box
                .map(|n| n.round() as usize)
                .ok_or(format!("<svg> has neither {attr} nor a viewBox")),
        }
    };
    let width = size("width", view_box.map(|b| b[2]))?;
    let height = size("height", view_box.map(|b| b[3]))?;
    if width == 0 || height == 0 || width * height > 16_000_000 {
        return Err(format!("an image of {width}×{height} pixels"));
    }
    let [bx, by, bw, bh] = view_box.unwrap_or([0.0, 0.0, width as f64, height as f64]);
    let mut bitmap = Bitmap {
        width,
        height,
        pixels: vec![255; width * height],
    };
    for tag in &tags {
        let edges = match tag.name.as_str() {
            "svg" | "/svg" | "?xml" | "!--" | "title" | "/title" | "desc" | "/desc" | "g"
            | "/g" => {
                if tag.attr("transform").is_some() {
                    return Err("a transform: not drawn here".into());
                }
                continue;
            }
            "rect" => rect_edges(tag)?,
            "path" => path_edges(tag.attr("d").unwrap_or_default())?,
            other => return Err(format!("<{other}>: only <rect> and <path> are drawn")),
        };
        if tag.attr("transform").is_some() {
            return Err(format!("<{} transform>: not drawn here", tag.name));
        }
        let grey = grey(tag.attr("fill").unwrap_or("#000"))?;
        // Pixel centres, in the viewBox's coordinates.
        for py in 0..height {
            let y = by + (py as f64 + 0.5) * bh / height as f64;
            let mut crossings: Vec<(f64, i32)> = edges
                .iter()
                .filter(|e| (e.y0 <= y && y < e.y1) || (e.y1 <= y && y < e.y0))
                .map(|e| {
                    let x = e.x0 + (y - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0);
                    (x, if e.y1 > e.y0 { 1 } else { -1 })
                })
                .collect();
            crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut winding = 0;
            for pair in crossings.windows(2) {
                winding += pair[0].1;
                if winding == 0 {
                    continue;
                }
                let (from, to) = (pair[0].0, pair[1].0);
                for px in 0..width {
                    let x = bx + (px as f64 + 0.5) * bw / width as f64;
                    if from <= x && x < to {
                        bitmap.pixels[py * width + px] = grey;
                    }
                }
            }
        }
    }
    Ok(bitmap)
}

/// One start tag (or `/name` for an end tag): its name and attributes.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The tags of an XML text (enough of XML for an SVG a server writes: no CDATA, no `>` in
/// attribute values).
fn tags(xml: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    for piece in xml.split('<').skip(1) {
        let inside = piece.split('>').next().unwrap_or_default();
        let inside = inside.trim_end_matches(['/', '?']).trim();
        let name_end = inside
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inside.len());
        let name = inside[..name_end].to_owned();
        let mut attrs = Vec::new();
        let mut rest = &inside[name_end..];
        while let Some(eq) = rest.find('=') {
            let attr = rest[..eq].trim().to_owned();
            let after = rest[eq + 1..].trim_start();
            let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                break;
            };
            let value_and_rest = &after[1..];
            let end = value_and_rest.find(quote).unwrap_or(value_and_rest.len());
            attrs.push((attr, value_and_rest[..end].to_owned()));
            rest = value_and_rest.get(end + 1..).unwrap_or_default();
        }
        out.push(Tag { name, attrs });
    }
    out
}

/// A straight edge of a filled outline.
struct Edge {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn rect_edges(tag: &Tag) -> Result<Vec<Edge>, String> {
    let n = |name: &str| -> Result<f64, String> {
        tag.attr(name)
            .unwrap_or("0")
            .trim()
            .parse()
            .map_err(|_| format!("<rect {name}={:?}>", tag.attr(name)))
    };
    let (x, y, w, h) = (n("x")?, n("y")?, n("width")?, n("height")?);
    if tag.attr("rx").is_some() || tag.attr("ry").is_some() {
        return Err("a rounded <rect>: not drawn here".into());
    }
    Ok(polygon(&[(x, y), (x + w, y), (x + w, y + h), (x, y + h)]))
}

/// The closed outline through `points`.
fn polygon(points: &[(f64, f64)]) -> Vec<Edge> {
    (0..points.len())
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % points.len()]);
            Edge {
                x0: a.0,
                y0: a.1,
                x1: b.0,
                y1: b.1,
            }
        })
        .filter(|e| e.y0 != e.y1) // horizontal edges never cross a scanline
        .collect()
}

/// The edges of a path's data of straight lines; each subpath is closed (as filling does).
fn path_edges(d: &str) -> Result<Vec<Edge>, String> {
    let mut edges = Vec::new();
    let mut subpath: Vec<(f64, f64)> = Vec::new();
    let (mut x, mut y) = (0.0, 0.0);
    let mut chars = d.char_indices().peekable();
    let mut command: Option<char> = None;
    let mut args: Vec<f64> = Vec::new();
    // Split into (command, numbers) groups.
    let mut groups: Vec<(char, Vec<f64>)> = Vec::new();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_alphabetic() {
            if let Some(cmd) = command.take() {
                groups.push((cmd, std::mem::take(&mut args)));
            }
            command = Some(c);
        } else if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' {
            let mut end = i + c.len_utf8();
            let mut seen_dot = c == '.';
            while let Some(&(j, n)) = chars.peek() {
                let more = n.is_ascii_digit() || (n == '.' && !seen_dot);
                if !more {
                    break;
                }
                seen_dot |= n == '.';
                end = j + n.len_utf8();
                chars.next();
            }
            let number: f64 = d[i..end]
                .parse()
                .map_err(|_| format!("path data: {:?}", &d[i..end]))?;
            args.push(number);
        } else if !(c.is_whitespace() || c == ',') {
            return Err(format!("path data: unexpected {c:?}"));
        }
    }
    if let Some(cmd) = command {
        groups.push((cmd, args));
    }
    let close = |subpath: &mut Vec<(f64, f64)>, edges: &mut Vec<Edge>| {
        if subpath.len() > 2 {
            edges.extend(polygon(subpath));
        }
        subpath.clear();
    };
    for (cmd, args) in groups {
        let relative = cmd.is_ascii_lowercase();
        let (ox, oy) = if relative { (x, y) } else { (0.0, 0.0) };
        match cmd.to_ascii_uppercase() {
            'M' | 'L' => {
                if args.is_empty() || args.len() % 2 != 0 {
                    return Err(format!("path data: {cmd} with {} numbers", args.len()));
                }
                for (k, pair) in args.chunks(2).enumerate() {
                    let (ox, oy) = if relative { (x, y) } else { (ox, oy) };
                    (x, y) = (ox + pair[0], oy + pair[1]);
                    if cmd.eq_ignore_ascii_case(&'M') && k == 0 {
                        close(&mut subpath, &mut edges);
                    }
                    subpath.push((x, y));
                }
            }
            'H' => {
                for n in args {
                    x = if relative { x + n } else { n };
                    subpath.push((x, y));
                }
            }
            'V' => {
                for n in args {
                    y = if relative { y + n } else { n };
                    subpath.push((x, y));
                }
            }
            'Z' => {
                if let Some(&(sx, sy)) = subpath.first() {
                    close(&mut subpath, &mut edges);
                    // A drawing command after Z starts from the closed subpath's start.
                    (x, y) = (sx, sy);
                    subpath.push((x, y));
                }
            }
            other => {
                return Err(format!(
                    "path command {other}: only straight lines are drawn"
                ))
            }
        }
    }
    close(&mut subpath, &mut edges);
    Ok(edges)
}

/// The grey level of a fill colour (`#rgb`, `#rrggbb`, `black`, `white`).
fn grey(fill: &str) -> Result<u8, String> {
    let hex = match fill.trim().to_ascii_lowercase().as_str() {
        "black" => "000000".to_owned(),
        "white" => "ffffff".to_owned(),
        f => {
            let h = f
                .strip_prefix('#')
                .ok_or(format!("fill {fill:?}: only colours are drawn"))?;
            match h.len() {
                3 => h.chars().flat_map(|c| [c, c]).collect(),
                6 => h.to_owned(),
                _ => return Err(format!("fill {fill:?}")),
            }
        }
    };
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map(f64::from);
    let (r, g, b) = (channel(0), channel(2), channel(4));
    match (r, g, b) {
        (Ok(r), Ok(g), Ok(b)) => Ok((0.299 * r + 0.587 * g + 0.114 * b).round() as u8),
        _ => Err(format!("fill {fill:?}")),
    }
}

fn numbers(s: &str) -> Result<Vec<f64>, String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().map_err(|_| format!("not a number: {n:?}")))
        .collect()
}

fn preview(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    /// The server's own SVG of a return-page link, as `GET …/qr.svg` sends it.
    async fn server_svg(link: &str) -> String {
        let response = redcap_resume::qr::QrImage::of("baseline", link)
            .unwrap_or_else(|_| panic!("a QR code of {link}"))
            .into_response();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn reads_back_what_the_server_encodes() {
        let link = "http://127.0.0.1:4321/surveys/?s=AbCdEfGhJkLmNpQr&__lang=es-MX&__return=1";
        let svg = server_svg(link).await;
        assert_eq!(read(&svg).unwrap(), link);
        let url = format!(
            "{SVG_DATA_URL}{}",
            base64::engine::general_purpose::STANDARD.encode(&svg)
        );
        assert_eq!(read_data_url(&url).unwrap(), link);
    }

    /// The reader can fail: another link's image does not read as this one, a blank image
    /// has no code, and a shape it cannot draw is an error.
    #[tokio::test]
    async fn can_fail() {
        let svg = server_svg("http://127.0.0.1:4321/surveys/?s=ZZZZZZZZZZ&__return=1").await;
        assert_ne!(
            read(&svg).unwrap(),
            "http://127.0.0.1:4321/surveys/?s=AbCdEfGhJkLmNpQr&__return=1"
        );
        let blank =
            r##"<svg width="40" height="40"><rect width="40" height="40" fill="#fff"/></svg>"##;
        assert!(read(blank).unwrap_err().contains("0 QR codes"));
        let curve = r#"<svg width="4" height="4"><path d="M0 0C1 1 2 2 3 3Z"/></svg>"#;
        assert!(draw(curve).unwrap_err().contains("path command C"));
        assert!(svg_of_data_url("data:image/png;base64,AAAA").is_err());
    }

    #[test]
    fn draws_relative_paths_scaled_from_the_view_box() {
        // A 2×2-unit square at (1, 1) of a 4×4 viewBox, drawn at 8×8 pixels.
        let svg = r#"<svg width="8" height="8" viewBox="0 0 4 4"><path d="m1 1h2v2h-2z"/></svg>"#;
        let b = draw(svg).unwrap();
        let dark: Vec<(usize, usize)> = (0..64)
            .filter(|i| b.pixels[*i] == 0)
            .map(|i| (i % 8, i / 8))
            .collect();
        assert_eq!(dark.len(), 16);
        assert!(dark
            .iter()
            .all(|&(x, y)| (2..6).contains(&x) && (2..6).contains(&y)));
    }
}
