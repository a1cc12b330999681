//! Thin reads of live resources for `drift`, the planner's drift check and
//! `report --live`.
//!
//! Each read returns the resource's live properties under CloudFormation's
//! property names and in its shapes (numbers as numbers, booleans as
//! booleans, lists as lists), so that the engine can compare them with a
//! template property by property; `None` when the resource does not exist.
//! No decisions live here: what is compared, and how, is the resource
//! registry's (`streamscale_core::resources`).

use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};

use super::{AwsError, call_error, sdk_message};

/// The error code of an SDK error, if the service gave one.
fn code<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> Option<String>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .map(str::to_string)
}

/// Whether an SDK error says the resource does not exist
/// (`InvalidGroup.NotFound`, `LoadBalancerNotFound`, `ReplicationGroupNotFoundFault`, …).
fn not_found<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    code(err).is_some_and(|c| c.contains("NotFound"))
}

/// A call's output, `None` when what it describes is not found.
pub(super) fn found<T, E, R>(
    result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
    region: &str,
    operation: &'static str,
) -> Result<Option<T>, AwsError>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(o) => Ok(Some(o)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(call_error(region, operation, e)),
    }
}

/// The shape of most reads: one describe call, `None` when the service
/// says the resource is not found, else its output mapped to the live
/// properties by `map` (`None` when the output holds no such resource).
pub(super) fn described<T, E, R>(
    result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
    region: &str,
    operation: &'static str,
    map: impl FnOnce(&T) -> Option<Value>,
) -> Result<Option<Value>, AwsError>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    Ok(found(result, region, operation)?.as_ref().and_then(map))
}

