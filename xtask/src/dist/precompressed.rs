//! Each published widget file beside its compressed copies, `{file}.br` and `{file}.gz`, made
//! once at build time: the server's `public_dir` and nginx's `gzip_static` send them to a
//! browser that accepts the encoding (`Content-Encoding`), so a participant downloads the
//! ~81 KB brotli the size budget counts, not the ~240 KB the files are.

use std::io::Write;
use std::path::Path;

use super::files::widget_files;

/// The compressed copies' suffixes, in the order written.
pub const SUFFIXES: [&str; 2] = [".br", ".gz"];

/// `bytes` as brotli at the strongest setting (quality 11, 4 MiB window): what browsers
/// decode with `Content-Encoding: br`.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes).expect("writing to memory");
    }
    out
}

/// `bytes` as gzip at level 9, with no file name or time in the header (the same input gives
/// the same bytes).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(bytes).expect("writing to memory");
    w.finish().expect("writing to memory")
}

/// Writes `{file}.br` and `{file}.gz` beside each of [`widget_files`] in `dist`.
pub fn write(dist: &Path) -> Result<(), String> {
    for name in widget_files() {
        let file = dist.join(name);
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (suffix, packed) in SUFFIXES.into_iter().zip([brotli(&bytes), gzip(&bytes)]) {
            let to = dist.join(format!("{name}{suffix}"));
            std::fs::write(&to, packed).map_err(|e| format!("{}: {e}", to.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn each_copy_decodes_to_the_file() {
        let bytes = b"export function define(name, rust) {}\n".repeat(50);
        let mut back = Vec::new();
        brotli::Decompressor::new(&brotli(&bytes)[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, bytes);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&bytes)[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, bytes);
        assert!(gzip(&bytes).len() < bytes.len() / 4);
        assert_eq!(gzip(&bytes), gzip(&bytes), "reproducible");
    }

    #[test]
    fn every_published_file_gets_both_copies() {
        let dist = std::env::temp_dir().join(format!("xtask-precompressed-{}", std::process::id()));
        std::fs::create_dir_all(dist.join("i18n")).unwrap();
        for name in widget_files() {
            std::fs::write(dist.join(name), name.repeat(20)).unwrap();
        }
        write(&dist).unwrap();
        for name in widget_files() {
            for suffix in SUFFIXES {
                assert!(
                    dist.join(format!("{name}{suffix}")).is_file(),
                    "{name}{suffix}"
                );
            }
        }
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
