//! The `<redcap-resume>` element's public API as its header comment states it (src/lib.rs,
//! "# Element API"), checked against the loader's code (www/redcap-resume.js): the npm
//! package's manifest and TypeScript declarations are generated from this, so the README, the
//! manifest and the code cannot disagree unnoticed.

/// One named thing of the element (an attribute, event, part, slot or custom property) and
/// the header's words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    pub description: String,
}

/// Everything the header lists, in the header's order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ElementApi {
    pub attributes: Vec<Item>,
    pub events: Vec<Item>,
    pub parts: Vec<Item>,
    pub slots: Vec<Item>,
    pub css_properties: Vec<Item>,
    /// The **Properties** paragraph (prose: the properties themselves come from the loader's
    /// code, see [`reflected_properties`]).
    pub properties_text: String,
}

/// The header's section titles, as `**Title**` starts each one.
const SECTIONS: [&str; 6] = [
    "Attributes",
    "Properties",
    "Events",
    "Parts",
    "Slots",
    "Custom properties",
];

impl ElementApi {
    /// Reads the "# Element API" section of src/lib.rs's `//!` comment. `Err` when the heading
    /// or a section is missing, or a section lists nothing.
    pub fn parse(lib_rs: &str) -> Result<ElementApi, String> {
        let doc: Vec<&str> = lib_rs
            .lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        let start = doc
            .iter()
            .position(|l| l.starts_with("# Element API"))
            .ok_or("src/lib.rs: no `# Element API` heading in the crate comment")?;
        let mut sections: Vec<(&str, String)> = Vec::new();
        for line in &doc[start + 1..] {
            if line.starts_with('#') {
                break;
            }
            let title = SECTIONS
                .iter()
                .find(|t| line.starts_with(&format!("**{t}**")));
            match (title, sections.last_mut()) {
                (Some(t), _) => sections.push((t, line[t.len() + 4..].to_owned())),
                (None, Some((_, text))) => {
                    text.push('\n');
                    text.push_str(line);
                }
                (None, None) => {}
            }
        }
        let section = |title: &str| -> Result<&str, String> {
            sections
                .iter()
                .find(|(t, _)| *t == title)
                .map(|(_, text)| text.as_str())
                .ok_or(format!("src/lib.rs: the Element API has no **{title}**"))
        };
        let api = ElementApi {
            attributes: bullets(section("Attributes")?),
            events: bullets(section("Events")?),
            parts: inline(section("Parts")?),
            slots: inline(section("Slots")?),
            css_properties: inline(section("Custom properties")?),
            properties_text: section("Properties")?.replace('\n', " "),
        };
        for (title, items) in [
            ("Attributes", &api.attributes),
            ("Events", &api.events),
            ("Parts", &api.parts),
            ("Slots", &api.slots),
            ("Custom properties", &api.css_properties),
        ] {
            if items.is_empty() {
                return Err(format!("src/lib.rs: **{title}** lists nothing"));
            }
        }
        Ok(api)
    }

