//! The npm package's `custom-elements.json` (Custom Elements Manifest, schema 2.1.0) and
//! TypeScript declarations, both written from [`ElementApi`] (src/lib.rs's header comment).

use serde_json::{json, Value};

use super::api::{ElementApi, Item, Property};

/// The element's tag and the name the declarations give its (anonymous) class.
pub const TAG: &str = "redcap-resume";
pub const CLASS: &str = "RedcapResumeElement";
/// The npm modules: the element (no side effect) and the one that registers `<redcap-resume>`.
pub const ELEMENT_MODULE: &str = "element.js";
pub const DEFINE_MODULE: &str = "define.js";

/// An event's `detail` fields, read from the header's `` `{ a, b: null }` `` shapes: a field
/// missing from one shape is optional, a `null` one may be null.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ts_type: String,
    pub optional: bool,
}

/// The TypeScript type of each detail field the header names; a new field needs a line here.
fn field_type(name: &str) -> Option<&'static str> {
    match name {
        "survey" | "status" | "code" => Some("string"),
        "count" => Some("number"),
        _ => None,
    }
}

/// `Err` when a shape names a field [`field_type`] does not know, or the event has no shape.
pub fn detail_fields(event: &Item) -> Result<Vec<Field>, String> {
    let shapes: Vec<Vec<(String, bool)>> = event
        .description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|s| {
            s.trim()
                .strip_prefix('{')?
                .strip_suffix('}')
                .map(str::to_owned)
        })
        .map(|inner| {
            inner
                .split(',')
                .map(|f| match f.split_once(':') {
                    Some((n, v)) => (n.trim().to_owned(), v.trim() == "null"),
                    None => (f.trim().to_owned(), false),
                })
                .filter(|(n, _)| !n.is_empty())
                .collect()
        })
        .collect();
    if shapes.is_empty() {
        return Err(format!(
            "src/lib.rs: event `{}` names no `{{ … }}` detail",
            event.name
        ));
    }
    let mut fields: Vec<Field> = Vec::new();
    for (name, _) in shapes.iter().flatten() {
        if fields.iter().any(|f| &f.name == name) {
            continue;
        }
        let base = field_type(name).ok_or(format!(
            "event `{}`: detail field `{name}` has no TypeScript type in xtask/src/dist/manifest.rs",
            event.name
        ))?;
        let nullable = shapes.iter().flatten().any(|(n, null)| n == name && *null);
        fields.push(Field {
            name: name.clone(),
            ts_type: if nullable {
                format!("{base} | null")
            } else {
                base.to_owned()
            },
            optional: !shapes.iter().all(|s| s.iter().any(|(n, _)| n == name)),
        });
    }
    Ok(fields)
}

fn detail_type(fields: &[Field]) -> String {
    let inner: Vec<String> = fields
        .iter()
        .map(|f| {
            format!(
                "{}{}: {}",
                f.name,
                if f.optional { "?" } else { "" },
                f.ts_type
            )
        })
        .collect();
    format!("{{ {} }}", inner.join("; "))
}

/// A boolean attribute's header line says "boolean"; every other attribute is a string.
fn attribute_type(item: &Item) -> &'static str {
    if item.description.starts_with("boolean") {
        "boolean"
    } else {
        "string"
    }
}

/// The header's words for the attribute a property reflects.
fn attribute_description<'a>(api: &'a ElementApi, p: &Property) -> &'a str {
    api.attributes
        .iter()
        .find(|a| a.name == p.attribute)
        .map_or("", |a| a.description.as_str())
}

