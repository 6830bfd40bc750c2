//! `openapi.json` describes exactly the routes warden serves
//! (`warden::http::ROUTES`), every schema in it compiles as JSON Schema
//! 2020-12, every example validates against its schema, error responses use
//! the shared Error schema, and the seed's examples appear byte for byte.

use std::collections::BTreeSet;

use serde_json::{json, Value};

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let text = std::fs::read_to_string(path).expect("openapi.json exists");
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

/// Compiles `schema` with the document's components reachable, so
/// `#/components/schemas/...` references resolve as they do in OpenAPI.
fn validator(doc: &Value, schema: &Value, what: &str) -> jsonschema::Validator {
    let wrapped = json!({
        "$schema": DRAFT_2020_12,
        "allOf": [schema],
        "components": {"schemas": doc["components"]["schemas"].clone()},
    });
    jsonschema::draft202012::new(&wrapped)
        .unwrap_or_else(|e| panic!("{what}: schema does not compile: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: example does not match its schema:\n  {}\nexample: {instance}",
        errors.join("\n  ")
    );
}

/// Every (method, path, operation) in the document.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths").iter() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((method.to_uppercase(), path.clone(), operation));
            }
        }
    }
    out
}

/// Follows a `#/components/...` reference.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {reference}")),
        None => value,
    }
}

/// Examples of a media type object: `example` and every `examples.*.value`.
fn media_examples(media: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = media.get("example").cloned().into_iter().collect();
    for example in media["examples"].as_object().into_iter().flatten() {
        out.push(example.1["value"].clone());
    }
    out
}

#[test]
fn document_is_openapi_3_1() {
    let doc = document();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1.")),
        "openapi: {}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let scheme = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    let described = scheme["description"].as_str().unwrap_or_default();
    assert!(described.contains("agent") && described.contains("admin"));
}

#[test]
fn paths_are_exactly_the_routes_warden_serves() {
    let doc = document();
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let served: BTreeSet<(String, String)> = warden::http::ROUTES
        .iter()
        .map(|(method, path, _)| (method.to_string(), path.to_string()))
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi.json: {undocumented:?}"
    );
    assert!(
        extra.is_empty(),
        "openapi.json documents routes warden does not serve: {extra:?}"
    );
}

#[test]
fn every_component_schema_compiles() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in ["Error", "BudgetStatus", "Decision", "RedactResponse"] {
        assert!(
            schemas.contains_key(name),
            "components.schemas.{name} missing"
        );
    }
    for name in schemas.keys() {
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        validator(&doc, &reference, name);
    }
    // The wrapper is not vacuous: a BudgetStatus with money as a string fails.
    let status = validator(
        &doc,
        &json!({"$ref": "#/components/schemas/BudgetStatus"}),
        "BudgetStatus",
    );
    assert!(!status.is_valid(&json!({
        "run_id": "r", "spent": "0.05", "limit": 10.0, "remaining": 9.95, "exceeded": false
    })));
}

#[test]
fn every_example_validates_and_errors_use_the_error_schema() {
    let doc = document();
    let mut checked = 0;
    for (method, path, operation) in operations(&doc) {
        let what = format!("{method} {path}");
        assert!(operation["operationId"].is_string(), "{what}: operationId");
        if let Some(body) = operation.get("requestBody") {
            let media = &resolve(&doc, body)["content"]["application/json"];
            let schema = validator(&doc, &media["schema"], &format!("{what} request"));
            let examples = media_examples(media);
            assert!(!examples.is_empty(), "{what}: request body has no example");
            for example in examples {
                assert_valid(&schema, &example, &format!("{what} request"));
                checked += 1;
            }
        }
        let responses = operation["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{what}: no 200 response");
        for (status, response) in responses {
            let response = resolve(&doc, response);
            let Some(content) = response["content"].as_object() else {
                continue;
            };
            for (media_type, media) in content {
                let where_ = format!("{what} {status} {media_type}");
                let schema = validator(&doc, &media["schema"], &where_);
                let examples = media_examples(media);
                if status != "200" || media_type == "application/json" {
                    assert!(
                        !examples.is_empty() || path.ends_with("openapi.json"),
                        "{where_}: no example"
                    );
                }
                for example in examples {
                    assert_valid(&schema, &example, &where_);
                    checked += 1;
                }
                let code: u16 = status.parse().expect("numeric status");
                if code >= 400 && path != "/readyz" {
                    assert_eq!(
                        media["schema"]["$ref"], "#/components/schemas/Error",
                        "{where_}: errors use the shared Error schema"
                    );
                }
            }
        }
    }
    assert!(checked > 30, "only {checked} examples checked");
}

#[test]
fn statuses_and_roles_match_the_contract() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        let what = format!("{method} {path}");
        let statuses: BTreeSet<&str> = operation["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .map(String::as_str)
            .collect();
        let roles: Vec<String> = operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|requirement| requirement["bearerAuth"].as_array())
            .flatten()
            .filter_map(|role| role.as_str().map(String::from))
            .collect();
        let public = warden::http::ROUTES.iter().any(|(m, p, access)| {
            *m == method && *p == path && *access == warden::http::Access::Public
        });
        if public {
            assert_eq!(operation["security"], json!([]), "{what}: public");
            continue;
        }
        assert!(statuses.contains("401"), "{what}: needs a token, so 401");
        if !path.starts_with("/api/v1/safety") {
            continue;
        }
        let admin = warden::http::ROUTES.iter().any(|(m, p, access)| {
            *m == method && *p == path && *access == warden::http::Access::Admin
        });
        let want = if admin { "admin" } else { "agent" };
        assert_eq!(roles, vec![want.to_string()], "{what}: role");
        if admin {
            assert!(
                statuses.contains("403"),
                "{what}: admin route documents 403"
            );
        }
        for status in ["422", "504"] {
            assert!(statuses.contains(status), "{what}: documents {status}");
        }
        if operation.get("requestBody").is_some() {
            for status in ["400", "413"] {
                assert!(statuses.contains(status), "{what}: documents {status}");
            }
        }
        if path.contains("/budget/") {
            assert!(statuses.contains("503"), "{what}: store outage is 503");
        }
    }
}

#[test]
fn seed_examples_appear_exactly() {
    let doc = document();
    let text = serde_json::to_string(&doc).expect("serialises");
    let status =
        r#"{"run_id":"run-123","spent":0.05,"limit":10.0,"remaining":9.95,"exceeded":false}"#;
    for needle in [
        status.to_string(),
        r#"{"run_id":"run-123","spent":0.0,"limit":10.0,"remaining":10.0,"exceeded":false}"#
            .to_string(),
        format!(r#"{{"can_spend":true,"current_status":{status}}}"#),
        r#"{"run_id":"run-123","limit":10.0}"#.to_string(),
        r#"{"run_id":"run-123","amount":0.05}"#.to_string(),
        r#"{"action":"execute_code","context":{"command":"ls -la"}}"#.to_string(),
    ] {
        assert!(
            text.contains(&needle),
            "openapi.json lacks the seed example {needle}"
        );
    }
    let get = &doc["paths"]["/api/v1/safety/budget/{run_id}"]["get"]["responses"]["200"];
    let example = &get["content"]["application/json"]["examples"]["seed"]["value"];
    assert_eq!(example.to_string(), status);
}