    /// The code must observe exactly the attributes the header lists, and use exactly its custom
    /// properties: `Err` names each one only one side has.
    pub fn check_against_loader(&self, loader_js: &str) -> Result<(), String> {
        let observed = observed_attributes(loader_js)?;
        let mut problems = differences(
            "attribute",
            "observedAttributes (www/redcap-resume.js ATTRS)",
            &observed,
            &names(&self.attributes),
        );
        problems.extend(differences(
            "custom property",
            "the loader's CSS",
            &css_properties(loader_js),
            &names(&self.css_properties),
        ));
        match reflected_properties(loader_js, self) {
            Ok(properties) => {
                for p in &properties {
                    if !self.properties_text.contains(&format!("`{}`", p.name)) {
                        problems.push(format!(
                            "property `{}` is defined by www/redcap-resume.js but not named in src/lib.rs's **Properties**",
                            p.name
                        ));
                    }
                }
                let listed: Vec<String> = properties.iter().map(|p| p.name.clone()).collect();
                for name in defined_properties(loader_js) {
                    if !listed.contains(&name) {
                        problems.push(format!(
                            "property `{name}` is defined by www/redcap-resume.js outside PROPS: the manifest and the declarations list PROPS only"
                        ));
                    }
                }
            }
            Err(e) => problems.push(e),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

fn names(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.name.clone()).collect()
}

fn differences(kind: &str, code: &str, in_code: &[String], in_header: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in in_code.iter().filter(|n| !in_header.contains(n)) {
        out.push(format!(
            "{kind} `{name}` is in {code} but not in src/lib.rs's Element API"
        ));
    }
    for name in in_header.iter().filter(|n| !in_code.contains(n)) {
        out.push(format!(
            "{kind} `{name}` is in src/lib.rs's Element API but not in {code}"
        ));
    }
    out
}

/// `- \`name\` — description` items; indented lines continue the item above.
fn bullets(text: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("- `") {
            if let Some((name, after)) = rest.split_once('`') {
                let description = after.trim_start().trim_start_matches('—').trim();
                items.push(Item {
                    name: name.to_owned(),
                    description: description.to_owned(),
                });
            }
        } else if let (Some(last), false) = (items.last_mut(), trimmed.is_empty()) {
            last.description.push(' ');
            last.description.push_str(trimmed);
        }
    }
    items
}

/// `: \`a\`, \`b\` (what b is), …` items on running text.
fn inline(text: &str) -> Vec<Item> {
    let text = text.replace('\n', " ");
    let mut items = Vec::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        let name = after[..close].to_owned();
        rest = &after[close + 1..];
        let mut description = String::new();
        if let Some(inner) = rest.trim_start().strip_prefix('(') {
            let mut depth = 1;
            let end = inner
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(inner.len(), |(i, _)| i);
            description = inner[..end].trim().to_owned();
            rest = &inner[(end + 1).min(inner.len())..];
        }
        items.push(Item { name, description });
    }
    items
}

/// The loader's `const ATTRS = ['survey', …];` (its class's `observedAttributes`).
pub fn observed_attributes(loader_js: &str) -> Result<Vec<String>, String> {
    string_list(loader_js, "ATTRS", "the observed attributes")
}