/// `custom-elements.json`. `properties` come from the loader's code
/// ([`super::api::reflected_properties`]): each is a `field` member reflecting its attribute,
/// and each attribute names its `fieldName`.
pub fn custom_elements_json(
    api: &ElementApi,
    properties: &[Property],
    summary: &str,
) -> Result<Value, String> {
    let named = |items: &[Item]| -> Vec<Value> {
        items
            .iter()
            .map(|i| json!({ "name": i.name, "description": i.description }))
            .collect()
    };
    let attributes: Vec<Value> = api
        .attributes
        .iter()
        .map(|a| {
            let mut attribute = json!({ "name": a.name, "description": a.description, "type": { "text": attribute_type(a) } });
            if let Some(p) = properties.iter().find(|p| p.attribute == a.name) {
                attribute["fieldName"] = json!(p.name);
            }
            attribute
        })
        .collect();
    let members: Vec<Value> = properties
        .iter()
        .map(|p| {
            let mut member = json!({
                "kind": "field",
                "name": p.name,
                "type": { "text": p.ts_type },
                "description": attribute_description(api, p),
                "attribute": p.attribute,
                "reflects": true,
            });
            if p.inherited {
                member["inheritedFrom"] = json!({ "name": "HTMLElement" });
            }
            member
        })
        .collect();
    let events = api
        .events
        .iter()
        .map(|e| {
            let detail = detail_type(&detail_fields(e)?);
            Ok(json!({ "name": e.name, "description": e.description, "type": { "text": format!("CustomEvent<{detail}>") } }))
        })
        .collect::<Result<Vec<Value>, String>>()?;
    Ok(json!({
        "schemaVersion": "2.1.0",
        "readme": "README.md",
        "modules": [
            {
                "kind": "javascript-module",
                "path": ELEMENT_MODULE,
                "declarations": [
                    {
                        "kind": "class",
                        "name": CLASS,
                        "customElement": true,
                        "tagName": TAG,
                        "summary": summary,
                        "superclass": { "name": "HTMLElement" },
                        "attributes": attributes,
                        "events": events,
                        "cssParts": named(&api.parts),
                        "slots": named(&api.slots),
                        "cssProperties": named(&api.css_properties),
                        "members": members,
                    },
                    {
                        "kind": "function",
                        "name": "define",
                        "description": "Defines the custom element `name`, rendered by the wasm exports (or a promise of them) that `load()` returns.",
                        "parameters": [
                            { "name": "name", "type": { "text": "string" } },
                            { "name": "rust", "type": { "text": "WidgetExports | Promise<WidgetExports>" } },
                        ],
                    },
                    {
                        "kind": "function",
                        "name": "load",
                        "description": "Starts loading the widget's glue and wasm file (found next to this module); resolves to their exports.",
                        "return": { "type": { "text": "Promise<WidgetExports>" } },
                    },
                ],
                "exports": [
                    { "kind": "js", "name": "define", "declaration": { "name": "define", "module": ELEMENT_MODULE } },
                    { "kind": "js", "name": "load", "declaration": { "name": "load", "module": ELEMENT_MODULE } },
                ],
            },
            {
                "kind": "javascript-module",
                "path": DEFINE_MODULE,
                "declarations": [],
                "exports": [
                    { "kind": "custom-element-definition", "name": TAG, "declaration": { "name": CLASS, "module": ELEMENT_MODULE } },
                ],
            },
        ],
    }))
}

fn doc(text: &str, indent: &str) -> String {
    format!("{indent}/** {} */\n", text.replace("*/", "*\\/"))
}

