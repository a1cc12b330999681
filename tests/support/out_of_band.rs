//! What an operator does by hand, outside streamscale: typed changes to the
//! live resources of a test stack (and reads of them) through the AWS SDK
//! against moto. A test says what it changes ("lower the group's MaxSize",
//! "open SSH to the world") and this module says how the SDK spells it.
//!
//! Every handle finds its resource through the stack's physical ids, so a
//! test names resources by their logical id, as the templates do.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde_json::Value;

use crate::moto::Moto;
use crate::project::{runtime, sdk};

#[path = "out_of_band_platform.rs"]
mod platform;
#[path = "out_of_band_tiers.rs"]
mod tiers;

/// The result of an SDK call a test relies on; panics with `what` and the
/// error, since a failed setup step makes the rest of the test meaningless.
fn sent<T, E: Debug>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what} failed: {e:?}"))
}

/// The live resources of one test stack, region by region.
pub struct Aws<'m> {
    moto: &'m Moto,
    stack: String,
}

impl<'m> Aws<'m> {
    /// The resources of `stack` on `moto`.
    pub fn new(moto: &'m Moto, stack: &str) -> Aws<'m> {
        Aws {
            moto,
            stack: stack.to_string(),
        }
    }

    /// The CloudFormation stack itself in `region`.
    pub fn stack(&self, region: &str) -> Stack {
        Stack {
            client: aws_sdk_cloudformation::Client::new(&sdk(self.moto, region)),
            name: self.stack.clone(),
            region: region.to_string(),
        }
    }

    /// The stack's `AutoScalingGroup` in `region`.
    pub fn asg(&self, region: &str) -> AutoScalingGroup {
        let stack = self.stack(region);
        AutoScalingGroup {
            client: aws_sdk_autoscaling::Client::new(&sdk(self.moto, region)),
            name: stack.physical_id("AutoScalingGroup"),
            stack,
        }
    }

    /// The stack's `LaunchTemplate` in `region`.
    pub fn launch_template(&self, region: &str) -> LaunchTemplate {
        LaunchTemplate {
            client: aws_sdk_ec2::Client::new(&sdk(self.moto, region)),
            id: self.stack(region).physical_id("LaunchTemplate"),
        }
    }

    /// The stack's `InstanceSecurityGroup` in `region`.
    pub fn instance_security_group(&self, region: &str) -> SecurityGroup {
        SecurityGroup {
            client: aws_sdk_ec2::Client::new(&sdk(self.moto, region)),
            id: self.stack(region).physical_id("InstanceSecurityGroup"),
        }
    }

    /// The stack's `LoadBalancerSecurityGroup` in `region` (Cloudflare's
    /// prefix lists only).
    pub fn load_balancer_security_group(&self, region: &str) -> SecurityGroup {
        SecurityGroup {
            client: aws_sdk_ec2::Client::new(&sdk(self.moto, region)),
            id: self.stack(region).physical_id("LoadBalancerSecurityGroup"),
        }
    }

    /// The stack's `CacheReplicationGroup` in `region`.
    pub fn cache(&self, region: &str) -> Cache {
        Cache {
            client: aws_sdk_elasticache::Client::new(&sdk(self.moto, region)),
            id: self.stack(region).physical_id("CacheReplicationGroup"),
        }
    }

    /// The keys in S3 `bucket` (path-style, as moto serves it).
    pub fn bucket_keys(&self, region: &str, bucket: &str) -> Vec<String> {
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk(self.moto, region))
                .force_path_style(true)
                .build(),
        );
        let listed = runtime().block_on(async { s3.list_objects_v2().bucket(bucket).send().await });
        sent(listed, &format!("ListObjectsV2 of {bucket}"))
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    }
}

/// One CloudFormation stack in one region.
pub struct Stack {
    client: aws_sdk_cloudformation::Client,
    name: String,
    region: String,
}

impl Stack {
    /// Its status (`CREATE_COMPLETE`, `ROLLBACK_COMPLETE`, …), or None when
    /// there is no stack (or only a deleted one).
    pub fn status(&self) -> Option<String> {
        runtime()
            .block_on(async {
                let out = self
                    .client
                    .describe_stacks()
                    .stack_name(&self.name)
                    .send()
                    .await
                    .ok()?;
                out.stacks()
                    .first()
                    .and_then(|s| s.stack_status())
                    .map(|s| s.as_str().to_string())
            })
            .filter(|s| s != "DELETE_COMPLETE")
    }

    /// Logical id → physical id of every resource.
    pub fn physical_ids(&self) -> BTreeMap<String, String> {
        let listed = runtime().block_on(async {
            self.client
                .list_stack_resources()
                .stack_name(&self.name)
                .send()
                .await
        });
        sent(
            listed,
            &format!("ListStackResources of {} in {}", self.name, self.region),
        )
        .stack_resource_summaries()
        .iter()
        .filter_map(|r| {
            Some((
                r.logical_resource_id()?.to_string(),
                r.physical_resource_id()?.to_string(),
            ))
        })
        .collect()
    }

