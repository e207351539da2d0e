//! The keys of a project that describe how its REDCap is set up rather than how to call it:
//! `survey_base_url`, `record_id_field`, `ca_file`. Each is checked at start-up, so a mistake
//! stops the server naming the key instead of failing a participant later.

use std::path::{Path, PathBuf};

use redcap_client::FieldName;
use url::Url;

use super::error::{invalid, ConfigError};

/// `survey_base_url`: REDCap's survey base URL when an administrator put survey links on a
/// host other than the API's (`https://surveys.example.edu/redcap/`; links are
/// `{base}surveys/?s=…`). An http(s) URL without credentials, query or fragment; a missing
/// trailing `/` is added (REDCap's setting is a folder).
pub(super) fn survey_base_url(key: &str, text: Option<&str>) -> Result<Option<Url>, ConfigError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let mut url =
        Url::parse(text).map_err(|e| invalid(key, format!("`{text}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            key,
            "must be an http(s) URL, like https://surveys.example.edu/redcap/",
        ));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid(
            key,
            "must be REDCap's survey base URL only: no user name, password, query or fragment",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(Some(url))
}

/// `record_id_field`: the project's record-id field (the first field of its data dictionary).
pub(super) fn record_id_field(
    key: &str,
    text: Option<&str>,
) -> Result<Option<FieldName>, ConfigError> {
    text.map(|t| {
        FieldName::parse(t).map_err(|_| {
            invalid(
                key,
                format!("`{t}` is not a REDCap field name (a-z, 0-9 and _, starting with a letter): the project's first field, like record_id"),
            )
        })
    })
    .transpose()
}

/// `ca_file`: a PEM file of certificate authorities (an institution's own CA) that must be
/// readable now and hold at least one certificate. The client reads it again when built.
pub(super) fn ca_file(key: &str, path: Option<PathBuf>) -> Result<Option<PathBuf>, ConfigError> {
    let Some(path) = path else {
        return Ok(None);
    };
    check_pem(&path).map_err(|why| invalid(key, format!("{}: {why}", path.display())))?;
    Ok(Some(path))
}

fn check_pem(path: &Path) -> Result<(), String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read it ({e})"))?;
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    if !pem.windows(BEGIN.len()).any(|w| w == BEGIN) {
        return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the certificate authority's certificate in PEM".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_base_url_is_a_folder_url() {
        let k = "redcap.survey_base_url";
        assert_eq!(survey_base_url(k, None).unwrap(), None);
        assert_eq!(
            survey_base_url(k, Some("https://surveys.example.edu/redcap"))
                .unwrap()
                .unwrap()
                .as_str(),
            "https://surveys.example.edu/redcap/"
        );
        assert_eq!(
            survey_base_url(k, Some("http://localhost:8081/"))
                .unwrap()
                .unwrap()
                .as_str(),
            "http://localhost:8081/"
        );
        for (bad, why) in [
            ("surveys.example.edu", "not a URL"),
            ("ftp://surveys.example.edu/", "http(s)"),
            ("https://u:p@surveys.example.edu/", "no user name"),
            ("https://surveys.example.edu/?s=x", "query"),
        ] {
            let err = survey_base_url(k, Some(bad)).unwrap_err().to_string();
            assert!(
                err.contains("`redcap.survey_base_url`") && err.contains(why),
                "{bad} → {err}"
            );
        }
    }

    #[test]
    fn record_id_field_is_a_field_name() {
        let k = "projects.cohort.record_id_field";
        assert_eq!(
            record_id_field(k, Some("participant_id"))
                .unwrap()
                .unwrap()
                .as_str(),
            "participant_id"
        );
        assert_eq!(record_id_field(k, None).unwrap(), None);
        let err = record_id_field(k, Some("Record ID"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`projects.cohort.record_id_field`")
                && err.contains("not a REDCap field name"),
            "{err}"
        );
    }

    #[test]
    fn ca_file_must_be_a_readable_pem() {
        let dir = std::env::temp_dir().join(format!("rr-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("ca.pem");
        std::fs::write(
            &good,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let der = dir.join("ca.der");
        std::fs::write(&der, [0x30, 0x82, 0x01]).unwrap();
        let k = "redcap.ca_file";
        assert_eq!(ca_file(k, Some(good.clone())).unwrap(), Some(good));
        assert_eq!(ca_file(k, None).unwrap(), None);
        let err = ca_file(k, Some(dir.join("missing.pem")))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`redcap.ca_file`") && err.contains("cannot read"),
            "{err}"
        );
        let err = ca_file(k, Some(der)).unwrap_err().to_string();
        assert!(
            err.contains("`redcap.ca_file`") && err.contains("no PEM certificate"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
