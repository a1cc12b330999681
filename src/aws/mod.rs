//! The AWS adapter: SDK configuration (the standard credential chain,
//! `AWS_ENDPOINT_URL`, retries) and thin typed wrappers over the
//! CloudFormation, S3, EC2, Auto Scaling, ELB, ElastiCache and Service
//! Quotas calls the engine makes. No decisions live here.

pub mod cloudformation;
pub mod platform_reads;
pub mod prefix_lists;
pub mod reads;
pub mod repairs;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_types::SdkConfig;
use aws_types::region::Region;

/// Errors from AWS calls, with the region and operation they came from.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AwsError {
    /// No credentials in the standard chain.
    #[error("no AWS credentials found: {0}")]
    #[diagnostic(
        code(aws::no_credentials),
        help(
            "set AWS_PROFILE (or run `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance role is available"
        )
    )]
    NoCredentials(String),
    /// A call failed after retries.
    #[error("{region}: {operation} failed: {message}")]
    #[diagnostic(code(aws::call))]
    Call {
        /// Region.
        region: String,
        /// The API operation.
        operation: &'static str,
        /// The service's message, or the transport error.
        message: String,
    },
}

/// One SDK configuration for the whole run; clients are made per region.
#[derive(Clone, Debug)]
pub struct Aws {
    config: SdkConfig,
    /// Whether `AWS_ENDPOINT_URL` points at a custom endpoint (S3 then uses path-style addressing).
    pub custom_endpoint: bool,
}

impl Aws {
    /// Load the standard chain (profiles, environment, SSO, roles) and check
    /// that credentials resolve. Retries: standard mode (exponential backoff
    /// with jitter) with raised attempts, unless `AWS_RETRY_MODE` /
    /// `AWS_MAX_ATTEMPTS` say otherwise. Not adaptive mode: its client-side
    /// rate limiter, shared by all of a region's calls, cuts a CLI's few
    /// requests per second to a crawl after one throttle (7 to 10 s per
    /// throttled call measured by `scripts/bench-live --throttle`).
    pub async fn load() -> Result<Self, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(60))
                .build(),
        );
        if std::env::var_os("AWS_RETRY_MODE").is_none()
            && std::env::var_os("AWS_MAX_ATTEMPTS").is_none()
        {
            loader = loader.retry_config(
                RetryConfig::standard()
                    .with_max_attempts(8)
                    .with_initial_backoff(Duration::from_millis(500))
                    .with_max_backoff(Duration::from_secs(10)),
            );
        }
        // A region is needed for STS and S3 lookups; stacks get their own.
        if std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            loader = loader.region(
                aws_config::meta::region::RegionProviderChain::default_provider()
                    .or_else("us-east-1"),
            );
        }
        let config = loader.load().await;
        let provider = config.credentials_provider().ok_or_else(|| {
            AwsError::NoCredentials("no credential provider is configured".into())
        })?;
        if let Err(e) = provider.provide_credentials().await {
            let msg = e.to_string();
            return Err(AwsError::NoCredentials(first_line(&msg)));
        }
        let custom_endpoint = config.endpoint_url().is_some();
        Ok(Aws {
            config,
            custom_endpoint,
        })
    }

    fn regional(&self, region: &str) -> SdkConfig {
        self.config
            .to_builder()
            .region(Region::new(region.to_string()))
            .build()
    }

    /// A CloudFormation client for `region`.
    pub fn cloudformation(&self, region: &str) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::new(&self.regional(region))
    }

    /// An S3 client for `region` (path-style on custom endpoints).
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.regional(region))
            .force_path_style(self.custom_endpoint)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// An STS client.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.config)
    }

    /// An Auto Scaling client for `region`.
    pub fn autoscaling(&self, region: &str) -> aws_sdk_autoscaling::Client {
        aws_sdk_autoscaling::Client::new(&self.regional(region))
    }

    /// An EC2 client for `region`.
    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.regional(region))
    }

    /// An Elastic Load Balancing v2 client for `region`.
    pub fn elbv2(&self, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
        aws_sdk_elasticloadbalancingv2::Client::new(&self.regional(region))
    }

    /// An ElastiCache client for `region`.
    pub fn elasticache(&self, region: &str) -> aws_sdk_elasticache::Client {
        aws_sdk_elasticache::Client::new(&self.regional(region))
    }

    /// Amazon DocumentDB in `region`.
    pub fn docdb(&self, region: &str) -> aws_sdk_docdb::Client {
        aws_sdk_docdb::Client::new(&self.regional(region))
    }

    /// Amazon OpenSearch Service in `region`.
    pub fn opensearch(&self, region: &str) -> aws_sdk_opensearch::Client {
        aws_sdk_opensearch::Client::new(&self.regional(region))
    }

    /// Amazon EKS in `region`.
    pub fn eks(&self, region: &str) -> aws_sdk_eks::Client {
        aws_sdk_eks::Client::new(&self.regional(region))
    }

    /// Amazon Managed Service for Prometheus in `region`.
    pub fn amp(&self, region: &str) -> aws_sdk_amp::Client {
        aws_sdk_amp::Client::new(&self.regional(region))
    }

    /// A Service Quotas client for `region`.
    pub fn service_quotas(&self, region: &str) -> aws_sdk_servicequotas::Client {
        aws_sdk_servicequotas::Client::new(&self.regional(region))
    }

    /// The account id of the credentials.
    pub async fn account_id(&self) -> Result<String, AwsError> {
        let out = self
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| call_error("global", "GetCallerIdentity", e))?;
        Ok(out.account().unwrap_or("unknown").to_string())
    }
}