    /// The physical id of `logical_id`; panics, listing what the stack has,
    /// when it has no such resource.
    pub fn physical_id(&self, logical_id: &str) -> String {
        let ids = self.physical_ids();
        ids.get(logical_id).cloned().unwrap_or_else(|| {
            panic!(
                "{} in {} has no {logical_id}: {:?}",
                self.name,
                self.region,
                ids.keys().collect::<Vec<_>>()
            )
        })
    }

    /// Delete the stack (DeleteStack).
    pub fn delete(&self) {
        let deleted = runtime().block_on(async {
            self.client
                .delete_stack()
                .stack_name(&self.name)
                .send()
                .await
        });
        sent(
            deleted,
            &format!("DeleteStack {} in {}", self.name, self.region),
        );
    }

    /// Create the stack by hand from a template `body`.
    pub fn create_from_template(&self, body: &str) {
        let created = runtime().block_on(async {
            self.client
                .create_stack()
                .stack_name(&self.name)
                .template_body(body)
                .send()
                .await
        });
        sent(
            created,
            &format!("CreateStack {} in {}", self.name, self.region),
        );
    }

    /// Update the stack by hand: its current template, changed by `edit`,
    /// with the previous values of streamscale's parameters.
    pub fn update_template_by_hand(&self, edit: impl FnOnce(&mut Value)) {
        let got = runtime().block_on(async {
            self.client
                .get_template()
                .stack_name(&self.name)
                .send()
                .await
        });
        let body = sent(got, "GetTemplate")
            .template_body()
            .unwrap_or_else(|| panic!("GetTemplate of {} has no body", self.name))
            .to_string();
        let mut template: Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("the template of {} is not JSON: {e}", self.name));
        edit(&mut template);
        let previous = |key: &str| {
            aws_sdk_cloudformation::types::Parameter::builder()
                .parameter_key(key)
                .use_previous_value(true)
                .build()
        };
        let updated = runtime().block_on(async {
            self.client
                .update_stack()
                .stack_name(&self.name)
                .template_body(template.to_string())
                .parameters(previous("PlanName"))
                .parameters(previous("EnvironmentName"))
                .send()
                .await
        });
        sent(updated, &format!("UpdateStack {} by hand", self.name));
    }
}

/// A scheduled action of an Auto Scaling group, as AWS lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledAction {
    /// The action's name (its physical id).
    pub name: String,
    pub min_size: Option<i32>,
}

/// The stack's Auto Scaling group.
pub struct AutoScalingGroup {
    client: aws_sdk_autoscaling::Client,
    name: String,
    stack: Stack,
}

impl AutoScalingGroup {
    /// Its name (the physical id).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn described(&self) -> aws_sdk_autoscaling::types::AutoScalingGroup {
        let out = runtime().block_on(async {
            self.client
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(&self.name)
                .send()
                .await
        });
        sent(out, "DescribeAutoScalingGroups")
            .auto_scaling_groups()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no Auto Scaling group {}", self.name))
    }

    /// MaxSize as it runs.
    pub fn max_size(&self) -> i32 {
        self.described().max_size().expect("MaxSize")
    }

    /// MinSize as it runs.
    pub fn min_size(&self) -> i32 {
        self.described().min_size().expect("MinSize")
    }

    /// Set MaxSize by hand (UpdateAutoScalingGroup).
    pub fn set_max_size(&self, max: i32) {
        let out = runtime().block_on(async {
            self.client
                .update_auto_scaling_group()
                .auto_scaling_group_name(&self.name)
                .max_size(max)
                .send()
                .await
        });
        sent(out, "UpdateAutoScalingGroup MaxSize");
    }

    /// Set MinSize by hand (UpdateAutoScalingGroup).
    pub fn set_min_size(&self, min: i32) {
        let out = runtime().block_on(async {
            self.client
                .update_auto_scaling_group()
                .auto_scaling_group_name(&self.name)
                .min_size(min)
                .send()
                .await
        });
        sent(out, "UpdateAutoScalingGroup MinSize");
    }

    /// Its scheduled actions as they run.
    pub fn scheduled_actions(&self) -> Vec<ScheduledAction> {
        let out = runtime().block_on(async {
            self.client
                .describe_scheduled_actions()
                .auto_scaling_group_name(&self.name)
                .send()
                .await
        });
        sent(out, "DescribeScheduledActions")
            .scheduled_update_group_actions()
            .iter()
            .map(|a| ScheduledAction {
                name: a.scheduled_action_name().unwrap_or_default().to_string(),
                min_size: a.min_size(),
            })
            .collect()
    }

    /// The running scheduled action of the stack's `logical_id`, if any.
    pub fn scheduled_action(&self, logical_id: &str) -> Option<ScheduledAction> {
        let name = self.stack.physical_id(logical_id);
        self.scheduled_actions()
            .into_iter()
            .find(|a| a.name == name)
    }

    /// Delete the scheduled action of the stack's `logical_id` by hand.
    pub fn delete_scheduled_action(&self, logical_id: &str) {
        let name = self.stack.physical_id(logical_id);
        let out = runtime().block_on(async {
            self.client
                .delete_scheduled_action()
                .auto_scaling_group_name(&self.name)
                .scheduled_action_name(&name)
                .send()
                .await
        });
        sent(out, &format!("DeleteScheduledAction {name}"));
    }
}

