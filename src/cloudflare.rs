//! The Cloudflare adapter: a thin client for the v4 API calls streamscale
//! makes (zones, load-balancer monitors and pools, load balancers, the
//! cache-rules entrypoint ruleset). No decisions live here.
//!
//! Configuration: `CLOUDFLARE_API_TOKEN`, `CLOUDFLARE_ACCOUNT_ID`, and
//! `CLOUDFLARE_API_BASE` (default `https://api.cloudflare.com/client/v4`).
//! The token is sent as a bearer header and never printed.

use std::time::Duration;

use serde_json::Value;

/// The default API base.
pub const DEFAULT_BASE: &str = "https://api.cloudflare.com/client/v4";

/// Errors of Cloudflare calls.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CloudflareError {
    /// A token without an account id.
    #[error("CLOUDFLARE_API_TOKEN is set but CLOUDFLARE_ACCOUNT_ID is not")]
    #[diagnostic(
        code(cloudflare::config),
        help("monitors and pools live in an account: export CLOUDFLARE_ACCOUNT_ID")
    )]
    NoAccount,
    /// The request did not complete.
    #[error("Cloudflare {operation}: {message}")]
    #[diagnostic(code(cloudflare::http))]
    Http {
        /// What was attempted.
        operation: String,
        /// The transport error.
        message: String,
    },
    /// Cloudflare answered with an error.
    #[error("Cloudflare {operation}: HTTP {status}: {message}")]
    #[diagnostic(code(cloudflare::api))]
    Api {
        /// What was attempted.
        operation: String,
        /// HTTP status.
        status: u16,
        /// Cloudflare's error messages.
        message: String,
    },
    /// The zone of the plan is not in the account.
    #[error("Cloudflare zone `{0}` not found for this token")]
    #[diagnostic(
        code(cloudflare::zone),
        help("check cloudflare.zone in the plan and the token's zone permissions")
    )]
    NoZone(String),
    /// An API base that would carry the token in clear text.
    #[error("CLOUDFLARE_API_BASE `{0}` is not HTTPS: the API token is sent only over HTTPS")]
    #[diagnostic(
        code(cloudflare::insecure_base),
        help(
            "use an https:// address (plain http:// is accepted only for a loopback address such as http://127.0.0.1:PORT, a local test stand-in)"
        )
    )]
    InsecureBase(String),
}