/// The first line of a message.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// Turn an SDK error into an [`AwsError::Call`] with the service's own
/// message (or the transport error, for a dead endpoint).
pub fn call_error<E, R>(
    region: &str,
    operation: &'static str,
    err: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    AwsError::Call {
        region: region.to_string(),
        operation,
        message: sdk_message(&err),
    }
}

/// Every page of a paginated call, one request after another: `send`
/// makes the request for a page token (`None` for the first page), `take`
/// consumes a page and returns the token of the next one (`None` to stop,
/// at the last page or when the caller has enough).
pub(crate) async fn paged<P, E, R, Fut>(
    region: &str,
    operation: &'static str,
    mut send: impl FnMut(Option<String>) -> Fut,
    mut take: impl FnMut(P) -> Option<String>,
) -> Result<(), AwsError>
where
    Fut: std::future::Future<
            Output = Result<P, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
        >,
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let mut token = None;
    loop {
        let page = send(token)
            .await
            .map_err(|e| call_error(region, operation, e))?;
        token = take(page);
        if token.is_none() {
            return Ok(());
        }
    }
}

/// The most useful one-line message of an SDK error.
pub fn sdk_message<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            match (e.code(), e.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (None, Some(m)) => m.to_string(),
                (Some(c), None) => c.to_string(),
                (None, None) => e.to_string(),
            }
        }
        SdkError::DispatchFailure(d) => {
            let mut msg = String::from("cannot reach the AWS endpoint");
            if let Some(c) = d.as_connector_error() {
                msg.push_str(&format!(": {}", chain(c)));
            }
            msg
        }
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        SdkError::ResponseError(r) => format!("unreadable response: {r:?}"),
        other => {
            use std::error::Error;
            let mut s = other.to_string();
            if let Some(src) = other.source() {
                s.push_str(&format!(": {}", chain(src)));
            }
            s
        }
    }
}

/// An error and its sources, joined with ": ".
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.contains(&t) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// Whether a service error is CloudFormation's "stack … does not exist".
pub fn is_missing_stack<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    err.as_service_error()
        .and_then(|e| e.message())
        .is_some_and(|m| m.contains("does not exist"))
}