/// What a launch template version launches, as far as tests look.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchTemplateData {
    pub instance_type: Option<String>,
    /// IMDS `HttpTokens` (`required` = IMDSv2 only).
    pub http_tokens: Option<String>,
}

/// The stack's launch template.
pub struct LaunchTemplate {
    client: aws_sdk_ec2::Client,
    id: String,
}

impl LaunchTemplate {
    /// Its id (the physical id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Create a version from version 1 with `instance_type` and make it the
    /// default, by hand; returns its number.
    pub fn make_default_a_version_with(&self, instance_type: &str) -> i64 {
        let created = runtime().block_on(async {
            self.client
                .create_launch_template_version()
                .launch_template_id(&self.id)
                .source_version("1")
                .launch_template_data(
                    aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                        .instance_type(aws_sdk_ec2::types::InstanceType::from(instance_type))
                        .build(),
                )
                .send()
                .await
        });
        let number = sent(created, "CreateLaunchTemplateVersion")
            .launch_template_version()
            .and_then(|v| v.version_number())
            .expect("the new version has a number");
        let modified = runtime().block_on(async {
            self.client
                .modify_launch_template()
                .launch_template_id(&self.id)
                .default_version(number.to_string())
                .send()
                .await
        });
        sent(modified, "ModifyLaunchTemplate DefaultVersion");
        number
    }

    /// (default version number, latest version number).
    pub fn default_and_latest_version(&self) -> (Option<i64>, Option<i64>) {
        let out = runtime().block_on(async {
            self.client
                .describe_launch_templates()
                .launch_template_ids(&self.id)
                .send()
                .await
        });
        let out = sent(out, "DescribeLaunchTemplates");
        let t = out
            .launch_templates()
            .first()
            .unwrap_or_else(|| panic!("no launch template {}", self.id));
        (t.default_version_number(), t.latest_version_number())
    }

    /// What the default version launches.
    pub fn default_version(&self) -> LaunchTemplateData {
        let out = runtime().block_on(async {
            self.client
                .describe_launch_template_versions()
                .launch_template_id(&self.id)
                .versions("$Default")
                .send()
                .await
        });
        let out = sent(out, "DescribeLaunchTemplateVersions $Default");
        let data = out
            .launch_template_versions()
            .first()
            .and_then(|v| v.launch_template_data())
            .unwrap_or_else(|| panic!("{} has no default version data", self.id));
        LaunchTemplateData {
            instance_type: data.instance_type().map(|t| t.as_str().to_string()),
            http_tokens: data
                .metadata_options()
                .and_then(|m| m.http_tokens())
                .map(|t| t.as_str().to_string()),
        }
    }
}

/// One ingress rule of a security group, as AWS lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct IngressRule {
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidrs: Vec<String>,
}

/// The stack's instance security group.
pub struct SecurityGroup {
    client: aws_sdk_ec2::Client,
    id: String,
}

impl SecurityGroup {
    /// Its id (the physical id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Open `protocol` `port` to `cidr` by hand (AuthorizeSecurityGroupIngress).
    pub fn open(&self, protocol: &str, port: i32, cidr: &str) {
        let rule = aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol(protocol)
            .from_port(port)
            .to_port(port)
            .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip(cidr).build())
            .build();
        let out = runtime().block_on(async {
            self.client
                .authorize_security_group_ingress()
                .group_id(&self.id)
                .ip_permissions(rule)
                .send()
                .await
        });
        sent(out, "AuthorizeSecurityGroupIngress");
    }

    /// Its ingress rules as they run.
    pub fn ingress(&self) -> Vec<IngressRule> {
        let out = runtime().block_on(async {
            self.client
                .describe_security_groups()
                .group_ids(&self.id)
                .send()
                .await
        });
        let out = sent(out, "DescribeSecurityGroups");
        let group = out
            .security_groups()
            .first()
            .unwrap_or_else(|| panic!("no security group {}", self.id));
        group
            .ip_permissions()
            .iter()
            .map(|p| IngressRule {
                protocol: p.ip_protocol().unwrap_or_default().to_string(),
                from_port: p.from_port(),
                to_port: p.to_port(),
                cidrs: p
                    .ip_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ip().map(str::to_string))
                    .collect(),
            })
            .collect()
    }
}

/// The stack's cache replication group.
pub struct Cache {
    client: aws_sdk_elasticache::Client,
    id: String,
}

impl Cache {
    /// Its id (the physical id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Lower the replicas of every shard to `count` by hand
    /// (DecreaseReplicaCount, applied immediately, sent once).
    pub fn decrease_replicas_to(&self, count: i32) {
        let once = aws_sdk_elasticache::config::Builder::default()
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled());
        let out = runtime().block_on(async {
            self.client
                .decrease_replica_count()
                .replication_group_id(&self.id)
                .new_replica_count(count)
                .apply_immediately(true)
                .customize()
                .config_override(once)
                .send()
                .await
        });
        sent(out, "DecreaseReplicaCount");
    }
}