/// A read of two calls sent at once: a describe call and a second one
/// that needs only the id the stack gave (attributes, versions). `pick`
/// finds the resource in the first answer (`None`: not found, and the
/// second answer does not matter); `map` makes the live properties of it
/// and the second answer.
async fn described_with<T, A, X, E1, R1, E2, R2>(
    region: &str,
    operations: [&'static str; 2],
    first: impl std::future::Future<
        Output = Result<T, aws_smithy_runtime_api::client::result::SdkError<E1, R1>>,
    >,
    second: impl std::future::Future<
        Output = Result<A, aws_smithy_runtime_api::client::result::SdkError<E2, R2>>,
    >,
    pick: impl FnOnce(&T) -> Option<&X>,
    map: impl FnOnce(&X, &A) -> Value,
) -> Result<Option<Value>, AwsError>
where
    E1: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R1: std::fmt::Debug,
    E2: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R2: std::fmt::Debug,
{
    let (first, second) = futures::join!(first, second);
    let Some(out) = found(first, region, operations[0])? else {
        return Ok(None);
    };
    let Some(resource) = pick(&out) else {
        return Ok(None);
    };
    let second = second.map_err(|e| call_error(region, operations[1], e))?;
    Ok(Some(map(resource, &second)))
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.and_then(|d| d.fmt(Format::DateTime).ok())
        .map_or(Value::Null, Value::String)
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// Drop null members, so that "absent" reads the same as in a template.
pub(super) fn compact(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, compact(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(compact).collect()),
        other => other,
    }
}

/// An auto-scaling group: `MinSize`, `MaxSize`, `DesiredCapacity`,
/// `LaunchTemplate {LaunchTemplateId, Version}`, `VPCZoneIdentifier` (a
/// list), `TargetGroupARNs`, `HealthCheckType`, `HealthCheckGracePeriod`,
/// and `Instances [{InstanceId, InstanceType, LifecycleState, HealthStatus, Version}]`.
pub async fn auto_scaling_group(
    client: &aws_sdk_autoscaling::Client,
    region: &str,
    name: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(|e| call_error(region, "DescribeAutoScalingGroups", e))?;
    let Some(g) = out
        .auto_scaling_groups()
        .iter()
        .find(|g| g.auto_scaling_group_name() == Some(name))
    else {
        return Ok(None);
    };
    let lt = g.launch_template().map(|l| {
        json!({
            "LaunchTemplateId": l.launch_template_id(),
            "LaunchTemplateName": l.launch_template_name(),
            "Version": l.version(),
        })
    });
    let subnets: Vec<&str> = g
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let instances: Vec<Value> = g
        .instances()
        .iter()
        .map(|i| {
            json!({
                "InstanceId": i.instance_id(),
                "InstanceType": i.instance_type(),
                "LifecycleState": i.lifecycle_state().map(|s| s.as_str()),
                "HealthStatus": i.health_status(),
                "Version": i.launch_template().and_then(|l| l.version()),
            })
        })
        .collect();
    Ok(Some(compact(json!({
        "AutoScalingGroupName": name,
        "MinSize": opt(g.min_size()),
        "MaxSize": opt(g.max_size()),
        "DesiredCapacity": opt(g.desired_capacity()),
        "LaunchTemplate": lt,
        "MixedInstancesPolicy": g.mixed_instances_policy().map(|_| true),
        "VPCZoneIdentifier": subnets,
        "TargetGroupARNs": g.target_group_arns(),
        "HealthCheckType": g.health_check_type(),
        "HealthCheckGracePeriod": opt(g.health_check_grace_period()),
        "Instances": instances,
    }))))
}

/// The scaling policies of a group (all pages), each with `PolicyName`,
/// `PolicyARN`, `PolicyType`, `AutoScalingGroupName`,
/// `EstimatedInstanceWarmup` and `TargetTrackingConfiguration
/// {PredefinedMetricSpecification {PredefinedMetricType}, TargetValue, DisableScaleIn}`.
pub async fn scaling_policies(
    client: &aws_sdk_autoscaling::Client,
    region: &str,
    group: &str,
) -> Result<Vec<Value>, AwsError> {
    let mut out = Vec::new();
    super::paged(
        region,
        "DescribePolicies",
        |token| {
            client
                .describe_policies()
                .auto_scaling_group_name(group)
                .set_next_token(token)
                .send()
        },
        |page| {
            for p in page.scaling_policies() {
                let ttc = p.target_tracking_configuration().map(|t| {
                    json!({
                        "PredefinedMetricSpecification": t.predefined_metric_specification().map(|m| json!({
                            "PredefinedMetricType": m.predefined_metric_type().map(|t| t.as_str()),
                        })),
                        "TargetValue": t.target_value(),
                        "DisableScaleIn": t.disable_scale_in(),
                    })
                });
                out.push(compact(json!({
                    "PolicyName": p.policy_name(),
                    "PolicyARN": p.policy_arn(),
                    "PolicyType": p.policy_type(),
                    "AutoScalingGroupName": p.auto_scaling_group_name(),
                    "EstimatedInstanceWarmup": opt(p.estimated_instance_warmup()),
                    "TargetTrackingConfiguration": ttc,
                })));
            }
            page.next_token().map(str::to_string)
        },
    )
    .await?;
    Ok(out)
}

/// The scheduled actions of a group (all pages), each with
/// `ScheduledActionName`, `AutoScalingGroupName`, `StartTime`, `EndTime`
/// (RFC 3339), `Recurrence`, `MinSize`, `MaxSize`, `DesiredCapacity`.
pub async fn scheduled_actions(
    client: &aws_sdk_autoscaling::Client,
    region: &str,
    group: &str,
) -> Result<Vec<Value>, AwsError> {
    let mut out = Vec::new();
    super::paged(
        region,
        "DescribeScheduledActions",
        |token| {
            client
                .describe_scheduled_actions()
                .auto_scaling_group_name(group)
                .set_next_token(token)
                .send()
        },
        |page| {
            for a in page.scheduled_update_group_actions() {
                out.push(compact(json!({
                    "ScheduledActionName": a.scheduled_action_name(),
                    "AutoScalingGroupName": a.auto_scaling_group_name(),
                    "StartTime": time(a.start_time()),
                    "EndTime": time(a.end_time()),
                    "Recurrence": a.recurrence(),
                    "MinSize": opt(a.min_size()),
                    "MaxSize": opt(a.max_size()),
                    "DesiredCapacity": opt(a.desired_capacity()),
                })));
            }
            page.next_token().map(str::to_string)
        },
    )
    .await?;
    Ok(out)
}

/// A launch template: `LaunchTemplateId`, `DefaultVersionNumber`,
/// `LatestVersionNumber` and `Versions {"<n>": LaunchTemplateData}` for
/// `$Latest`, `$Default` and the `versions` asked for (e.g. the one an
/// auto-scaling group uses). The data carries `ImageId`, `InstanceType`,
/// `SecurityGroupIds`, `MetadataOptions`, `Monitoring`, `BlockDeviceMappings`.
pub async fn launch_template(
    client: &aws_sdk_ec2::Client,
    region: &str,
    id: &str,
    versions: &[String],
) -> Result<Option<Value>, AwsError> {
    let mut wanted: Vec<String> = vec!["$Latest".into(), "$Default".into()];
    for v in versions {
        if !wanted.contains(v) {
            wanted.push(v.clone());
        }
    }
    // Both at once: the versions need only the id the stack gave.
    described_with(
        region,
        ["DescribeLaunchTemplates", "DescribeLaunchTemplateVersions"],
        client
            .describe_launch_templates()
            .launch_template_ids(id)
            .send(),
        client
            .describe_launch_template_versions()
            .launch_template_id(id)
            .set_versions(Some(wanted))
            .send(),
        |out| out.launch_templates().first(),
        |lt, out| {
            let mut by_number = Map::new();
            for v in out.launch_template_versions() {
                let Some(n) = v.version_number() else {
                    continue;
                };
                let data = v.launch_template_data().map(|d| {
                    let md = d.metadata_options().map(|m| {
                        json!({
                            "HttpTokens": m.http_tokens().map(|x| x.as_str()),
                            "HttpEndpoint": m.http_endpoint().map(|x| x.as_str()),
                            "HttpPutResponseHopLimit": m.http_put_response_hop_limit(),
                        })
                    });
                    let bdm: Vec<Value> = d
                        .block_device_mappings()
                        .iter()
                        .map(|b| {
                            json!({
                                "DeviceName": b.device_name(),
                                "Ebs": b.ebs().map(|e| json!({
                                    "VolumeSize": e.volume_size(),
                                    "VolumeType": e.volume_type().map(|t| t.as_str()),
                                    "Encrypted": e.encrypted(),
                                    "DeleteOnTermination": e.delete_on_termination(),
                                })),
                            })
                        })
                        .collect();
                    json!({
                        "ImageId": d.image_id(),
                        "InstanceType": d.instance_type().map(|t| t.as_str()),
                        "SecurityGroupIds": d.security_group_ids(),
                        "MetadataOptions": md,
                        "Monitoring": d.monitoring().map(|m| json!({"Enabled": m.enabled()})),
                        "BlockDeviceMappings": bdm,
                    })
                });
                by_number.insert(n.to_string(), compact(data.unwrap_or(Value::Null)));
            }
            json!({
                "LaunchTemplateId": lt.launch_template_id(),
                "LaunchTemplateName": lt.launch_template_name(),
                "DefaultVersionNumber": lt.default_version_number(),
                "LatestVersionNumber": lt.latest_version_number(),
                "Versions": by_number,
            })
        },
    )
    .await
}

fn sg_rules(perms: &[aws_sdk_ec2::types::IpPermission], egress: bool) -> Vec<Value> {
    let (group_key, prefix_key) = if egress {
        ("DestinationSecurityGroupId", "DestinationPrefixListId")
    } else {
        ("SourceSecurityGroupId", "SourcePrefixListId")
    };
    let mut out = Vec::new();
    for p in perms {
        let base = |extra: (&str, Option<&str>), description: Option<&str>| {
            let mut m = Map::new();
            m.insert("IpProtocol".into(), opt(p.ip_protocol()));
            m.insert("FromPort".into(), opt(p.from_port()));
            m.insert("ToPort".into(), opt(p.to_port()));
            m.insert(extra.0.into(), opt(extra.1));
            m.insert("Description".into(), opt(description));
            compact(Value::Object(m))
        };
        for r in p.ip_ranges() {
            out.push(base(("CidrIp", r.cidr_ip()), r.description()));
        }
        for r in p.ipv6_ranges() {
            out.push(base(("CidrIpv6", r.cidr_ipv6()), r.description()));
        }
        for g in p.user_id_group_pairs() {
            out.push(base((group_key, g.group_id()), g.description()));
        }
        for l in p.prefix_list_ids() {
            out.push(base((prefix_key, l.prefix_list_id()), l.description()));
        }
    }
    out
}

/// A security group as it is compared: `GroupId`, `GroupDescription`,
/// `VpcId`, and its rules as `SecurityGroupIngress` / `SecurityGroupEgress`
/// entries, one per source (`CidrIp`, `CidrIpv6`, `SourceSecurityGroupId`,
/// `SourcePrefixListId`).
fn security_group_value(g: &aws_sdk_ec2::types::SecurityGroup) -> Value {
    compact(json!({
        "GroupId": g.group_id(),
        "GroupDescription": g.description(),
        "VpcId": g.vpc_id(),
        "SecurityGroupIngress": sg_rules(g.ip_permissions(), false),
        "SecurityGroupEgress": sg_rules(g.ip_permissions_egress(), true),
    }))
}

/// A security group (see [`security_group_value`]).
pub async fn security_group(
    client: &aws_sdk_ec2::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client.describe_security_groups().group_ids(id).send().await;
    described(out, region, "DescribeSecurityGroups", |out| {
        out.security_groups().first().map(security_group_value)
    })
}

/// Security groups by id, in one DescribeSecurityGroups call, each read as
/// [`security_group`] reads it, in the order of `ids`. AWS refuses the
/// whole call when one of the ids does not exist (`InvalidGroup.NotFound`):
/// then each group is read on its own, so that the missing ones read as
/// `None` and the others still read.
pub async fn security_groups(
    client: &aws_sdk_ec2::Client,
    region: &str,
    ids: &[&str],
) -> Vec<Result<Option<Value>, AwsError>> {
    let mut unique: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    unique.sort();
    unique.dedup();
    if unique.len() < 2 {
        return futures::future::join_all(ids.iter().map(|id| security_group(client, region, id)))
            .await;
    }
    match client
        .describe_security_groups()
        .set_group_ids(Some(unique))
        .send()
        .await
    {
        Ok(out) => ids
            .iter()
            .map(|id| {
                Ok(out
                    .security_groups()
                    .iter()
                    .find(|g| g.group_id() == Some(id))
                    .map(security_group_value))
            })
            .collect(),
        Err(e) if not_found(&e) => {
            futures::future::join_all(ids.iter().map(|id| security_group(client, region, id))).await
        }
        Err(e) => {
            let message = sdk_message(&e);
            ids.iter()
                .map(|_| {
                    Err(AwsError::Call {
                        region: region.to_string(),
                        operation: "DescribeSecurityGroups",
                        message: message.clone(),
                    })
                })
                .collect()
        }
    }
}

fn attributes(items: impl Iterator<Item = (Option<String>, Option<String>)>) -> Vec<Value> {
    items
        .filter_map(|(k, v)| Some(json!({"Key": k?, "Value": v.unwrap_or_default()})))
        .collect()
}

/// A load balancer: `Type`, `Scheme`, `IpAddressType`, `Subnets`,
/// `SecurityGroups`, `State` and `LoadBalancerAttributes [{Key, Value}]`.
pub async fn load_balancer(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    arn: &str,
) -> Result<Option<Value>, AwsError> {
    // Both at once: the attributes need only the ARN the stack gave.
    described_with(
        region,
        ["DescribeLoadBalancers", "DescribeLoadBalancerAttributes"],
        client.describe_load_balancers().load_balancer_arns(arn).send(),
        client.describe_load_balancer_attributes().load_balancer_arn(arn).send(),
        |out| out.load_balancers().first(),
        |lb, attrs| {
            compact(json!({
                "LoadBalancerArn": arn,
                "Type": lb.r#type().map(|t| t.as_str()),
                "Scheme": lb.scheme().map(|s| s.as_str()),
                "IpAddressType": lb.ip_address_type().map(|t| t.as_str()),
                "Subnets": lb.availability_zones().iter().filter_map(|z| z.subnet_id()).collect::<Vec<_>>(),
                "SecurityGroups": lb.security_groups(),
                "State": lb.state().and_then(|s| s.code()).map(|c| c.as_str()),
                "LoadBalancerAttributes": attributes(attrs.attributes().iter().map(|a| (a.key().map(str::to_string), a.value().map(str::to_string)))),
            }))
        },
    )
    .await
}

/// The listeners of a load balancer: `ListenerArn`, `Port`, `Protocol`,
/// `SslPolicy`, `Certificates [{CertificateArn}]`, `DefaultActions [{Type,
/// TargetGroupArn, RedirectConfig {Protocol, Port, StatusCode}}]`.
pub async fn listeners(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    load_balancer_arn: &str,
) -> Result<Option<Vec<Value>>, AwsError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let Some(page) = found(
            client
                .describe_listeners()
                .load_balancer_arn(load_balancer_arn)
                .set_marker(marker.clone())
                .send()
                .await,
            region,
            "DescribeListeners",
        )?
        else {
            return Ok(None);
        };
        for l in page.listeners() {
            let actions: Vec<Value> = l
                .default_actions()
                .iter()
                .map(|a| {
                    compact(json!({
                        "Type": a.r#type().map(|t| t.as_str()),
                        "TargetGroupArn": a.target_group_arn(),
                        "RedirectConfig": a.redirect_config().map(|r| json!({
                            "Protocol": r.protocol(),
                            "Port": r.port(),
                            "StatusCode": r.status_code().map(|c| c.as_str()),
                        })),
                    }))
                })
                .collect();
            out.push(compact(json!({
                "ListenerArn": l.listener_arn(),
                "Port": opt(l.port()),
                "Protocol": l.protocol().map(|p| p.as_str()),
                "SslPolicy": l.ssl_policy(),
                "Certificates": l.certificates().iter().map(|c| json!({"CertificateArn": c.certificate_arn()})).collect::<Vec<_>>(),
                "DefaultActions": actions,
            })));
        }
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(Some(out));
        }
    }
}

