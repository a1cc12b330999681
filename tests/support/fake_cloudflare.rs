//! A stand-in for Cloudflare's v4 API (no emulator exists): an HTTP server on
//! a free loopback port that keeps monitors, pools, load balancers and the
//! cache-rules entrypoint in memory, checks the bearer token, and validates
//! every request body against Cloudflare's OpenAPI schema
//! (tests/fixtures/cloudflare-openapi-subset.json). Tests read what it holds
//! and the schema violations it saw.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::moto::Moto;
use super::openapi;
use super::project::Project;

pub const TOKEN: &str = "test-token-SECRET-4f9a";
pub const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
pub const ZONE_ID: &str = "fedcba9876543210fedcba9876543210";

/// What the server holds and saw.
#[derive(Default)]
pub struct State {
    pub monitors: BTreeMap<String, Value>,
    pub pools: BTreeMap<String, Value>,
    pub load_balancers: BTreeMap<String, Value>,
    pub cache_rules: Option<Value>,
    /// The zone's SSL/TLS mode (`None`: Cloudflare's default, `full`).
    pub ssl_mode: Option<String>,
    /// What `GET /ips` answers (`None`: the ranges bundled with streamscale).
    pub ips: Option<Value>,
    /// (method, path, body) of every request.
    pub requests: Vec<(String, String, Option<Value>)>,
    /// Schema violations and unexpected requests.
    pub violations: Vec<String>,
    next_id: u64,
}

impl State {
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{:032x}", self.next_id)
    }
}

pub struct FakeCloudflare {
    pub base: String,
    pub state: Arc<Mutex<State>>,
}

struct Validators {
    monitor_post: jsonschema::Validator,
    monitor_put: jsonschema::Validator,
    pool_post: jsonschema::Validator,
    pool_put: jsonschema::Validator,
    lb_post: jsonschema::Validator,
    lb_put: jsonschema::Validator,
    rules: jsonschema::Validator,
    rule: jsonschema::Validator,
}

impl FakeCloudflare {
    pub fn start() -> FakeCloudflare {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}/client/v4", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let doc = openapi::openapi();
        let v = Arc::new(Validators {
            monitor_post: openapi::body_validator(
                &doc,
                "/accounts/{account_id}/load_balancers/monitors",
                "post",
            ),
            monitor_put: openapi::body_validator(
                &doc,
                "/accounts/{account_id}/load_balancers/monitors/{monitor_id}",
                "put",
            ),
            pool_post: openapi::body_validator(
                &doc,
                "/accounts/{account_id}/load_balancers/pools",
                "post",
            ),
            pool_put: openapi::body_validator(
                &doc,
                "/accounts/{account_id}/load_balancers/pools/{pool_id}",
                "put",
            ),
            lb_post: openapi::body_validator(&doc, "/zones/{zone_id}/load_balancers", "post"),
            lb_put: openapi::body_validator(
                &doc,
                "/zones/{zone_id}/load_balancers/{load_balancer_id}",
                "put",
            ),
            rules: openapi::cache_rules_validator(),
            rule: openapi::cache_rule_validator(&doc),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let st = st.clone();
                let v = v.clone();
                std::thread::spawn(move || serve(stream, &st, &v));
            }
        });
        FakeCloudflare { base, state }
    }

    /// The environment a streamscale process needs to use this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CLOUDFLARE_API_TOKEN", TOKEN.to_string()),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT.to_string()),
            ("CLOUDFLARE_API_BASE", self.base.clone()),
        ]
    }
}

/// The `[cloudflare]` part of a plan for the zone this server knows
/// (`example.com`), served at `hostname`: geo steering, an HTTPS health
/// check on `/healthz` and one cache rule (video segments) kept at the edge
/// for `edge_ttl_seconds`.
pub fn plan_section(hostname: &str, edge_ttl_seconds: u32) -> String {
    format!(
        r#"
[cloudflare]
zone = "example.com"
hostname = "{hostname}"
steering_policy = "geo"

[cloudflare.health_check]
type = "https"
path = "/healthz"

[[cloudflare.cache_rules]]
name = "video-segments"
expression = '(http.request.uri.path.extension in {{"ts" "m4s"}})'
edge_ttl_seconds = {edge_ttl_seconds}
"#
    )
}

