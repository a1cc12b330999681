//! Hand changes to the platform tiers of a test stack (SPEC §7): the EKS
//! cluster (`EksCluster`) and the AMP rules (`PrometheusWorkspace`,
//! `PrometheusRules`), through the AWS SDK against moto.

use super::{Aws, sent};
use crate::project::{runtime, sdk};

impl Aws<'_> {
    /// The stack's `EksCluster` in `region`.
    pub fn eks_cluster(&self, region: &str) -> EksCluster {
        EksCluster {
            client: aws_sdk_eks::Client::new(&sdk(self.moto, region)),
            name: self.stack(region).physical_id("EksCluster"),
        }
    }

    /// The stack's `PrometheusRules` in `region`.
    pub fn prometheus_rules(&self, region: &str) -> PrometheusRules {
        let arn = self.stack(region).physical_id("PrometheusRules");
        let mut parts = arn.rsplit('/');
        let name = parts.next().unwrap_or_default().to_string();
        let workspace_id = parts.next().unwrap_or_default().to_string();
        PrometheusRules {
            client: aws_sdk_amp::Client::new(&sdk(self.moto, region)),
            workspace_id,
            name,
        }
    }

    /// The EKS cluster names in `region`.
    pub fn eks_clusters(&self, region: &str) -> Vec<String> {
        let client = aws_sdk_eks::Client::new(&sdk(self.moto, region));
        let out = runtime().block_on(client.list_clusters().send());
        sent(out, "ListClusters").clusters().to_vec()
    }

    /// The AMP workspace ids in `region`.
    pub fn prometheus_workspaces(&self, region: &str) -> Vec<String> {
        let client = aws_sdk_amp::Client::new(&sdk(self.moto, region));
        let out = runtime().block_on(client.list_workspaces().send());
        sent(out, "ListWorkspaces")
            .workspaces()
            .iter()
            .map(|w| w.workspace_id().to_string())
            .collect()
    }
}

/// The stack's EKS cluster.
pub struct EksCluster {
    client: aws_sdk_eks::Client,
    name: String,
}

impl EksCluster {
    fn describe(&self) -> aws_sdk_eks::types::Cluster {
        let out = runtime().block_on(self.client.describe_cluster().name(&self.name).send());
        sent(out, "DescribeCluster")
            .cluster()
            .cloned()
            .unwrap_or_else(|| panic!("no cluster {}", self.name))
    }

    /// Its Kubernetes version.
    pub fn version(&self) -> String {
        self.describe().version().unwrap_or_default().to_string()
    }

    /// Upgrade it to `version`, by hand (UpdateClusterVersion).
    pub fn upgrade_to(&self, version: &str) {
        let out = runtime().block_on(
            self.client
                .update_cluster_version()
                .name(&self.name)
                .version(version)
                .send(),
        );
        sent(out, "UpdateClusterVersion");
    }

    /// The CIDR blocks its public endpoint admits.
    pub fn public_access_cidrs(&self) -> Vec<String> {
        self.describe()
            .resources_vpc_config()
            .map(|v| v.public_access_cidrs().to_vec())
            .unwrap_or_default()
    }

    /// Admit `cidrs` to the public endpoint, by hand (UpdateClusterConfig).
    pub fn set_public_access_cidrs(&self, cidrs: &[&str]) {
        let vpc = aws_sdk_eks::types::VpcConfigRequest::builder()
            .set_public_access_cidrs(Some(cidrs.iter().map(|c| c.to_string()).collect()))
            .build();
        let out = runtime().block_on(
            self.client
                .update_cluster_config()
                .name(&self.name)
                .resources_vpc_config(vpc)
                .send(),
        );
        sent(out, "UpdateClusterConfig");
    }

    /// The control-plane log types it sends, in EKS's order.
    pub fn enabled_log_types(&self) -> Vec<String> {
        self.describe()
            .logging()
            .map(|l| l.cluster_logging())
            .unwrap_or_default()
            .iter()
            .filter(|s| s.enabled() == Some(true))
            .flat_map(|s| s.types().iter().map(|t| t.as_str().to_string()))
            .collect()
    }

    /// Stop sending the `types` logs, by hand (UpdateClusterConfig).
    pub fn disable_logs(&self, types: &[&str]) {
        let setup = aws_sdk_eks::types::LogSetup::builder()
            .set_types(Some(
                types
                    .iter()
                    .map(|t| aws_sdk_eks::types::LogType::from(*t))
                    .collect(),
            ))
            .enabled(false)
            .build();
        let logging = aws_sdk_eks::types::Logging::builder()
            .cluster_logging(setup)
            .build();
        let out = runtime().block_on(
            self.client
                .update_cluster_config()
                .name(&self.name)
                .logging(logging)
                .send(),
        );
        sent(out, "UpdateClusterConfig");
    }
}

/// The stack's AMP rule groups namespace.
pub struct PrometheusRules {
    client: aws_sdk_amp::Client,
    workspace_id: String,
    name: String,
}

impl PrometheusRules {
    /// The rules file it holds.
    pub fn data(&self) -> String {
        let out = runtime().block_on(
            self.client
                .describe_rule_groups_namespace()
                .workspace_id(&self.workspace_id)
                .name(&self.name)
                .send(),
        );
        let out = sent(out, "DescribeRuleGroupsNamespace");
        let ns = out
            .rule_groups_namespace()
            .unwrap_or_else(|| panic!("no namespace {}", self.name));
        String::from_utf8_lossy(ns.data().as_ref()).into_owned()
    }

    /// Replace its rules file, by hand (PutRuleGroupsNamespace).
    pub fn put(&self, data: &str) {
        let out = runtime().block_on(
            self.client
                .put_rule_groups_namespace()
                .workspace_id(&self.workspace_id)
                .name(&self.name)
                .data(aws_smithy_types::Blob::new(data.as_bytes().to_vec()))
                .send(),
        );
        sent(out, "PutRuleGroupsNamespace");
    }
}