/// `element.d.ts`: the element's attributes, its properties (each reflecting an attribute;
/// `HTMLElement` already declares the platform's own, `lang`), events (with their `detail`) and
/// the two functions; `HTMLElementTagNameMap` knows the tag.
pub fn declarations(api: &ElementApi, properties: &[Property]) -> Result<String, String> {
    let mut out = String::from(
        "// Generated by `cargo xtask dist` from src/lib.rs's Element API. Do not edit.\n\n",
    );
    out.push_str("/** The element's attributes (all reactive; set them with `setAttribute`). */\n");
    out.push_str(&format!("export interface {CLASS}Attributes {{\n"));
    for a in &api.attributes {
        out.push_str(&doc(&a.description, "  "));
        out.push_str(&format!("  '{}'?: {};\n", a.name, attribute_type(a)));
    }
    out.push_str("}\n\n");
    out.push_str("/** The element's events: bubbling, composed `CustomEvent`s. */\n");
    out.push_str(&format!("export interface {CLASS}EventMap {{\n"));
    for e in &api.events {
        out.push_str(&doc(&e.description, "  "));
        out.push_str(&format!(
            "  '{}': CustomEvent<{}>;\n",
            e.name,
            detail_type(&detail_fields(e)?)
        ));
    }
    out.push_str("}\n\n");
    out.push_str(&format!(
        "/** `<{TAG}>`: each property reflects its attribute both ways (setting `null` removes a string attribute). */\n\
         export interface {CLASS} extends HTMLElement {{\n"
    ));
    for p in properties.iter().filter(|p| !p.inherited) {
        out.push_str(&doc(
            &format!(
                "The `{}` attribute: {}",
                p.attribute,
                attribute_description(api, p)
            ),
            "  ",
        ));
        let setter = if p.ts_type == "string" {
            "string | null"
        } else {
            p.ts_type
        };
        out.push_str(&format!(
            "  get {name}(): {ty};\n  set {name}(value: {setter});\n",
            name = p.name,
            ty = p.ts_type
        ));
    }
    out.push_str(&format!(
        "\x20 addEventListener<K extends keyof {CLASS}EventMap>(type: K, listener: (this: {CLASS}, ev: {CLASS}EventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 removeEventListener<K extends keyof {CLASS}EventMap>(type: K, listener: (this: {CLASS}, ev: {CLASS}EventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;\n\
         \x20 removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;\n\
         }}\n\n\
         /** The wasm module's exports the element class calls. */\n\
         export interface WidgetExports {{\n\
         \x20 sync(host: HTMLElement): void;\n\
         }}\n\n\
         /** Defines the custom element `name` (a second call with a defined name does nothing). */\n\
         export function define(name: string, rust: WidgetExports | Promise<WidgetExports>): void;\n\n\
         /** Starts loading the widget's glue and wasm file (found next to this module). */\n\
         export function load(): Promise<WidgetExports>;\n\n\
         declare global {{\n\
         \x20 interface HTMLElementTagNameMap {{\n\
         \x20   '{TAG}': {CLASS};\n\
         \x20 }}\n\
         }}\n"
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::workspace_root;

    fn api() -> ElementApi {
        let lib = std::fs::read_to_string(workspace_root().join("src/lib.rs")).unwrap();
        ElementApi::parse(&lib).unwrap()
    }

    fn loader() -> String {
        std::fs::read_to_string(workspace_root().join("www/redcap-resume.js")).unwrap()
    }

    fn properties() -> Vec<Property> {
        super::super::api::reflected_properties(&loader(), &api()).unwrap()
    }

    /// The properties `loader_js` defines that `manifest`'s class does not list as members.
    fn missing_members(manifest: &Value, loader_js: &str) -> Vec<String> {
        let members: Vec<&str> = manifest["modules"][0]["declarations"][0]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        super::super::api::defined_properties(loader_js)
            .into_iter()
            .filter(|p| !members.contains(&p.as_str()))
            .collect()
    }

    #[test]
    fn ready_detail_is_a_survey_or_a_list() {
        let api = api();
        let ready = api
            .events
            .iter()
            .find(|e| e.name == "redcap-resume:ready")
            .unwrap();
        assert_eq!(
            detail_type(&detail_fields(ready).unwrap()),
            "{ survey: string | null; status?: string; count?: number }"
        );
    }

    #[test]
    fn an_unknown_detail_field_is_refused() {
        let e = Item {
            name: "x".into(),
            description: "`{ record }`".into(),
        };
        assert!(detail_fields(&e).unwrap_err().contains("`record`"));
    }

    #[test]
    fn the_manifest_lists_every_attribute_and_event() {
        let api = api();
        let m = custom_elements_json(&api, &properties(), "s").unwrap();
        let class = &m["modules"][0]["declarations"][0];
        assert_eq!(m["schemaVersion"], "2.1.0");
        assert_eq!(class["tagName"], TAG);
        let attrs: Vec<&str> = class["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        let loader =
            std::fs::read_to_string(workspace_root().join("www/redcap-resume.js")).unwrap();
        assert_eq!(
            attrs,
            super::super::api::observed_attributes(&loader).unwrap()
        );
        let hide = class["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "hide-code");
        assert_eq!(hide.unwrap()["type"]["text"], "boolean");
        assert_eq!(class["events"].as_array().unwrap().len(), api.events.len());
        assert_eq!(
            m["modules"][1]["exports"][0]["kind"],
            "custom-element-definition"
        );
    }

    /// Every property the element's code defines is a member of the manifest, with its type
    /// and the attribute it reflects; one added to the code and not to the manifest fails.
    #[test]
    fn the_manifest_lists_every_property_the_code_defines() {
        let m = custom_elements_json(&api(), &properties(), "s").unwrap();
        assert_eq!(missing_members(&m, &loader()), Vec::<String>::new());
        let members = m["modules"][0]["declarations"][0]["members"]
            .as_array()
            .unwrap();
        let hide = members.iter().find(|p| p["name"] == "hideCode").unwrap();
        assert_eq!(
            (&hide["type"]["text"], &hide["attribute"], &hide["reflects"]),
            (&json!("boolean"), &json!("hide-code"), &json!(true))
        );
        let survey = members.iter().find(|p| p["name"] == "survey").unwrap();
        assert_eq!(survey["type"]["text"], "string");
        let lang = members.iter().find(|p| p["name"] == "lang").unwrap();
        assert_eq!(lang["inheritedFrom"]["name"], "HTMLElement");
        let attrs = m["modules"][0]["declarations"][0]["attributes"]
            .as_array()
            .unwrap();
        let hide_attr = attrs.iter().find(|a| a["name"] == "hide-code").unwrap();
        assert_eq!(hide_attr["fieldName"], "hideCode");
        // A property the code gains (an accessor in the class body) and the manifest lacks.
        let grown = loader().replacen(
            "    disconnectedCallback() {",
            "    get compact() {\n      return this.hasAttribute('compact');\n    }\n    disconnectedCallback() {",
            1,
        );
        assert_ne!(grown, loader());
        assert_eq!(missing_members(&m, &grown), ["compact"]);
    }

    #[test]
    fn the_declarations_type_the_tag_and_the_events() {
        let d = declarations(&api(), &properties()).unwrap();
        assert!(
            d.contains("  get hideCode(): boolean;\n  set hideCode(value: boolean);"),
            "{d}"
        );
        assert!(
            d.contains("  get survey(): string;\n  set survey(value: string | null);"),
            "{d}"
        );
        assert!(!d.contains("get lang()"), "HTMLElement declares lang: {d}");
        assert!(d.contains("'redcap-resume': RedcapResumeElement;"));
        assert!(d.contains("'redcap-resume:error': CustomEvent<{ code: string }>;"));
        assert!(d.contains("'hide-code'?: boolean;"));
    }
}