/// Run streamscale in `p` against `moto`, with `cf`'s token and address in
/// the environment (none of Cloudflare's when `cf` is `None`). Asserts the
/// exit code, that the token is printed nowhere and that nothing panicked;
/// returns (stdout, stderr).
pub fn run(
    p: &Project,
    moto: &Moto,
    cf: Option<&FakeCloudflare>,
    args: &[&str],
    code: i32,
) -> (String, String) {
    let mut c = p.cmd(moto, args);
    if let Some(cf) = cf {
        c.envs(cf.env());
    }
    let out = c.output().expect("run streamscale");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "{args:?}: the token leaked"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

fn serve(stream: TcpStream, state: &Mutex<State>, v: &Validators) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, target) = (method.to_string(), target.to_string());
        let mut length = 0usize;
        let mut auth = String::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, val)) = h.split_once(':') {
                match k.to_ascii_lowercase().as_str() {
                    "content-length" => length = val.trim().parse().unwrap_or(0),
                    "authorization" => auth = val.trim().to_string(),
                    _ => {}
                }
            }
        }
        let mut buf = vec![0; length];
        if reader.read_exact(&mut buf).is_err() {
            return;
        }
        let body: Option<Value> =
            (length > 0).then(|| serde_json::from_slice(&buf).unwrap_or(Value::Null));
        let (status, result) = if auth != format!("Bearer {TOKEN}") {
            (
                403,
                Err(json!([{"code": 10000, "message": "Authentication error"}])),
            )
        } else {
            route(&method, &target, body.clone(), state, v)
        };
        state.lock().unwrap().requests.push((method, target, body));
        let envelope = match result {
            Ok(r) => json!({"success": true, "errors": [], "messages": [], "result": r}),
            Err(e) => json!({"success": false, "errors": e, "messages": [], "result": null}),
        };
        let text = envelope.to_string();
        let mut out = stream.try_clone().expect("clone stream");
        let _ = write!(
            out,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        let _ = out.flush();
    }
}

type Answer = (u16, Result<Value, Value>);

fn check(state: &Mutex<State>, v: &jsonschema::Validator, what: &str, body: &Value) {
    for e in openapi::errors(v, body) {
        state
            .lock()
            .unwrap()
            .violations
            .push(format!("{what}: {e}"));
    }
}

