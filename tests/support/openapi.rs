//! Cloudflare's OpenAPI schema (tests/fixtures/cloudflare-openapi-subset.json,
//! embedded: without the file the tests do not build; its source and date
//! are in tests/fixtures/SOURCES.md) as request-body validators.
#![allow(dead_code)]

use serde_json::{Value, json};

/// The OpenAPI document, with `readOnly` properties taken out of `required`
/// (OpenAPI 3.0: they are only sent in responses).
pub fn openapi() -> Value {
    let text = include_str!("../fixtures/cloudflare-openapi-subset.json");
    let mut doc: Value = serde_json::from_str(text).expect("OpenAPI JSON");
    strip_read_only_required(&mut doc);
    doc
}

fn strip_read_only_required(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let read_only: Vec<String> = o
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| {
                    p.iter()
                        .filter(|(_, s)| s["readOnly"] == true)
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Array(req)) = o.get_mut("required") {
                req.retain(|r| !read_only.iter().any(|k| r == k));
            }
            o.values_mut().for_each(strip_read_only_required);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_read_only_required),
        _ => {}
    }
}

/// A validator for the request body of `method path` (an OpenAPI path
/// template): the whole document with a root `$ref` to that body's schema,
/// so that its `#/components/...` references resolve.
pub fn body_validator(doc: &Value, path: &str, method: &str) -> jsonschema::Validator {
    let body =
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone();
    assert!(
        body.is_object(),
        "no request body schema for {method} {path}"
    );
    let mut root = doc.clone();
    root["components"]["schemas"]["streamscale-test-body"] = body;
    root["$ref"] = json!("#/components/schemas/streamscale-test-body");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&root)
        .expect("compile the body schema")
}

/// A validator for one component schema.
pub fn component_validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let mut root = doc.clone();
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&root)
        .expect("compile the component schema")
}

/// The errors of `body` against `v`, as lines.
pub fn errors(v: &jsonschema::Validator, body: &Value) -> Vec<String> {
    v.iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// The cache-rules entrypoint as Cloudflare's cache-rules API documents it
/// (the OpenAPI body of PUT …/entrypoint is written as the full ruleset and
/// cannot be used as is; see the reference's SOURCES.md).
pub fn cache_rules_validator() -> jsonschema::Validator {
    let schema = json!({
        "type": "object",
        "required": ["kind", "phase", "rules", "name"],
        "additionalProperties": false,
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "kind": {"const": "zone"},
            "phase": {"const": "http_request_cache_settings"},
            "rules": {"type": "array", "items": {
                "type": "object",
                "required": ["expression", "action", "action_parameters"],
                "additionalProperties": false,
                "properties": {
                    "description": {"type": "string"},
                    "expression": {"type": "string", "minLength": 1},
                    "enabled": {"type": "boolean"},
                    "action": {"const": "set_cache_settings"},
                    "action_parameters": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "cache": {"type": "boolean"},
                            "edge_ttl": {"type": "object", "required": ["mode"], "additionalProperties": false, "properties": {
                                "mode": {"enum": ["respect_origin", "bypass_by_default", "override_origin"]},
                                "default": {"type": "integer", "minimum": 0},
                                "status_code_ttl": {"type": "array"}}},
                            "browser_ttl": {"type": "object", "required": ["mode"], "additionalProperties": false, "properties": {
                                "mode": {"enum": ["respect_origin", "bypass_by_default", "override_origin"]},
                                "default": {"type": "integer", "minimum": 0}}}
                        }
                    }
                }
            }}
        }
    });
    jsonschema::validator_for(&schema).expect("cache rules schema")
}

/// rulesets_SetCacheSettingsRule, with the one quirk of the reference
/// relaxed: rulesets_RuleAction's pattern ^[a-z]+$ rejects every action
/// with an underscore.
pub fn cache_rule_validator(doc: &Value) -> jsonschema::Validator {
    let mut root = doc.clone();
    let action = &mut root["components"]["schemas"]["rulesets_RuleAction"];
    if action["pattern"] == "^[a-z]+$" {
        action["pattern"] = json!("^[a-z_]+$");
    }
    component_validator(&root, "rulesets_SetCacheSettingsRule")
}