/// A target group: `Protocol`, `Port`, `TargetType`, `VpcId`, the
/// `HealthCheck*` settings, `Matcher {HttpCode}` and `TargetGroupAttributes`.
pub async fn target_group(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    arn: &str,
) -> Result<Option<Value>, AwsError> {
    // Both at once: the attributes need only the ARN the stack gave.
    described_with(
        region,
        ["DescribeTargetGroups", "DescribeTargetGroupAttributes"],
        client.describe_target_groups().target_group_arns(arn).send(),
        client.describe_target_group_attributes().target_group_arn(arn).send(),
        |out| out.target_groups().first(),
        |tg, attrs| {
            compact(json!({
                "TargetGroupArn": arn,
                "Protocol": tg.protocol().map(|p| p.as_str()),
                "Port": opt(tg.port()),
                "TargetType": tg.target_type().map(|t| t.as_str()),
                "VpcId": tg.vpc_id(),
                "HealthCheckEnabled": opt(tg.health_check_enabled()),
                "HealthCheckProtocol": tg.health_check_protocol().map(|p| p.as_str()),
                "HealthCheckPath": tg.health_check_path(),
                "HealthCheckIntervalSeconds": opt(tg.health_check_interval_seconds()),
                "HealthCheckTimeoutSeconds": opt(tg.health_check_timeout_seconds()),
                "HealthyThresholdCount": opt(tg.healthy_threshold_count()),
                "UnhealthyThresholdCount": opt(tg.unhealthy_threshold_count()),
                "Matcher": tg.matcher().map(|m| json!({"HttpCode": m.http_code()})),
                "TargetGroupAttributes": attributes(attrs.attributes().iter().map(|a| (a.key().map(str::to_string), a.value().map(str::to_string)))),
            }))
        },
    )
    .await
}