fn route(
    method: &str,
    target: &str,
    body: Option<Value>,
    state: &Mutex<State>,
    v: &Validators,
) -> Answer {
    let path = target.trim_start_matches("/client/v4");
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let body = body.unwrap_or(Value::Null);
    let not_found = || (404, Err(json!([{"code": 10007, "message": "not found"}])));
    match (method, seg.as_slice()) {
        ("GET", ["ips"]) => {
            let ips = state.lock().unwrap().ips.clone();
            let bundled = || {
                let r = streamscale_core::origin::OriginRanges::bundled();
                json!({"ipv4_cidrs": r.ipv4, "ipv6_cidrs": r.ipv6, "etag": "bundled"})
            };
            (200, Ok(ips.unwrap_or_else(bundled)))
        }
        ("GET", ["zones", zone, "settings", "ssl"]) if *zone == ZONE_ID => {
            let mode = state.lock().unwrap().ssl_mode.clone();
            let value = mode.unwrap_or_else(|| "full".into());
            (
                200,
                Ok(json!({"id": "ssl", "value": value, "editable": true})),
            )
        }
        ("PATCH", ["zones", zone, "settings", "ssl"]) if *zone == ZONE_ID => {
            // Cloudflare's modes: off, flexible, full, strict.
            match body["value"].as_str() {
                Some(v @ ("off" | "flexible" | "full" | "strict")) => {
                    state.lock().unwrap().ssl_mode = Some(v.to_string());
                    (200, Ok(json!({"id": "ssl", "value": v, "editable": true})))
                }
                _ => {
                    state
                        .lock()
                        .unwrap()
                        .violations
                        .push(format!("PATCH {path}: bad body {body}"));
                    (
                        400,
                        Err(
                            json!([{"code": 1007, "message": "Invalid value for zone setting ssl"}]),
                        ),
                    )
                }
            }
        }
        ("GET", ["zones"]) => {
            let name = query.strip_prefix("name=").unwrap_or("");
            (200, Ok(json!([{"id": ZONE_ID, "name": name}])))
        }
        (
            m,
            [
                "accounts",
                acc,
                "load_balancers",
                kind @ ("monitors" | "pools"),
                rest @ ..,
            ],
        ) => {
            if *acc != ACCOUNT {
                state
                    .lock()
                    .unwrap()
                    .violations
                    .push(format!("{m} {path}: wrong account"));
                return not_found();
            }
            let monitors = *kind == "monitors";
            let (post, put) = if monitors {
                (&v.monitor_post, &v.monitor_put)
            } else {
                (&v.pool_post, &v.pool_put)
            };
            collection(
                m,
                rest,
                body,
                state,
                post,
                put,
                &format!("{m} {path}"),
                |s| {
                    if monitors {
                        &mut s.monitors
                    } else {
                        &mut s.pools
                    }
                },
            )
        }
        (m, ["zones", zone, "load_balancers", rest @ ..]) if *zone == ZONE_ID => collection(
            m,
            rest,
            body,
            state,
            &v.lb_post,
            &v.lb_put,
            &format!("{m} {path}"),
            |s| &mut s.load_balancers,
        ),
        (
            m @ ("GET" | "PUT"),
            [
                "zones",
                zone,
                "rulesets",
                "phases",
                "http_request_cache_settings",
                "entrypoint",
            ],
        ) if *zone == ZONE_ID => {
            if m == "GET" {
                return match state.lock().unwrap().cache_rules.clone() {
                    Some(r) => (200, Ok(r)),
                    None => not_found(),
                };
            }
            check(state, &v.rules, "PUT entrypoint", &body);
            for r in body["rules"].as_array().into_iter().flatten() {
                check(state, &v.rule, "PUT entrypoint rule", r);
            }
            let mut stored = body.clone();
            stored["id"] = json!("ruleset1");
            stored["version"] = json!("1");
            state.lock().unwrap().cache_rules = Some(stored.clone());
            (200, Ok(stored))
        }
        _ => {
            state
                .lock()
                .unwrap()
                .violations
                .push(format!("unexpected request {method} {target}"));
            not_found()
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn collection(
    method: &str,
    rest: &[&str],
    body: Value,
    state: &Mutex<State>,
    post: &jsonschema::Validator,
    put: &jsonschema::Validator,
    what: &str,
    pick: impl Fn(&mut State) -> &mut BTreeMap<String, Value>,
) -> Answer {
    match (method, rest) {
        ("GET", []) => {
            let mut s = state.lock().unwrap();
            (
                200,
                Ok(Value::Array(pick(&mut s).values().cloned().collect())),
            )
        }
        ("POST", []) => {
            check(state, post, what, &body);
            let mut s = state.lock().unwrap();
            let id = s.new_id();
            let mut stored = body;
            stored["id"] = json!(id);
            pick(&mut s).insert(id, stored.clone());
            (200, Ok(stored))
        }
        ("PUT", [id]) => {
            check(state, put, what, &body);
            let mut s = state.lock().unwrap();
            if !pick(&mut s).contains_key(*id) {
                return (404, Err(json!([{"code": 1000, "message": "not found"}])));
            }
            let mut stored = body;
            stored["id"] = json!(id);
            pick(&mut s).insert(id.to_string(), stored.clone());
            (200, Ok(stored))
        }
        ("DELETE", [id]) => {
            let mut s = state.lock().unwrap();
            match pick(&mut s).remove(*id) {
                Some(_) => (200, Ok(json!({"id": id}))),
                None => (404, Err(json!([{"code": 1000, "message": "not found"}]))),
            }
        }
        _ => {
            state
                .lock()
                .unwrap()
                .violations
                .push(format!("unexpected {what}"));
            (404, Err(json!([{"code": 1000, "message": "not found"}])))
        }
    }
}
