//! The few `[Service]` settings of deploy/redcap-resume.service that the deploy check acts on.

use std::collections::HashMap;

/// What the check reproduces outside systemd: who runs the command, with which umask and
/// environment, and which folder systemd would create for the audit log.
#[derive(Debug)]
pub struct Unit {
    pub user: String,
    pub group: String,
    /// `UMask=`, octal as written (`0077`).
    pub umask: String,
    /// `ExecStart=` split on spaces (the unit uses no quoting).
    pub exec_start: Vec<String>,
    /// `Environment=` entries as `NAME=value`.
    pub environment: Vec<(String, String)>,
    /// `LogsDirectory=`: a folder under /var/log owned by `user`.
    pub logs_directory: String,
    /// `LogsDirectoryMode=` (systemd's default is 0755).
    pub logs_directory_mode: String,
    /// Every `SystemCallFilter=` line in order (`@group`s and names; `~` starts a deny list).
    pub system_call_filter: Vec<String>,
    /// `RestrictAddressFamilies=`, like `AF_INET AF_INET6 AF_UNIX`.
    pub address_families: Vec<String>,
}

impl Unit {
    /// Reads the settings from the unit's text; `Err` names a missing or unsupported one.
    pub fn parse(text: &str) -> Result<Unit, String> {
        let mut service = false;
        let mut single: HashMap<&str, &str> = HashMap::new();
        let mut environment = Vec::new();
        let mut system_call_filter = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                service = line == "[Service]";
                continue;
            }
            if !service || line.starts_with('#') || line.is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("unit line without `=`: {line}"));
            };
            if key == "Environment" {
                let (name, value) = value
                    .split_once('=')
                    .ok_or_else(|| format!("Environment= without NAME=value: {line}"))?;
                environment.push((name.to_owned(), value.to_owned()));
            } else if key == "SystemCallFilter" {
                system_call_filter.push(value.to_owned());
            } else {
                single.insert(key, value);
            }
        }
        let get = |key: &str| {
            single
                .get(key)
                .map(|v| v.to_string())
                .ok_or_else(|| format!("deploy/redcap-resume.service has no {key}="))
        };
        let exec = get("ExecStart")?;
        if exec.contains(['"', '\'', '$', '%']) {
            return Err(format!(
                "ExecStart= uses quoting or specifiers the deploy check does not expand: {exec}"
            ));
        }
        if single.contains_key("DynamicUser") {
            return Err("DynamicUser= cannot be reproduced outside systemd; the README's recipe is a system user".into());
        }
        Ok(Unit {
            user: get("User")?,
            group: get("Group")?,
            umask: get("UMask")?,
            exec_start: exec.split_whitespace().map(str::to_owned).collect(),
            environment,
            logs_directory: get("LogsDirectory")?,
            logs_directory_mode: single
                .get("LogsDirectoryMode")
                .unwrap_or(&"0755")
                .to_string(),
            system_call_filter,
            address_families: get("RestrictAddressFamilies")?
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shipped_unit() {
        let text = include_str!("../../../deploy/redcap-resume.service");
        let unit = Unit::parse(text).unwrap();
        assert_eq!(unit.user, "redcap-resume");
        assert_eq!(unit.umask, "0077");
        assert_eq!(unit.exec_start[0], "/usr/local/bin/redcap-resume");
        assert!(unit.exec_start.contains(&"serve".to_owned()));
        assert_eq!(unit.logs_directory, "redcap-resume");
        assert_eq!(unit.system_call_filter[0], "@system-service");
        assert!(unit.address_families.contains(&"AF_INET".to_owned()));
    }

    #[test]
    fn refuses_what_it_cannot_reproduce() {
        let base = "[Service]\nUser=u\nGroup=g\nUMask=0077\nLogsDirectory=x\nRestrictAddressFamilies=AF_INET\n";
        assert!(Unit::parse(&format!("{base}ExecStart=/bin/x --a \"b c\"\n")).is_err());
        assert!(Unit::parse(&format!("{base}ExecStart=/bin/x\nDynamicUser=yes\n")).is_err());
        assert!(Unit::parse("[Service]\nExecStart=/bin/x\n").is_err());
        assert!(Unit::parse(&format!("{base}ExecStart=/bin/x\n")).is_ok());
    }
}
