"""Drift detection readers for the new tiers' resource types (ext_drift.py
does the comparing; this module reads live state in CloudFormation property
shape, through the service APIs, as ext_drift's readers do).

Types (all listed as drift-detection supported in the CloudFormation user
guide, "Resource type support",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html):
AWS::DocDB::{DBCluster, DBInstance, DBSubnetGroup, DBClusterParameterGroup,
GlobalCluster}, AWS::OpenSearchService::Domain, AWS::EKS::{Cluster,
AccessEntry}, AWS::APS::{Workspace, RuleGroupsNamespace}, AWS::KMS::Key,
AWS::IAM::{Role, InstanceProfile}, AWS::Logs::{LogGroup, ResourcePolicy}.

Only what the template sets is compared (ext_drift.compare); write-only
properties of the resource schemas (passwords, MasterUserOptions,
BootstrapClusterCreatorAdminPermissions, PendingWindowInDays) are never read
back by AWS and are left out (WRITE_ONLY).  An identifier the template gives in
one documented form and the API returns in another (a KMS key id vs. its ARN,
a policy document as text vs. as JSON) is compared as the same value.
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import unquote

import ext_drift
from ext_drift import Gone, _drop_none, _read, _tags

Clients = Callable[[str], Any]


def _tag_map(tags: dict[str, str] | None) -> list[dict[str, Any]]:
    return _tags([{"Key": k, "Value": v} for k, v in (tags or {}).items()])


def _same_key(expected: Any, actual: Any) -> Any:
    """A KMS key given as id, alias or ARN: the live ARN reads as the
    template's form when it names the same key."""
    if isinstance(expected, str) and isinstance(actual, str) and expected != actual:
        if actual.endswith("/" + expected) or expected.endswith("/" + actual.split("/")[-1]) and actual.startswith("arn:"):
            return expected
    return actual