/// A replication group: `CacheNodeType`, `Engine`, `NumNodeGroups`,
/// `NodeGroups [{NodeGroupId, Replicas}]` (members beyond the primary),
/// `AtRestEncryptionEnabled`, `TransitEncryptionEnabled`, `AuthTokenEnabled`,
/// `AutomaticFailoverEnabled`, `MultiAZEnabled`, `Port`,
/// `SnapshotRetentionLimit`, `Status`.
pub async fn replication_group(
    client: &aws_sdk_elasticache::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await;
    described(out, region, "DescribeReplicationGroups", |out| {
        let g = out.replication_groups().first()?;
        let groups: Vec<Value> = g
            .node_groups()
            .iter()
            .map(|n| {
                json!({
                    "NodeGroupId": n.node_group_id(),
                    "Replicas": n.node_group_members().len().saturating_sub(1),
                })
            })
            .collect();
        let enabled = |s: Option<&str>| s.map(|s| s == "enabled" || s == "enabling");
        Some(compact(json!({
            "ReplicationGroupId": g.replication_group_id(),
            "Status": g.status(),
            "CacheNodeType": g.cache_node_type(),
            "Engine": g.engine(),
            "NumNodeGroups": g.node_groups().len(),
            "NodeGroups": groups,
            "AtRestEncryptionEnabled": opt(g.at_rest_encryption_enabled()),
            "TransitEncryptionEnabled": opt(g.transit_encryption_enabled()),
            "AuthTokenEnabled": opt(g.auth_token_enabled()),
            "AutomaticFailoverEnabled": opt(enabled(g.automatic_failover().map(|s| s.as_str()))),
            "MultiAZEnabled": opt(enabled(g.multi_az().map(|s| s.as_str()))),
            "Port": opt(g.configuration_endpoint().and_then(|e| e.port())),
            "SnapshotRetentionLimit": opt(g.snapshot_retention_limit()),
        })))
    })
}

