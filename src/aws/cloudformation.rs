//! CloudFormation calls for one region: describe, template, change sets,
//! create, delete, events, resources, drift detection; S3 upload of large
//! templates. Calls only: the engine decides when to call and how long to
//! wait.

use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, OnFailure, Parameter, Tag, TemplateStage,
};

use super::{AwsError, call_error, is_missing_stack, paged, sdk_message};
pub use streamscale_core::drift::detection::ResourceDrift;
pub use streamscale_core::stack::{
    ChangeRow, ChangeSet, StackEvent, StackInfo, StackResource, StackStatus,
};

/// CloudFormation's limit for an inline `TemplateBody`, in bytes.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// Why DetectStackDrift failed, as the endpoint said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectionError {
    /// The HTTP status, when a response came.
    pub http_status: Option<u16>,
    /// AWS's error code (`AccessDenied`, `Throttling`, `NotImplemented`, …).
    pub code: Option<String>,
    /// The message.
    pub message: String,
}

impl std::fmt::Display for DetectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.http_status {
            Some(status) => write!(f, "HTTP {status}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Where a template body goes: inline, or a URL of an uploaded copy.
#[derive(Debug, Clone)]
pub enum TemplateSource {
    /// `TemplateBody`.
    Inline(String),
    /// `TemplateURL`.
    Url(String),
}

/// Key/value pairs as a map (absent values as empty strings).
fn pairs<'a>(
    items: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> std::collections::BTreeMap<String, String> {
    items
        .map(|(k, v)| {
            (
                k.unwrap_or_default().to_string(),
                v.unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn ts(t: Option<&aws_sdk_cloudformation::primitives::DateTime>) -> Option<String> {
    t.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

/// Thin calls on one region's CloudFormation.
#[derive(Clone, Debug)]
pub struct Stacks {
    /// The region.
    pub region: String,
    client: Client,
}

impl Stacks {
    /// Wrap a client.
    pub fn new(region: &str, client: Client) -> Self {
        Stacks {
            region: region.to_string(),
            client,
        }
    }

    /// DescribeStacks; `None` when the stack does not exist (or is deleted).
    pub async fn describe(&self, name: &str) -> Result<Option<StackInfo>, AwsError> {
        let out = match self.client.describe_stacks().stack_name(name).send().await {
            Ok(o) => o,
            Err(e) if is_missing_stack(&e) => return Ok(None),
            Err(e) => return Err(call_error(&self.region, "DescribeStacks", e)),
        };
        let Some(s) = out.stacks().first() else {
            return Ok(None);
        };
        let status = StackStatus::new(s.stack_status().map(|x| x.as_str()).unwrap_or_default());
        if status.is_deleted() {
            return Ok(None);
        }
        Ok(Some(StackInfo {
            id: s.stack_id().unwrap_or_default().to_string(),
            status,
            status_reason: s.stack_status_reason().map(str::to_string),
            last_updated: ts(s.last_updated_time()),
            created: ts(s.creation_time()),
            parameters: pairs(
                s.parameters()
                    .iter()
                    .map(|p| (p.parameter_key(), p.parameter_value())),
            ),
            tags: pairs(s.tags().iter().map(|t| (t.key(), t.value()))),
            outputs: pairs(
                s.outputs()
                    .iter()
                    .map(|o| (o.output_key(), o.output_value())),
            ),
        }))
    }

    /// The deployed template (GetTemplate, stage Original).
    pub async fn template(&self, name: &str) -> Result<String, AwsError> {
        let out = self
            .client
            .get_template()
            .stack_name(name)
            .template_stage(TemplateStage::Original)
            .send()
            .await
            .map_err(|e| call_error(&self.region, "GetTemplate", e))?;
        Ok(out.template_body().unwrap_or("{}").to_string())
    }

    fn params(params: &[(String, String)]) -> Vec<Parameter> {
        params
            .iter()
            .map(|(k, v)| {
                Parameter::builder()
                    .parameter_key(k)
                    .parameter_value(v)
                    .build()
            })
            .collect()
    }

    fn tags(tags: &[(String, String)]) -> Vec<Tag> {
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    }

    /// CreateChangeSet (UPDATE): the new change set's id; `None` when the
    /// stack already has a change set of that name (AlreadyExistsException).
    pub async fn create_change_set(
        &self,
        stack: &str,
        change_set: &str,
        template: &TemplateSource,
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<Option<String>, AwsError> {
        let mut req = self
            .client
            .create_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .change_set_type(ChangeSetType::Update)
            .set_parameters(Some(Self::params(params)))
            .set_tags(Some(Self::tags(tags)))
            .capabilities(Capability::CapabilityIam)
            .description("streamscale plan");
        req = match template {
            TemplateSource::Inline(body) => req.template_body(body),
            TemplateSource::Url(url) => req.template_url(url),
        };
        match req.send().await {
            Ok(created) => Ok(Some(created.id().unwrap_or(change_set).to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_already_exists_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(call_error(&self.region, "CreateChangeSet", e)),
        }
    }

    /// DescribeChangeSet, all pages.
    pub async fn describe_change_set(
        &self,
        stack: &str,
        id: &str,
        name: &str,
    ) -> Result<ChangeSet, AwsError> {
        let mut changes = Vec::new();
        let mut status = String::new();
        let mut reason = None;
        paged(
            &self.region,
            "DescribeChangeSet",
            |token| {
                self.client
                    .describe_change_set()
                    .stack_name(stack)
                    .change_set_name(id)
                    .set_next_token(token)
                    .send()
            },
            |out| {
                status = out
                    .status()
                    .map(ChangeSetStatus::as_str)
                    .unwrap_or_default()
                    .to_string();
                reason = out.status_reason().map(str::to_string);
                for c in out.changes() {
                    if let Some(rc) = c.resource_change() {
                        changes.push(ChangeRow {
                            action: rc
                                .action()
                                .map(|a| a.as_str().to_string())
                                .unwrap_or_default(),
                            logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                            resource_type: rc.resource_type().unwrap_or_default().to_string(),
                            replacement: rc.replacement().map(|r| r.as_str().to_string()),
                            properties: rc
                                .details()
                                .iter()
                                .filter_map(|d| {
                                    d.target().and_then(|t| t.name()).map(str::to_string)
                                })
                                .collect(),
                        });
                    }
                }
                out.next_token().map(str::to_string)
            },
        )
        .await?;
        Ok(ChangeSet {
            name: name.to_string(),
            id: id.to_string(),
            status,
            reason,
            changes,
        })
    }

    /// DeleteChangeSet (errors ignored by callers that only tidy up).
    pub async fn delete_change_set(&self, stack: &str, id: &str) -> Result<(), AwsError> {
        self.client
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| call_error(&self.region, "DeleteChangeSet", e))?;
        Ok(())
    }

    /// ExecuteChangeSet.
    pub async fn execute_change_set(&self, stack: &str, id: &str) -> Result<(), AwsError> {
        self.client
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| call_error(&self.region, "ExecuteChangeSet", e))?;
        Ok(())
    }

    /// CreateStack (a failed create rolls back, leaving ROLLBACK_COMPLETE).
    pub async fn create(
        &self,
        stack: &str,
        template: &TemplateSource,
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<String, AwsError> {
        let mut req = self
            .client
            .create_stack()
            .stack_name(stack)
            .set_parameters(Some(Self::params(params)))
            .set_tags(Some(Self::tags(tags)))
            .capabilities(Capability::CapabilityIam)
            .on_failure(OnFailure::Rollback);
        req = match template {
            TemplateSource::Inline(body) => req.template_body(body),
            TemplateSource::Url(url) => req.template_url(url),
        };
        let out = req
            .send()
            .await
            .map_err(|e| call_error(&self.region, "CreateStack", e))?;
        Ok(out.stack_id().unwrap_or(stack).to_string())
    }

    /// DeleteStack.
    pub async fn delete(&self, stack: &str) -> Result<(), AwsError> {
        self.client
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| call_error(&self.region, "DeleteStack", e))?;
        Ok(())
    }

    /// DescribeStackEvents, newest first, up to `limit` events.
    pub async fn events(&self, stack: &str, limit: usize) -> Result<Vec<StackEvent>, AwsError> {
        let mut out = Vec::new();
        paged(
            &self.region,
            "DescribeStackEvents",
            |token| {
                self.client
                    .describe_stack_events()
                    .stack_name(stack)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                out.extend(page.stack_events().iter().map(|e| {
                    StackEvent {
                        id: e.event_id().unwrap_or_default().to_string(),
                        timestamp: ts(e.timestamp()).unwrap_or_default(),
                        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                        resource_type: e.resource_type().unwrap_or_default().to_string(),
                        status: e
                            .resource_status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        reason: e.resource_status_reason().map(str::to_string),
                    }
                }));
                page.next_token()
                    .filter(|_| out.len() < limit)
                    .map(str::to_string)
            },
        )
        .await?;
        out.truncate(limit);
        Ok(out)
    }

    /// ListStackResources, all pages.
    pub async fn resources(&self, stack: &str) -> Result<Vec<StackResource>, AwsError> {
        let mut out = Vec::new();
        paged(
            &self.region,
            "ListStackResources",
            |token| {
                self.client
                    .list_stack_resources()
                    .stack_name(stack)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                out.extend(page.stack_resource_summaries().iter().map(|r| {
                    StackResource {
                        logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                        physical_id: r.physical_resource_id().map(str::to_string),
                        resource_type: r.resource_type().unwrap_or_default().to_string(),
                        status: r
                            .resource_status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                    }
                }));
                page.next_token().map(str::to_string)
            },
        )
        .await?;
        Ok(out)
    }

    /// Start CloudFormation drift detection on a stack (DetectStackDrift),
    /// once: no SDK retries, since an endpoint without the API must fail
    /// fast; the engine retries throttling itself.
    pub async fn detect_stack_drift(&self, stack: &str) -> Result<String, DetectionError> {
        let once = aws_sdk_cloudformation::config::Builder::default()
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            .timeout_config(
                aws_smithy_types::timeout::TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_secs(20))
                    .build(),
            );
        self.client
            .detect_stack_drift()
            .stack_name(stack)
            .customize()
            .config_override(once)
            .send()
            .await
            .map(|o| o.stack_drift_detection_id().unwrap_or_default().to_string())
            .map_err(|e| DetectionError {
                http_status: e.raw_response().map(|r| r.status().as_u16()),
                code: e.code().map(str::to_string),
                message: sdk_message(&e),
            })
    }

    /// DescribeStackDriftDetectionStatus once: `None` while detection runs,
    /// else the detection status (`DETECTION_COMPLETE`, `DETECTION_FAILED`),
    /// the stack's drift status (`DRIFTED`, `IN_SYNC`, …) and the reason, if any.
    pub async fn drift_detection_status(
        &self,
        id: &str,
    ) -> Result<Option<(String, String, Option<String>)>, AwsError> {
        let out = self
            .client
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(id)
            .send()
            .await
            .map_err(|e| call_error(&self.region, "DescribeStackDriftDetectionStatus", e))?;
        let status = out
            .detection_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if status == "DETECTION_IN_PROGRESS" {
            return Ok(None);
        }
        let drift = out
            .stack_drift_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        Ok(Some((
            status,
            drift,
            out.detection_status_reason().map(str::to_string),
        )))
    }

    /// DescribeStackResourceDrifts for the MODIFIED and DELETED resources, all pages.
    pub async fn resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, AwsError> {
        use aws_sdk_cloudformation::types::StackResourceDriftStatus as S;
        let mut out = Vec::new();
        paged(
            &self.region,
            "DescribeStackResourceDrifts",
            |token| {
                self.client
                    .describe_stack_resource_drifts()
                    .stack_name(stack)
                    .stack_resource_drift_status_filters(S::Modified)
                    .stack_resource_drift_status_filters(S::Deleted)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                out.extend(page.stack_resource_drifts().iter().map(|d| {
                    ResourceDrift {
                        logical_id: d.logical_resource_id().unwrap_or_default().to_string(),
                        physical_id: d.physical_resource_id().map(str::to_string),
                        resource_type: d.resource_type().unwrap_or_default().to_string(),
                        status: d
                            .stack_resource_drift_status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        differences: d
                            .property_differences()
                            .iter()
                            .map(|p| {
                                (
                                    p.property_path().unwrap_or_default().to_string(),
                                    p.expected_value().map(str::to_string),
                                    p.actual_value().map(str::to_string),
                                    p.difference_type()
                                        .map(|t| t.as_str().to_string())
                                        .unwrap_or_default(),
                                )
                            })
                            .collect(),
                    }
                }));
                page.next_token().map(str::to_string)
            },
        )
        .await?;
        Ok(out)
    }
}

/// Upload a template to S3 (creating the bucket when missing) and return
/// its URL, for templates above [`INLINE_TEMPLATE_LIMIT`].
pub async fn upload_template(
    s3: &aws_sdk_s3::Client,
    region: &str,
    bucket: &str,
    key: &str,
    body: &str,
) -> Result<String, AwsError> {
    if s3.head_bucket().bucket(bucket).send().await.is_err() {
        let mut req = s3.create_bucket().bucket(bucket);
        if region != "us-east-1" {
            req = req.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        if let Err(e) = req.send().await {
            let owned = e
                .as_service_error()
                .is_some_and(|se| se.is_bucket_already_owned_by_you());
            if !owned {
                return Err(call_error(region, "CreateBucket", e));
            }
        }
    }
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(
            body.as_bytes().to_vec(),
        ))
        .content_type("application/json")
        .send()
        .await
        .map_err(|e| call_error(region, "PutObject", e))?;
    // CloudFormation reads the template from S3 itself, by its AWS URL
    // (whatever endpoint this client used to upload it).
    let base = format!("https://{bucket}.s3.{region}.amazonaws.com");
    Ok(format!("{base}/{key}"))
}
