//! A request's form fields (the API's POST body, a survey page's query or form), read the
//! way REDCap's PHP reads them.

/// The form fields of a request, PHP-style: the last of duplicate keys wins.
#[derive(Debug, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Params(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The value of a field (the last one when repeated).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A trimmed, non-empty field value.
    pub(crate) fn non_empty(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// A boolean flag: `true` or `1`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
    }

    /// An array parameter: `name[0]=a&name[1]=b`, `name[]=a`, or `name=a,b`.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in &self.0 {
            if k == name {
                out.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                );
            } else if k
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('[') && rest.ends_with(']'))
            {
                let v = v.trim();
                if !v.is_empty() {
                    out.push(v.to_owned());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_parameters_in_every_spelling() {
        let p = Params::parse(b"records[0]=1001&records[1]=1002&fields[]=a&events=x,y&forms=");
        assert_eq!(p.list("records"), ["1001", "1002"]);
        assert_eq!(p.list("fields"), ["a"]);
        assert_eq!(p.list("events"), ["x", "y"]);
        assert!(p.list("forms").is_empty());
        assert!(
            p.list("record").is_empty(),
            "a prefix is not the same parameter"
        );
    }

    #[test]
    fn last_duplicate_wins_like_php() {
        let p = Params::parse(b"content=version&content=record");
        assert_eq!(p.get("content"), Some("record"));
    }
}