/// A DocumentDB cluster: `EngineVersion`, `StorageEncrypted`, `KmsKeyId`,
/// `DeletionProtection`, `BackupRetentionPeriod`, `Port`, `Status` and
/// `Members` (the instance identifiers).
pub async fn docdb_cluster(
    client: &aws_sdk_docdb::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await;
    described(out, region, "DescribeDBClusters", |out| {
        let c = out.db_clusters().first()?;
        let members: Vec<Value> = c
            .db_cluster_members()
            .iter()
            .filter_map(|m| m.db_instance_identifier())
            .map(Value::from)
            .collect();
        Some(compact(json!({
            "DBClusterIdentifier": c.db_cluster_identifier(),
            "Status": c.status(),
            "EngineVersion": c.engine_version(),
            "StorageEncrypted": opt(c.storage_encrypted()),
            "KmsKeyId": c.kms_key_id(),
            "DeletionProtection": opt(c.deletion_protection()),
            "BackupRetentionPeriod": opt(c.backup_retention_period()),
            "Port": opt(c.port()),
            "EnableCloudwatchLogsExports": c.enabled_cloudwatch_logs_exports(),
            "Members": members,
        })))
    })
}

/// A DocumentDB instance: `DBInstanceClass`, `AvailabilityZone`,
/// `DBClusterIdentifier`, `Status`.
pub async fn docdb_instance(
    client: &aws_sdk_docdb::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await;
    described(out, region, "DescribeDBInstances", |out| {
        let i = out.db_instances().first()?;
        Some(compact(json!({
            "DBInstanceIdentifier": i.db_instance_identifier(),
            "Status": i.db_instance_status(),
            "DBInstanceClass": i.db_instance_class(),
            "AvailabilityZone": i.availability_zone(),
            "DBClusterIdentifier": i.db_cluster_identifier(),
        })))
    })
}

