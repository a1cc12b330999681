//! Thin reads of the platform tiers' resources (SPEC §7): the EKS cluster
//! and its access entries, the AMP workspace and its rule groups namespace,
//! under CloudFormation's property names, as `reads` does for the others;
//! `None` when the resource does not exist.

use serde_json::{Value, json};

use super::AwsError;
use super::reads::{compact, described, found};

/// An EKS cluster: `Name`, `Version`, `Status`, `ResourcesVpcConfig
/// {EndpointPublicAccess, EndpointPrivateAccess, PublicAccessCidrs}`,
/// `Logging {ClusterLogging {EnabledTypes [{Type}]}}` (the enabled types
/// only, as a template gives them), `EncryptionConfig [{Resources, Provider
/// {KeyArn}}]` and `AccessConfig {AuthenticationMode}`.
pub async fn eks_cluster(
    client: &aws_sdk_eks::Client,
    region: &str,
    name: &str,
) -> Result<Option<Value>, AwsError> {
    let out = client.describe_cluster().name(name).send().await;
    described(out, region, "DescribeCluster", |out| {
        let c = out.cluster()?;
        let vpc = c.resources_vpc_config().map(|v| {
            json!({
                "EndpointPublicAccess": v.endpoint_public_access(),
                "EndpointPrivateAccess": v.endpoint_private_access(),
                "PublicAccessCidrs": v.public_access_cidrs(),
            })
        });
        let enabled: Vec<Value> = c
            .logging()
            .map(|l| l.cluster_logging())
            .unwrap_or_default()
            .iter()
            .filter(|s| s.enabled() == Some(true))
            .flat_map(|s| s.types())
            .map(|t| json!({"Type": t.as_str()}))
            .collect();
        let encryption: Vec<Value> = c
            .encryption_config()
            .iter()
            .map(|e| {
                json!({
                    "Resources": e.resources(),
                    "Provider": {"KeyArn": e.provider().and_then(|p| p.key_arn())},
                })
            })
            .collect();
        Some(compact(json!({
            "Name": c.name(),
            "Version": c.version(),
            "Status": c.status().map(|s| s.as_str()),
            "ResourcesVpcConfig": vpc,
            "Logging": {"ClusterLogging": {"EnabledTypes": enabled}},
            "EncryptionConfig": encryption,
            "AccessConfig": c.access_config().map(|a| json!({
                "AuthenticationMode": a.authentication_mode().map(|m| m.as_str()),
            })),
        })))
    })
}

/// An EKS access entry, by CloudFormation's physical id
/// `<cluster>|<principal ARN>`: `ClusterName`, `PrincipalArn`, `Type`,
/// `Username`, `KubernetesGroups`.
pub async fn eks_access_entry(
    client: &aws_sdk_eks::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let Some((cluster, principal)) = id.split_once('|') else {
        return Err(AwsError::Call {
            region: region.to_string(),
            operation: "DescribeAccessEntry",
            message: format!("the physical id {id} is not <cluster>|<principal ARN>"),
        });
    };
    let out = client
        .describe_access_entry()
        .cluster_name(cluster)
        .principal_arn(principal)
        .send()
        .await;
    described(out, region, "DescribeAccessEntry", |out| {
        let e = out.access_entry()?;
        Some(compact(json!({
            "ClusterName": e.cluster_name(),
            "PrincipalArn": e.principal_arn(),
            "Type": e.r#type(),
            "Username": e.username(),
            "KubernetesGroups": e.kubernetes_groups(),
        })))
    })
}

/// The last segments of an AMP ARN (`…:workspace/<id>`,
/// `…:rulegroupsnamespace/<workspace id>/<name>`), or the id itself.
fn arn_path(id: &str) -> Vec<&str> {
    id.rsplit_once(':')
        .map_or(id, |(_, resource)| resource)
        .split('/')
        .skip(1)
        .collect()
}

/// An AMP workspace, by its ARN (CloudFormation's physical id) or id:
/// `WorkspaceId`, `Alias`, `KmsKeyArn`, `Status` and `LoggingConfiguration
/// {LogGroupArn}` (absent when the workspace logs nowhere).
pub async fn aps_workspace(
    client: &aws_sdk_amp::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let workspace_id = arn_path(id).first().copied().unwrap_or(id);
    // Both at once: the logging configuration needs only the workspace id.
    let (out, logging) = futures::join!(
        client
            .describe_workspace()
            .workspace_id(workspace_id)
            .send(),
        client
            .describe_logging_configuration()
            .workspace_id(workspace_id)
            .send(),
    );
    let Some(out) = found(out, region, "DescribeWorkspace")? else {
        return Ok(None);
    };
    let Some(w) = out.workspace() else {
        return Ok(None);
    };
    let logging = found(logging, region, "DescribeLoggingConfiguration")?;
    let log_group = logging
        .as_ref()
        .and_then(|l| l.logging_configuration())
        .map(|l| l.log_group_arn())
        .filter(|a| !a.is_empty());
    Ok(Some(compact(json!({
        "WorkspaceId": w.workspace_id(),
        "Alias": w.alias(),
        "KmsKeyArn": w.kms_key_arn(),
        "Status": w.status().map(|s| s.status_code().as_str()),
        "LoggingConfiguration": log_group.map(|a| json!({"LogGroupArn": a})),
    }))))
}

/// An AMP rule groups namespace, by its ARN: `Name`, `Status` and `Data`
/// (the rules file as text).
pub async fn aps_rule_groups_namespace(
    client: &aws_sdk_amp::Client,
    region: &str,
    arn: &str,
) -> Result<Option<Value>, AwsError> {
    let [workspace_id, name] = arn_path(arn)[..] else {
        return Err(AwsError::Call {
            region: region.to_string(),
            operation: "DescribeRuleGroupsNamespace",
            message: format!("the physical id {arn} is not a rule groups namespace ARN"),
        });
    };
    let out = client
        .describe_rule_groups_namespace()
        .workspace_id(workspace_id)
        .name(name)
        .send()
        .await;
    described(out, region, "DescribeRuleGroupsNamespace", |out| {
        let n = out.rule_groups_namespace()?;
        Some(compact(json!({
            "Name": n.name(),
            "Status": n.status().map(|s| s.status_code().as_str()),
            "Data": String::from_utf8_lossy(n.data().as_ref()),
        })))
    })
}