def _same_json(expected: Any, actual: Any) -> Any:
    """A JSON document (policy) compared by value, whatever its spacing or
    form (text or object): the template's form when equal."""
    def parsed(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(unquote(value) if value.startswith("%7B") else value)
            except ValueError:
                return value
        return value

    if actual is None:
        return None
    return expected if parsed(expected) == parsed(actual) else parsed(actual)


# ----------------------------------------------------------------- DocumentDB

_DOCDB_GONE = ("NotFound", "NotFoundFault")


def _docdb_one(call: Callable[[], Any]) -> Any:
    """The one item a DocumentDB describe call lists; Gone if it lists none
    or answers not found."""
    items = _read(call, *_DOCDB_GONE)
    if not items:
        raise Gone()
    return items[0]


def _docdb_tags(c: Clients, arn: str) -> list[dict[str, Any]]:
    return _tags(c("docdb").list_tags_for_resource(ResourceName=arn).get("TagList") or [])


def _docdb_subnet_group(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    g = _docdb_one(lambda: c("docdb").describe_db_subnet_groups(DBSubnetGroupName=phys)["DBSubnetGroups"])
    return _drop_none({
        "DBSubnetGroupName": g.get("DBSubnetGroupName"),
        "DBSubnetGroupDescription": g.get("DBSubnetGroupDescription"),
        "SubnetIds": [s.get("SubnetIdentifier") for s in g.get("Subnets") or []],
        "Tags": _docdb_tags(c, g["DBSubnetGroupArn"]) if g.get("DBSubnetGroupArn") else None,
    })


def _docdb_parameter_group(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    docdb = c("docdb")
    g = _docdb_one(lambda: docdb.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=phys)["DBClusterParameterGroups"])
    params = docdb.describe_db_cluster_parameters(DBClusterParameterGroupName=phys).get("Parameters") or []
    return _drop_none({
        "Name": g.get("DBClusterParameterGroupName"),
        "Description": g.get("Description"),
        "Family": g.get("DBParameterGroupFamily"),
        "Parameters": {p["ParameterName"]: p.get("ParameterValue") for p in params if "ParameterValue" in p},
        "Tags": _docdb_tags(c, g["DBClusterParameterGroupArn"]) if g.get("DBClusterParameterGroupArn") else None,
    })


def _docdb_global_cluster(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    g = _docdb_one(lambda: c("docdb").describe_global_clusters(GlobalClusterIdentifier=phys)["GlobalClusters"])
    return _drop_none({k: g.get(k) for k in ("GlobalClusterIdentifier", "Engine", "EngineVersion", "StorageEncrypted", "DeletionProtection")})


def _docdb_cluster(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    docdb = c("docdb")
    d = _docdb_one(lambda: docdb.describe_db_clusters(DBClusterIdentifier=phys)["DBClusters"])
    out = {
        "DBClusterIdentifier": d.get("DBClusterIdentifier"),
        "EngineVersion": d.get("EngineVersion"),
        "MasterUsername": d.get("MasterUsername"),
        "Port": d.get("Port"),
        "DBSubnetGroupName": d.get("DBSubnetGroup"),
        "DBClusterParameterGroupName": d.get("DBClusterParameterGroup"),
        "VpcSecurityGroupIds": [g.get("VpcSecurityGroupId") for g in d.get("VpcSecurityGroups") or []],
        "StorageEncrypted": d.get("StorageEncrypted"),
        "KmsKeyId": _same_key(expected.get("KmsKeyId"), d.get("KmsKeyId")),
        "DeletionProtection": d.get("DeletionProtection"),
        "BackupRetentionPeriod": d.get("BackupRetentionPeriod"),
        "PreferredBackupWindow": d.get("PreferredBackupWindow"),
        "PreferredMaintenanceWindow": d.get("PreferredMaintenanceWindow"),
        "EnableCloudwatchLogsExports": d.get("EnabledCloudwatchLogsExports") or [],
        "AvailabilityZones": d.get("AvailabilityZones"),
        "Tags": _docdb_tags(c, d["DBClusterArn"]),
    }
    if "GlobalClusterIdentifier" in expected:
        member_of = [
            g.get("GlobalClusterIdentifier")
            for g in docdb.describe_global_clusters().get("GlobalClusters") or []
            if any(m.get("DBClusterArn") == d["DBClusterArn"] for m in g.get("GlobalClusterMembers") or [])
        ]
        out["GlobalClusterIdentifier"] = member_of[0] if member_of else None
    return _drop_none(out)


def _docdb_instance(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    i = _docdb_one(lambda: c("docdb").describe_db_instances(DBInstanceIdentifier=phys)["DBInstances"])
    keys = ("DBInstanceIdentifier", "DBClusterIdentifier", "DBInstanceClass", "AvailabilityZone", "AutoMinorVersionUpgrade",
            "PreferredMaintenanceWindow", "CACertificateIdentifier")
    out = {k: i.get(k) for k in keys}
    out["Tags"] = _docdb_tags(c, i["DBInstanceArn"])
    return _drop_none(out)


# ----------------------------------------------------------------- OpenSearch


def _opensearch_domain(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    client = c("opensearch")
    d = _read(lambda: client.describe_domain(DomainName=phys)["DomainStatus"], "ResourceNotFound")
    if d.get("Deleted"):
        raise Gone()
    vpc = d.get("VPCOptions") or {}
    security = dict(d.get("AdvancedSecurityOptions") or {})
    out = {
        "DomainName": d.get("DomainName"),
        "EngineVersion": d.get("EngineVersion"),
        "ClusterConfig": d.get("ClusterConfig"),
        "EBSOptions": d.get("EBSOptions"),
        "EncryptionAtRestOptions": d.get("EncryptionAtRestOptions"),
        "NodeToNodeEncryptionOptions": d.get("NodeToNodeEncryptionOptions"),
        "DomainEndpointOptions": d.get("DomainEndpointOptions"),
        "AdvancedSecurityOptions": security or None,
        "AccessPolicies": _same_json(expected.get("AccessPolicies"), d.get("AccessPolicies")),
        "VPCOptions": _drop_none({"SubnetIds": vpc.get("SubnetIds"), "SecurityGroupIds": vpc.get("SecurityGroupIds")}) or None,
        "LogPublishingOptions": d.get("LogPublishingOptions"),
        "SnapshotOptions": d.get("SnapshotOptions"),
        "AdvancedOptions": d.get("AdvancedOptions"),
        "IPAddressType": d.get("IPAddressType"),
        "SoftwareUpdateOptions": d.get("SoftwareUpdateOptions"),
        "OffPeakWindowOptions": d.get("OffPeakWindowOptions"),
        "Tags": _tags(client.list_tags(ARN=d["ARN"]).get("TagList") or []),
    }
    return _drop_none(out)


# ----------------------------------------------------------------- EKS


def _eks_cluster(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    k = _read(lambda: c("eks").describe_cluster(name=phys)["cluster"], "ResourceNotFound")
    vpc = k.get("resourcesVpcConfig") or {}
    net = k.get("kubernetesNetworkConfig") or {}
    enabled = [t for entry in (k.get("logging") or {}).get("clusterLogging") or [] if entry.get("enabled") for t in entry.get("types") or []]
    access = k.get("accessConfig") or {}
    out = {
        "Name": k.get("name"),
        "Version": k.get("version"),
        "RoleArn": k.get("roleArn"),
        "ResourcesVpcConfig": _drop_none({
            "SubnetIds": vpc.get("subnetIds"),
            "SecurityGroupIds": vpc.get("securityGroupIds"),
            "EndpointPrivateAccess": vpc.get("endpointPrivateAccess"),
            "EndpointPublicAccess": vpc.get("endpointPublicAccess"),
            "PublicAccessCidrs": vpc.get("publicAccessCidrs"),
        }),
        "KubernetesNetworkConfig": _drop_none({
            "IpFamily": net.get("ipFamily"),
            "ServiceIpv4Cidr": net.get("serviceIpv4Cidr"),
            "ServiceIpv6Cidr": net.get("serviceIpv6Cidr"),
        }),
        "EncryptionConfig": [
            _drop_none({"Resources": e.get("resources"), "Provider": _drop_none({"KeyArn": (e.get("provider") or {}).get("keyArn")})})
            for e in k.get("encryptionConfig") or []
        ],
        "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": t} for t in enabled]}},
        "AccessConfig": _drop_none({"AuthenticationMode": access.get("authenticationMode")}),
        "Tags": _tag_map(k.get("tags")),
    }
    return _drop_none(out)


def _eks_access_entry(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    cluster, _, principal = phys.partition("|")
    cluster = expected.get("ClusterName") or cluster
    principal = expected.get("PrincipalArn") or principal
    eks = c("eks")
    e = _read(lambda: eks.describe_access_entry(clusterName=cluster, principalArn=principal)["accessEntry"], "ResourceNotFound")
    out = {
        "ClusterName": e.get("clusterName"),
        "PrincipalArn": e.get("principalArn"),
        "Type": e.get("type"),
        "Username": e.get("username"),
        "KubernetesGroups": e.get("kubernetesGroups"),
        "Tags": _tag_map(e.get("tags")),
    }
    if "AccessPolicies" in expected:
        policies = eks.list_associated_access_policies(clusterName=cluster, principalArn=principal).get("associatedAccessPolicies") or []
        out["AccessPolicies"] = [
            {"PolicyArn": p.get("policyArn"),
             "AccessScope": _drop_none({"Type": (p.get("accessScope") or {}).get("type"), "Namespaces": (p.get("accessScope") or {}).get("namespaces") or None})}
            for p in policies
        ]
    return _drop_none(out)


# ----------------------------------------------------------------- Prometheus


def _workspace_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _aps_workspace(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    w = _read(lambda: c("amp").describe_workspace(workspaceId=_workspace_id(phys))["workspace"], "ResourceNotFound")
    if (w.get("status") or {}).get("statusCode") in ("DELETING",):
        raise Gone()
    return _drop_none({"Alias": w.get("alias"), "KmsKeyArn": w.get("kmsKeyArn"), "Tags": _tag_map(w.get("tags"))})


def _aps_rule_groups(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    # arn:aws:aps:REGION:ACCOUNT:rulegroupsnamespace/WORKSPACE-ID/NAME
    parts = phys.split("/")
    workspace_id, name = (parts[-2], parts[-1]) if len(parts) >= 3 else (_workspace_id(str(expected.get("Workspace"))), expected.get("Name"))
    amp = c("amp")
    n = _read(lambda: amp.describe_rule_groups_namespace(workspaceId=workspace_id, name=name)["ruleGroupsNamespace"], "ResourceNotFound")
    data = n.get("data")
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    workspace_arn = amp.describe_workspace(workspaceId=workspace_id)["workspace"]["arn"]
    return _drop_none({"Name": n.get("name"), "Workspace": workspace_arn, "Data": data, "Tags": _tag_map(n.get("tags"))})


# ----------------------------------------------------------------- KMS, IAM, Logs


def _kms_key(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    kms = c("kms")
    meta = _read(lambda: kms.describe_key(KeyId=phys)["KeyMetadata"], "NotFound")
    if meta.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        raise Gone()
    policy = kms.get_key_policy(KeyId=phys, PolicyName="default")["Policy"]
    out = {
        "Description": meta.get("Description"),
        "Enabled": meta.get("Enabled"),
        "KeyUsage": meta.get("KeyUsage"),
        "KeySpec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
        "MultiRegion": meta.get("MultiRegion"),
        "Origin": meta.get("Origin"),
        "KeyPolicy": _same_json(expected.get("KeyPolicy"), policy),
        "Tags": _tags([{"Key": t["TagKey"], "Value": t["TagValue"]} for t in kms.list_resource_tags(KeyId=phys).get("Tags") or []]),
    }
    if "EnableKeyRotation" in expected:
        out["EnableKeyRotation"] = kms.get_key_rotation_status(KeyId=phys).get("KeyRotationEnabled")
    return _drop_none(out)


def _iam_role(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    iam = c("iam")
    r = _read(lambda: iam.get_role(RoleName=phys)["Role"], "NoSuchEntity")
    out = {
        "RoleName": r.get("RoleName"),
        "Path": r.get("Path"),
        "Description": r.get("Description"),
        "MaxSessionDuration": r.get("MaxSessionDuration"),
        "AssumeRolePolicyDocument": _same_json(expected.get("AssumeRolePolicyDocument"), r.get("AssumeRolePolicyDocument")),
        "PermissionsBoundary": (r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        "Tags": _tags(r.get("Tags") or []),
    }
    if "ManagedPolicyArns" in expected:
        out["ManagedPolicyArns"] = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=phys).get("AttachedPolicies") or []]
    if "Policies" in expected:
        wanted = {p.get("PolicyName"): p.get("PolicyDocument") for p in expected.get("Policies") or [] if isinstance(p, dict)}
        out["Policies"] = []
        for name in iam.list_role_policies(RoleName=phys).get("PolicyNames") or []:
            document = iam.get_role_policy(RoleName=phys, PolicyName=name)["PolicyDocument"]
            out["Policies"].append({"PolicyName": name, "PolicyDocument": _same_json(wanted.get(name), document)})
    return _drop_none(out)


def _iam_instance_profile(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    p = _read(lambda: c("iam").get_instance_profile(InstanceProfileName=phys)["InstanceProfile"], "NoSuchEntity")
    return _drop_none({
        "InstanceProfileName": p.get("InstanceProfileName"),
        "Path": p.get("Path"),
        "Roles": [r.get("RoleName") for r in p.get("Roles") or []],
    })


def _log_group(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    logs = c("logs")
    groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=phys).get("logGroups") or [] if g.get("logGroupName") == phys]
    if not groups:
        raise Gone()
    g = groups[0]
    arn = str(g.get("arn") or "").removesuffix(":*")
    tags = logs.list_tags_for_resource(resourceArn=arn).get("tags") if arn else None
    return _drop_none({
        "LogGroupName": g.get("logGroupName"),
        "RetentionInDays": g.get("retentionInDays"),
        "KmsKeyId": g.get("kmsKeyId"),
        "LogGroupClass": g.get("logGroupClass"),
        "Tags": _tag_map(tags),
    })


def _logs_resource_policy(c: Clients, phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    name = expected.get("PolicyName") or phys
    policies = [p for p in c("logs").describe_resource_policies().get("resourcePolicies") or [] if p.get("policyName") == name]
    if not policies:
        raise Gone()
    p = policies[0]
    return _drop_none({"PolicyName": p.get("policyName"), "PolicyDocument": _same_json(expected.get("PolicyDocument"), p.get("policyDocument"))})


READERS = {
    "AWS::DocDB::DBSubnetGroup": _docdb_subnet_group,
    "AWS::DocDB::DBClusterParameterGroup": _docdb_parameter_group,
    "AWS::DocDB::GlobalCluster": _docdb_global_cluster,
    "AWS::DocDB::DBCluster": _docdb_cluster,
    "AWS::DocDB::DBInstance": _docdb_instance,
    "AWS::OpenSearchService::Domain": _opensearch_domain,
    "AWS::EKS::Cluster": _eks_cluster,
    "AWS::EKS::AccessEntry": _eks_access_entry,
    "AWS::APS::Workspace": _aps_workspace,
    "AWS::APS::RuleGroupsNamespace": _aps_rule_groups,
    "AWS::KMS::Key": _kms_key,
    "AWS::IAM::Role": _iam_role,
    "AWS::IAM::InstanceProfile": _iam_instance_profile,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Logs::ResourcePolicy": _logs_resource_policy,
}

# writeOnlyProperties of the resource schemas: never read back, never drift.
WRITE_ONLY = {
    "AWS::DocDB::DBCluster": {"MasterUserPassword", "SnapshotIdentifier", "SourceDBClusterIdentifier", "RestoreType",
                              "RestoreToTime", "UseLatestRestorableTime", "ManageMasterUserPassword", "RotateMasterUserPassword"},
    "AWS::KMS::Key": {"PendingWindowInDays", "BypassPolicyLockoutSafetyCheck", "RotationPeriodInDays"},
    "AWS::EKS::Cluster": {"BootstrapSelfManagedAddons"},
}

# Nested write-only paths (removed from the expected properties).
_NESTED_WRITE_ONLY = {
    "AWS::OpenSearchService::Domain": [("AdvancedSecurityOptions", "MasterUserOptions")],
    "AWS::EKS::Cluster": [("AccessConfig", "BootstrapClusterCreatorAdminPermissions")],
}


def strip_write_only(rtype: str, expected: dict[str, Any]) -> dict[str, Any]:
    for parent, child in _NESTED_WRITE_ONLY.get(rtype, []):
        if isinstance(expected.get(parent), dict) and child in expected[parent]:
            expected = dict(expected, **{parent: {k: v for k, v in expected[parent].items() if k != child}})
    return expected


def _patch_log_group_key() -> None:
    """AWS::Logs::LogGroup KmsKeyId (moto 5.2.5 passes the CloudFormation
    properties as CreateLogGroup keywords, and reads the key as kmsKeyId: the
    key was dropped).  CloudWatch Logs encrypts the group with that key and
    DescribeLogGroups shows it
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html)."""
    from moto.logs.models import LogGroup

    orig_create = LogGroup.create_from_cloudformation_json.__func__

    def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        group = orig_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        key = (cloudformation_json.get("Properties") or {}).get("KmsKeyId")
        if key:
            group.kms_key_id = key
        return group

    LogGroup.create_from_cloudformation_json = classmethod(_create)


_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    _patch_log_group_key()
    ext_drift.READERS.update(READERS)
    for rtype, props in WRITE_ONLY.items():
        ext_drift.WRITE_ONLY.setdefault(rtype, set()).update(props)
    ext_drift.EXPECTED_FILTERS.append(strip_write_only)
    ext_drift.UNORDERED.update({"EnabledTypes", "PublicAccessCidrs", "EnableCloudwatchLogsExports", "VpcSecurityGroupIds",
                                "ManagedPolicyArns", "Roles", "Policies", "KubernetesGroups", "AccessPolicies"})
    _INSTALLED = True