/// An OpenSearch Service domain: `EngineVersion`, `ClusterConfig`
/// (instance type and count, dedicated masters, zone awareness),
/// `EBSOptions`, `EncryptionAtRestOptions`, `NodeToNodeEncryptionOptions`
/// and `DomainEndpointOptions`, under CloudFormation's names.
pub async fn opensearch_domain(
    client: &aws_sdk_opensearch::Client,
    region: &str,
    name: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client.describe_domain().domain_name(name).send().await;
    described(out, region, "DescribeDomain", |out| {
        let d = out.domain_status()?;
        if d.deleted() == Some(true) {
            return None;
        }
        let c = d.cluster_config();
        let ebs = d.ebs_options();
        let endpoint = d.domain_endpoint_options();
        Some(compact(json!({
            "DomainName": d.domain_name(),
            "EngineVersion": d.engine_version(),
            "ClusterConfig": c.map(|c| json!({
                "InstanceType": c.instance_type().map(|t| t.as_str()),
                "InstanceCount": opt(c.instance_count()),
                "DedicatedMasterEnabled": opt(c.dedicated_master_enabled()),
                "DedicatedMasterType": c.dedicated_master_type().map(|t| t.as_str()),
                "DedicatedMasterCount": opt(c.dedicated_master_count()),
                "ZoneAwarenessEnabled": opt(c.zone_awareness_enabled()),
                "ZoneAwarenessConfig": c.zone_awareness_config().map(|z| json!({
                    "AvailabilityZoneCount": opt(z.availability_zone_count()),
                })),
            })),
            "EBSOptions": ebs.map(|e| json!({
                "EBSEnabled": opt(e.ebs_enabled()),
                "VolumeType": e.volume_type().map(|t| t.as_str()),
                "VolumeSize": opt(e.volume_size()),
            })),
            "EncryptionAtRestOptions": d.encryption_at_rest_options().map(|e| json!({"Enabled": opt(e.enabled())})),
            "NodeToNodeEncryptionOptions": d.node_to_node_encryption_options().map(|e| json!({"Enabled": opt(e.enabled())})),
            "DomainEndpointOptions": endpoint.map(|e| json!({
                "EnforceHTTPS": opt(e.enforce_https()),
                "TLSSecurityPolicy": e.tls_security_policy().map(|t| t.as_str()),
            })),
        })))
    })
}

