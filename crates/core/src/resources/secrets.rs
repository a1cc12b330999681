//! The types of the locked-down origin that streamscale does not read
//! itself: the cache's AUTH secret (its value is never read, by design), the
//! access-log bucket and its policy (CloudFormation's drift detection
//! compares them).

use super::{Cost, LiveRead, ResourceType};
use crate::finding::Severity;

/// `AWS::SecretsManager::Secret`: the cache's generated AUTH token.
pub const SECRET: ResourceType = ResourceType {
    name: "AWS::SecretsManager::Secret",
    severity: Severity::Security,
    replaced_by: &["Name"],
    read: LiveRead::NotRead(
        "a generated secret: streamscale never reads its value (the cache's AuthTokenEnabled is compared instead)",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("Secrets Manager secrets per month and API calls"),
};

/// `AWS::S3::Bucket`: the region's access-log bucket.
pub const BUCKET: ResourceType = ResourceType {
    name: "AWS::S3::Bucket",
    severity: Severity::Security,
    replaced_by: &["BucketName", "BucketNamePrefix", "BucketNamespace"],
    read: LiveRead::NotRead(
        "the access-log bucket: its encryption, public access block and lifecycle are compared by CloudFormation's drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("S3 storage of the access logs"),
};

/// `AWS::S3::BucketPolicy`: TLS only, log delivery only.
pub const BUCKET_POLICY: ResourceType = ResourceType {
    name: "AWS::S3::BucketPolicy",
    severity: Severity::Security,
    replaced_by: &["Bucket"],
    read: LiveRead::NotRead(
        "the access-log bucket's policy: compared by CloudFormation's drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};