/// The loader's `const NAME = ['a', …];`.
fn string_list(loader_js: &str, name: &str, what: &str) -> Result<Vec<String>, String> {
    let head = format!("const {name} = [");
    let start = loader_js
        .find(&head)
        .ok_or(format!("www/redcap-resume.js: no `{head}` ({what})"))?;
    let list = &loader_js[start + head.len()..];
    let end = list
        .find(']')
        .ok_or(format!("www/redcap-resume.js: {name} is not closed"))?;
    Ok(list[..end]
        .split(',')
        .map(|s| s.trim().trim_matches(['\'', '"']).to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A JavaScript property of the element that reflects one of its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `hideCode`.
    pub name: String,
    /// The attribute it reflects, `hide-code`.
    pub attribute: String,
    /// `boolean` (present or absent) or `string` (`''` when absent).
    pub ts_type: &'static str,
    /// `HTMLElement`'s own reflecting property (`lang`): the loader leaves it to the platform.
    pub inherited: bool,
}

/// `HTMLElement`'s own properties that reflect an attribute of the same name: the loader skips
/// those (`p in HTMLElement.prototype`), the platform's accessor already reflects them.
const PLATFORM_REFLECTED: [&str; 6] = ["lang", "title", "dir", "hidden", "id", "translate"];

/// The element's properties, from the code that defines them: the loader's `PROPS`, index by
/// index the property of `ATTRS`'s attribute (`ATTRS.forEach` defines each as an accessor);
/// boolean for the attributes its `BOOLS` lists (toggled by `BOOLS.includes(a)`), string for
/// the others. `Err`
/// when the two lists differ in length, a property is not its attribute's camelCase name, or a
/// type disagrees with the header's attribute line ("boolean: …").
pub fn reflected_properties(loader_js: &str, api: &ElementApi) -> Result<Vec<Property>, String> {
    let attrs = observed_attributes(loader_js)?;
    let props = string_list(loader_js, "PROPS", "the properties reflecting ATTRS")?;
    if attrs.len() != props.len() {
        return Err(format!(
            "www/redcap-resume.js: PROPS has {} names, ATTRS {}: each attribute needs its property",
            props.len(),
            attrs.len()
        ));
    }
    let definitions = loader_js
        .find("ATTRS.forEach(")
        .map(|i| &loader_js[i..])
        .ok_or("www/redcap-resume.js: no `ATTRS.forEach(` (where the properties are defined)")?;
    if !definitions.contains("BOOLS.includes(a)") {
        return Err("www/redcap-resume.js: `ATTRS.forEach(` no longer picks the booleans by `BOOLS.includes(a)`".into());
    }
    let booleans = string_list(loader_js, "BOOLS", "the boolean attributes")?;
    let mut out = Vec::new();
    for (attribute, name) in attrs.iter().zip(&props) {
        if camel_case(attribute) != *name {
            return Err(format!(
                "www/redcap-resume.js: property `{name}` reflects `{attribute}`; expected `{}`",
                camel_case(attribute)
            ));
        }
        let ts_type = if booleans.contains(attribute) {
            "boolean"
        } else {
            "string"
        };
        let header_boolean = api
            .attributes
            .iter()
            .find(|a| a.name == *attribute)
            .is_some_and(|a| a.description.starts_with("boolean"));
        if header_boolean != (ts_type == "boolean") {
            return Err(format!(
                "attribute `{attribute}`: src/lib.rs says {}, www/redcap-resume.js reflects it as a {ts_type}",
                if header_boolean { "boolean" } else { "not boolean" }
            ));
        }
        out.push(Property {
            name: name.clone(),
            attribute: attribute.clone(),
            ts_type,
            inherited: PLATFORM_REFLECTED.contains(&name.as_str()),
        });
    }
    Ok(out)
}

/// `hide-code` → `hideCode`.
fn camel_case(attribute: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in attribute.chars() {
        match (c, upper) {
            ('-', _) => upper = true,
            (c, true) => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            (c, false) => out.push(c),
        }
    }
    out
}

/// Every property the loader's code defines on the element, whatever the form: `PROPS`, an
/// accessor in the class body (`get name()`, `set name(`, `static`s aside) and
/// `Object.defineProperty(Card.prototype, 'name'`. Methods are not properties.
pub fn defined_properties(loader_js: &str) -> Vec<String> {
    let mut out: Vec<String> = string_list(loader_js, "PROPS", "").unwrap_or_default();
    let mut add = |name: String| {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    };
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
            .collect()
    };
    if let Some(start) = loader_js.find("class extends HTMLElement {") {
        let body = &loader_js[start..];
        let body = &body[..body.find("\n  };").unwrap_or(body.len())];
        for line in body.lines().map(str::trim) {
            for prefix in ["get ", "set "] {
                if let Some(rest) = line.strip_prefix(prefix) {
                    let name = ident(rest);
                    if rest[name.len()..].starts_with('(') {
                        add(name);
                    }
                }
            }
        }
    }
    for (i, m) in loader_js.match_indices("Object.defineProperty(Card.prototype, '") {
        add(ident(&loader_js[i + m.len()..]));
    }
    out
}

/// Every `var(--redcap-resume-…` the loader's CSS reads, once each, in order of first use.
fn css_properties(loader_js: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in loader_js.match_indices("var(--redcap-resume-") {
        let name: String = loader_js[i + 4..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::workspace_root;

    fn read(path: &str) -> String {
        std::fs::read_to_string(workspace_root().join(path)).expect(path)
    }

    #[test]
    fn the_header_and_the_loader_agree() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        api.check_against_loader(&read("www/redcap-resume.js"))
            .unwrap();
    }

    #[test]
    fn reads_every_section_of_the_header() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        assert!(names(&api.attributes).contains(&"hide-code".to_owned()));
        let ready = &api.events[0];
        assert_eq!(ready.name, "redcap-resume:ready");
        assert!(ready.description.starts_with("`{ survey, status }`"));
        assert!(names(&api.parts).contains(&"copy".to_owned()));
        let signed_out = api.slots.iter().find(|s| s.name == "signed-out").unwrap();
        assert!(signed_out.description.contains("sign in"), "{signed_out:?}");
        assert!(names(&api.css_properties).contains(&"--redcap-resume-accent".to_owned()));
    }

    #[test]
    fn an_attribute_the_code_observes_but_the_header_omits_fails() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        let loader = read("www/redcap-resume.js").replacen(
            "const ATTRS = [",
            "const ATTRS = ['compact', ",
            1,
        );
        let err = api.check_against_loader(&loader).unwrap_err();
        assert!(
            err.contains("attribute `compact` is in observedAttributes"),
            "{err}"
        );
    }

    #[test]
    fn an_attribute_the_header_lists_but_the_code_does_not_observe_fails() {
        let lib = read("src/lib.rs").replacen(
            "//! - `survey` —",
            "//! - `compact` — boolean: a smaller card.\n//! - `survey` —",
            1,
        );
        let api = ElementApi::parse(&lib).unwrap();
        assert_eq!(api.attributes[0].name, "compact");
        let err = api
            .check_against_loader(&read("www/redcap-resume.js"))
            .unwrap_err();
        assert!(err.contains("`compact` is in src/lib.rs"), "{err}");
    }

    #[test]
    fn the_properties_come_from_the_loaders_code() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        let props = reflected_properties(&read("www/redcap-resume.js"), &api).unwrap();
        let shape: Vec<(&str, &str, &str, bool)> = props
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.attribute.as_str(),
                    p.ts_type,
                    p.inherited,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("survey", "survey", "string", false),
                ("endpoint", "endpoint", "string", false),
                ("ticket", "ticket", "string", false),
                ("lang", "lang", "string", true),
                ("target", "target", "string", false),
                ("hideCode", "hide-code", "boolean", false),
                ("strings", "strings", "string", false),
                ("queue", "queue", "boolean", false),
                ("qr", "qr", "boolean", false),
            ]
        );
        // The **Properties** paragraph is its own section, not hide-code's description.
        let hide = api
            .attributes
            .iter()
            .find(|a| a.name == "hide-code")
            .unwrap();
        assert!(!hide.description.contains("Properties"), "{hide:?}");
    }

    #[test]
    fn a_property_the_code_defines_outside_props_fails() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        let loader = read("www/redcap-resume.js").replacen(
            "    disconnectedCallback() {",
            "    get compact() {\n      return this.hasAttribute('compact');\n    }\n    disconnectedCallback() {",
            1,
        );
        let err = api.check_against_loader(&loader).unwrap_err();
        assert!(err.contains("property `compact`"), "{err}");
    }

    #[test]
    fn a_property_without_its_attribute_or_the_headers_word_fails() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        let loader = read("www/redcap-resume.js").replacen(
            "const PROPS = [",
            "const PROPS = ['compact', ",
            1,
        );
        let err = api.check_against_loader(&loader).unwrap_err();
        assert!(err.contains("PROPS has 10 names, ATTRS 9"), "{err}");
        let lib = read("src/lib.rs").replacen("`hideCode`", "hideCode", 1);
        let api = ElementApi::parse(&lib).unwrap();
        let err = api
            .check_against_loader(&read("www/redcap-resume.js"))
            .unwrap_err();
        assert!(err.contains("property `hideCode`"), "{err}");
        // A boolean attribute reflected as a string (or the reverse) is named.
        let loader = read("www/redcap-resume.js").replacen(
            "const BOOLS = ['hide-code', ",
            "const BOOLS = [",
            1,
        );
        let err = api.check_against_loader(&loader).unwrap_err();
        assert!(err.contains("attribute `hide-code`"), "{err}");
    }

    #[test]
    fn a_custom_property_only_the_css_reads_fails() {
        let api = ElementApi::parse(&read("src/lib.rs")).unwrap();
        let loader = read("www/redcap-resume.js").replacen(
            ":host{",
            ":host{gap:var(--redcap-resume-gap);",
            1,
        );
        let err = api.check_against_loader(&loader).unwrap_err();
        assert!(err.contains("`--redcap-resume-gap`"), "{err}");
    }
}