/// Whether the token may be sent to `base`: HTTPS, or plain HTTP to a
/// loopback address (`127.0.0.0/8`, `::1`, `localhost`).
pub fn base_is_allowed(base: &str) -> bool {
    let lower = base.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // No user info: `http://127.0.0.1@evil.example` is not loopback.
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A configured client.
#[derive(Clone)]
pub struct Cloudflare {
    http: reqwest::Client,
    base: String,
    token: String,
    /// The account id.
    pub account: String,
}

impl std::fmt::Debug for Cloudflare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Cloudflare")
            .field("base", &self.base)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Cloudflare {
    /// The client from the environment; `None` without `CLOUDFLARE_API_TOKEN`.
    pub fn from_env() -> Result<Option<Self>, CloudflareError> {
        let Some(token) = std::env::var("CLOUDFLARE_API_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
        else {
            return Ok(None);
        };
        let account = std::env::var("CLOUDFLARE_ACCOUNT_ID")
            .ok()
            .filter(|a| !a.is_empty())
            .ok_or(CloudflareError::NoAccount)?;
        let base = std::env::var("CLOUDFLARE_API_BASE")
            .ok()
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| DEFAULT_BASE.to_string());
        if !base_is_allowed(&base) {
            return Err(CloudflareError::InsecureBase(base));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("streamscale/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CloudflareError::Http {
                operation: "client".into(),
                message: e.to_string(),
            })?;
        Ok(Some(Cloudflare {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            account,
        }))
    }

    /// One call; returns the envelope's `result`.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CloudflareError> {
        let operation = format!("{method} {path}");
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| CloudflareError::Http {
            operation: operation.clone(),
            message: e.without_url().to_string(),
        })?;
        let status = resp.status().as_u16();
        let envelope: Value = resp.json().await.unwrap_or(Value::Null);
        let ok = envelope["success"].as_bool().unwrap_or(false);
        if (200..300).contains(&status) && ok {
            return Ok(envelope["result"].clone());
        }
        let message = envelope["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .map(|e| format!("{} {}", e["code"], e["message"].as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "no error message".into());
        Err(CloudflareError::Api {
            operation,
            status,
            message,
        })
    }

    /// The id of zone `name`.
    pub async fn zone_id(&self, name: &str) -> Result<String, CloudflareError> {
        let zones = self
            .call(reqwest::Method::GET, &format!("/zones?name={name}"), None)
            .await?;
        zones
            .as_array()
            .and_then(|z| z.first())
            .and_then(|z| z["id"].as_str())
            .map(str::to_string)
            .ok_or_else(|| CloudflareError::NoZone(name.to_string()))
    }

    /// Cloudflare's published IP ranges (`GET /ips`: `ipv4_cidrs`, `ipv6_cidrs`).
    pub async fn ips(&self) -> Result<Value, CloudflareError> {
        self.call(reqwest::Method::GET, "/ips", None).await
    }

    /// The zone's SSL/TLS encryption mode (`GET /zones/{zone}/settings/ssl`).
    pub async fn ssl_mode(&self, zone: &str) -> Result<String, CloudflareError> {
        let path = format!("/zones/{zone}/settings/ssl");
        let v = self.call(reqwest::Method::GET, &path, None).await?;
        Ok(v["value"].as_str().unwrap_or("").to_string())
    }

    /// Set the zone's SSL/TLS encryption mode (`PATCH /zones/{zone}/settings/ssl`).
    pub async fn set_ssl_mode(&self, zone: &str, mode: &str) -> Result<(), CloudflareError> {
        let path = format!("/zones/{zone}/settings/ssl");
        let body = serde_json::json!({"value": mode});
        self.call(reqwest::Method::PATCH, &path, Some(&body))
            .await
            .map(|_| ())
    }

    /// The account's load-balancer monitors.
    pub async fn monitors(&self) -> Result<Vec<Value>, CloudflareError> {
        let path = format!("/accounts/{}/load_balancers/monitors", self.account);
        Ok(array(self.call(reqwest::Method::GET, &path, None).await?))
    }

    /// The account's pools.
    pub async fn pools(&self) -> Result<Vec<Value>, CloudflareError> {
        let path = format!("/accounts/{}/load_balancers/pools", self.account);
        Ok(array(self.call(reqwest::Method::GET, &path, None).await?))
    }

    /// The zone's load balancers.
    pub async fn load_balancers(&self, zone: &str) -> Result<Vec<Value>, CloudflareError> {
        let path = format!("/zones/{zone}/load_balancers");
        Ok(array(self.call(reqwest::Method::GET, &path, None).await?))
    }

    /// The zone's entrypoint ruleset of `phase` (`None` when it has none).
    pub async fn entrypoint(
        &self,
        zone: &str,
        phase: &str,
    ) -> Result<Option<Value>, CloudflareError> {
        let path = format!("/zones/{zone}/rulesets/phases/{phase}/entrypoint");
        match self.call(reqwest::Method::GET, &path, None).await {
            Ok(v) => Ok(Some(v)),
            Err(CloudflareError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Create (POST to `collection`) or replace (PUT to `collection/id`).
    pub async fn upsert(
        &self,
        collection: &str,
        id: Option<&str>,
        body: &Value,
    ) -> Result<Value, CloudflareError> {
        match id {
            Some(id) => {
                self.call(
                    reqwest::Method::PUT,
                    &format!("{collection}/{id}"),
                    Some(body),
                )
                .await
            }
            None => {
                self.call(reqwest::Method::POST, collection, Some(body))
                    .await
            }
        }
    }

    /// DELETE `path`.
    pub async fn delete(&self, path: &str) -> Result<(), CloudflareError> {
        self.call(reqwest::Method::DELETE, path, None)
            .await
            .map(|_| ())
    }
}

fn array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::base_is_allowed;

    #[test]
    fn the_token_goes_over_https_or_to_loopback_only() {
        for ok in [
            "https://api.cloudflare.com/client/v4",
            "HTTPS://example.com",
            "http://127.0.0.1:8080/client/v4",
            "http://127.1.2.3",
            "http://localhost:9000",
            "http://[::1]:9000/x",
        ] {
            assert!(base_is_allowed(ok), "{ok}");
        }
        for bad in [
            "http://api.cloudflare.com/client/v4",
            "http://10.0.0.1:8080",
            "http://127.0.0.1.evil.example",
            "http://127.0.0.1@evil.example",
            "ftp://127.0.0.1",
            "api.cloudflare.com",
        ] {
            assert!(!base_is_allowed(bad), "{bad}");
        }
    }
}