/// The value of a Service Quotas quota of EC2 (e.g. `L-1216C47A`, the
/// On-Demand Standard vCPUs). `Err` carries the service's message, for a note.
pub async fn ec2_quota(
    client: &aws_sdk_servicequotas::Client,
    code: &str,
) -> Result<Option<f64>, String> {
    client
        .get_service_quota()
        .service_code("ec2")
        .quota_code(code)
        .send()
        .await
        .map(|o| o.quota().and_then(|q| q.value()))
        .map_err(|e| sdk_message(&e))
}

/// DescribeImages of `ids` in one call (a filter on `image-id`, deprecated
/// images included): the images the region has, each with its deprecation
/// time. An id the region does not have is simply absent.
pub async fn images(
    client: &aws_sdk_ec2::Client,
    region: &str,
    ids: &[String],
) -> Result<Vec<streamscale_core::images::FoundImage>, AwsError> {
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("image-id")
        .set_values(Some(ids.to_vec()))
        .build();
    let out = client
        .describe_images()
        .filters(filter)
        .include_deprecated(true)
        .send()
        .await
        .map_err(|e| call_error(region, "DescribeImages", e))?;
    Ok(out
        .images()
        .iter()
        .filter_map(|i| {
            Some(streamscale_core::images::FoundImage {
                id: i.image_id()?.to_string(),
                deprecation_time: i
                    .deprecation_time()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&chrono::Utc)),
            })
        })
        .collect())
}
