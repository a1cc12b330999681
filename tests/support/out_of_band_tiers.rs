//! Hand changes to the data tiers of a test stack (SPEC §7): the
//! DocumentDB cluster (`DatabaseCluster`) and the OpenSearch domain
//! (`SearchDomain`), through the AWS SDK against moto.

use super::{Aws, sent};
use crate::project::{runtime, sdk};

impl Aws<'_> {
    /// The stack's `DatabaseCluster` in `region`.
    pub fn docdb_cluster(&self, region: &str) -> DocDbCluster {
        DocDbCluster {
            client: aws_sdk_docdb::Client::new(&sdk(self.moto, region)),
            id: self.stack(region).physical_id("DatabaseCluster"),
        }
    }

    /// The stack's `SearchDomain` in `region`.
    pub fn search_domain(&self, region: &str) -> SearchDomain {
        SearchDomain {
            client: aws_sdk_opensearch::Client::new(&sdk(self.moto, region)),
            name: self.stack(region).physical_id("SearchDomain"),
        }
    }

    /// The DocumentDB global cluster identifiers in `region`.
    pub fn docdb_global_clusters(&self, region: &str) -> Vec<String> {
        let client = aws_sdk_docdb::Client::new(&sdk(self.moto, region));
        let out = runtime().block_on(client.describe_global_clusters().send());
        sent(out, "DescribeGlobalClusters")
            .global_clusters()
            .iter()
            .filter_map(|g| g.global_cluster_identifier().map(str::to_string))
            .collect()
    }

    /// The DocumentDB cluster identifiers in `region`.
    pub fn docdb_clusters(&self, region: &str) -> Vec<String> {
        let client = aws_sdk_docdb::Client::new(&sdk(self.moto, region));
        let out = runtime().block_on(client.describe_db_clusters().send());
        sent(out, "DescribeDBClusters")
            .db_clusters()
            .iter()
            .filter_map(|c| c.db_cluster_identifier().map(str::to_string))
            .collect()
    }

    /// The OpenSearch domain names in `region`.
    pub fn search_domains(&self, region: &str) -> Vec<String> {
        let client = aws_sdk_opensearch::Client::new(&sdk(self.moto, region));
        let out = runtime().block_on(client.list_domain_names().send());
        sent(out, "ListDomainNames")
            .domain_names()
            .iter()
            .filter_map(|d| d.domain_name().map(str::to_string))
            .collect()
    }
}

/// The stack's DocumentDB cluster.
pub struct DocDbCluster {
    client: aws_sdk_docdb::Client,
    id: String,
}

impl DocDbCluster {
    /// Its identifier (the physical id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Days its automated backups are kept.
    pub fn backup_retention(&self) -> i32 {
        let out = runtime().block_on(
            self.client
                .describe_db_clusters()
                .db_cluster_identifier(&self.id)
                .send(),
        );
        sent(out, "DescribeDBClusters")
            .db_clusters()
            .first()
            .and_then(|c| c.backup_retention_period())
            .unwrap_or_else(|| panic!("cluster {} has no backup retention", self.id))
    }

    /// Keep backups `days` days, by hand (ModifyDBCluster, applied now).
    pub fn set_backup_retention(&self, days: i32) {
        let out = runtime().block_on(
            self.client
                .modify_db_cluster()
                .db_cluster_identifier(&self.id)
                .backup_retention_period(days)
                .apply_immediately(true)
                .send(),
        );
        sent(out, "ModifyDBCluster");
    }
}

/// The stack's OpenSearch domain.
pub struct SearchDomain {
    client: aws_sdk_opensearch::Client,
    name: String,
}

impl SearchDomain {
    /// Its name (the physical id).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn cluster_config(&self) -> aws_sdk_opensearch::types::ClusterConfig {
        let out = runtime().block_on(self.client.describe_domain().domain_name(&self.name).send());
        sent(out, "DescribeDomain")
            .domain_status()
            .and_then(|d| d.cluster_config())
            .cloned()
            .unwrap_or_else(|| panic!("domain {} has no ClusterConfig", self.name))
    }

    /// Its data node count.
    pub fn instance_count(&self) -> i32 {
        self.cluster_config()
            .instance_count()
            .unwrap_or_else(|| panic!("domain {} has no InstanceCount", self.name))
    }

    /// Run `count` data nodes, by hand: UpdateDomainConfig with the whole
    /// ClusterConfig as it runs but the count (a partial one would reset
    /// the rest).
    pub fn set_instance_count(&self, count: i32) {
        let now = self.cluster_config();
        let config = aws_sdk_opensearch::types::ClusterConfig::builder()
            .set_instance_type(now.instance_type().cloned())
            .instance_count(count)
            .set_dedicated_master_enabled(now.dedicated_master_enabled())
            .set_dedicated_master_type(now.dedicated_master_type().cloned())
            .set_dedicated_master_count(now.dedicated_master_count())
            .set_zone_awareness_enabled(now.zone_awareness_enabled())
            .set_zone_awareness_config(now.zone_awareness_config().cloned())
            .set_warm_enabled(now.warm_enabled())
            .set_warm_type(now.warm_type().cloned())
            .set_warm_count(now.warm_count())
            .set_multi_az_with_standby_enabled(now.multi_az_with_standby_enabled())
            .build();
        let out = runtime().block_on(
            self.client
                .update_domain_config()
                .domain_name(&self.name)
                .cluster_config(config)
                .send(),
        );
        sent(out, "UpdateDomainConfig");
    }
}
