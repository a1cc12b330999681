"""Amazon OpenSearch Service on the harness (tests/moto/ext_opensearch.py),
through CloudFormation and boto3's ``opensearch`` client.

    .venv/bin/python -m pytest -q tests/moto/test_tiers_opensearch.py
"""

from __future__ import annotations

import json
from typing import Any

from tiers_support import aws, create, delete, endpoint, failure, outputs, physical_ids, stack, template, update, vpc_resources  # noqa: F401

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")


def domain_template(
    data_nodes: int = 3,
    instance_type: str = "r6g.large.search",
    engine_version: str = "OpenSearch_2.15",
    version_upgrade: bool = False,
    fgac: bool = True,
    https: bool = True,
    domain_name: str | None = None,
    volume: int = 100,
) -> str:
    r = vpc_resources("10.42.0.0/16", ZONES)
    for log in ("Slow", "Error", "Audit"):
        r[f"{log}Logs"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": f"/streamscale/tiers/{log.lower()}", "RetentionInDays": 14}}
    props: dict[str, Any] = {
        "EngineVersion": engine_version,
        "ClusterConfig": {
            "InstanceType": instance_type,
            "InstanceCount": data_nodes,
            "DedicatedMasterEnabled": True,
            "DedicatedMasterType": "m6g.large.search",
            "DedicatedMasterCount": 3,
            "ZoneAwarenessEnabled": True,
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
        },
        "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": volume, "Iops": 3000, "Throughput": 125},
        "EncryptionAtRestOptions": {"Enabled": True},
        "NodeToNodeEncryptionOptions": {"Enabled": True},
        "DomainEndpointOptions": {"EnforceHTTPS": https, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        "VPCOptions": {"SubnetIds": [{"Ref": f"Subnet{n}"} for n in (1, 2, 3)], "SecurityGroupIds": [{"Ref": "SecurityGroup"}]},
        "LogPublishingOptions": {
            "SEARCH_SLOW_LOGS": {"CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["SlowLogs", "Arn"]}, "Enabled": True},
            "INDEX_SLOW_LOGS": {"CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["SlowLogs", "Arn"]}, "Enabled": True},
            "ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["ErrorLogs", "Arn"]}, "Enabled": True},
        },
        "Tags": [{"Key": "tier", "Value": "search"}],
    }
    if fgac:
        props["AdvancedSecurityOptions"] = {
            "Enabled": True,
            "InternalUserDatabaseEnabled": True,
            "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": "Sup3r-secret-pw!"},
        }
        props["LogPublishingOptions"]["AUDIT_LOGS"] = {"CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["AuditLogs", "Arn"]}, "Enabled": True}
    if domain_name:
        props["DomainName"] = domain_name
    r["Domain"] = {"Type": "AWS::OpenSearchService::Domain", "Properties": props}
    if version_upgrade:
        r["Domain"]["UpdatePolicy"] = {"EnableVersionUpgrade": True}
    return template(
        r,
        {
            "Arn": {"Fn::GetAtt": ["Domain", "Arn"]},
            "DomainArn": {"Fn::GetAtt": ["Domain", "DomainArn"]},
            "DomainEndpoint": {"Fn::GetAtt": ["Domain", "DomainEndpoint"]},
            "Id": {"Fn::GetAtt": ["Domain", "Id"]},
        },
    )


def test_opensearch_domain_create_read_update_delete(aws: Any) -> None:
    """AWS::OpenSearchService::Domain on moto's opensearch backend: created as
    declared (zone awareness over 3 AZs, dedicated masters, gp3, encryption at
    rest and node to node, HTTPS only with a TLS 1.2 policy, fine-grained
    access control, slow/error/audit logs, VPC); the node count and instance
    type update in place (a blue/green deployment on AWS, same domain and
    endpoint: "Update requires: No interruption"); EngineVersion replaces the
    domain unless the UpdatePolicy EnableVersionUpgrade is true.  The master
    password is never returned.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-opensearchservice-domain.html
    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-configuration-changes.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html
    """
    name = "tiers-search"
    create(aws, name, domain_template())
    ids = physical_ids(aws, name)
    out = outputs(aws, name)
    domain = aws.opensearch.describe_domain(DomainName=ids["Domain"])["DomainStatus"]
    assert out["Arn"] == out["DomainArn"] == domain["ARN"]
    assert out["DomainEndpoint"] == domain["Endpoints"]["vpc"]
    cc = domain["ClusterConfig"]
    assert (cc["InstanceType"], cc["InstanceCount"], cc["DedicatedMasterCount"], cc["ZoneAwarenessConfig"]["AvailabilityZoneCount"]) == ("r6g.large.search", 3, 3, 3)
    assert domain["EBSOptions"] == {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100, "Iops": 3000, "Throughput": 125}
    assert domain["EncryptionAtRestOptions"]["Enabled"] and domain["NodeToNodeEncryptionOptions"]["Enabled"]
    assert domain["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert domain["DomainEndpointOptions"]["TLSSecurityPolicy"] == "Policy-Min-TLS-1-2-PFS-2023-10"
    assert domain["AdvancedSecurityOptions"]["Enabled"] is True
    assert "Sup3r-secret-pw!" not in json.dumps(domain, default=str)
    assert set(domain["LogPublishingOptions"]) == {"SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS"}
    assert sorted(domain["VPCOptions"]["SubnetIds"]) == sorted(ids[f"Subnet{n}"] for n in (1, 2, 3))
    assert domain["EngineVersion"] == "OpenSearch_2.15"

    # node count and instance type: in place, same domain
    update(aws, name, domain_template(data_nodes=6, instance_type="r6g.xlarge.search", volume=200))
    assert physical_ids(aws, name)["Domain"] == ids["Domain"]
    config = aws.opensearch.describe_domain_config(DomainName=ids["Domain"])["DomainConfig"]
    assert config["ClusterConfig"]["Options"]["InstanceCount"] == 6
    assert config["ClusterConfig"]["Options"]["InstanceType"] == "r6g.xlarge.search"
    assert config["ClusterConfig"]["Options"]["DedicatedMasterCount"] == 3  # the whole ClusterConfig kept
    assert config["EBSOptions"]["Options"]["VolumeSize"] == 200

    # EngineVersion with EnableVersionUpgrade: in-place upgrade
    update(aws, name, domain_template(data_nodes=6, instance_type="r6g.xlarge.search", volume=200, engine_version="OpenSearch_2.17", version_upgrade=True))
    assert physical_ids(aws, name)["Domain"] == ids["Domain"]
    assert aws.opensearch.describe_domain(DomainName=ids["Domain"])["DomainStatus"]["EngineVersion"] == "OpenSearch_2.17"

    # EngineVersion without the policy: a new domain replaces the old one
    update(aws, name, domain_template(data_nodes=6, instance_type="r6g.xlarge.search", volume=200, engine_version="OpenSearch_2.19"))
    new_name = physical_ids(aws, name)["Domain"]
    assert new_name != ids["Domain"]
    names = [d["DomainName"] for d in aws.opensearch.list_domain_names()["DomainNames"]]
    assert new_name in names and ids["Domain"] not in names

    delete(aws, name)
    assert new_name not in [d["DomainName"] for d in aws.opensearch.list_domain_names()["DomainNames"]]


def test_opensearch_refuses_what_aws_refuses(aws: Any) -> None:
    """OpenSearch's own refusals: a data node count that is not a multiple of
    the zone count (update rolls back, the domain keeps 3 nodes); fine-grained
    access control without HTTPS (create rolls back); a custom-named domain
    that an update would replace.

    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-multiaz.html
    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/fgac.html#fgac-enabling
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html
    """
    name = "tiers-search-refusals"
    create(aws, name, domain_template(domain_name="streamscale-search"))
    update(aws, name, domain_template(domain_name="streamscale-search", data_nodes=4), expect="UPDATE_ROLLBACK_COMPLETE")
    assert any("multiple" in reason for reason in failure(aws, name))
    assert aws.opensearch.describe_domain(DomainName="streamscale-search")["DomainStatus"]["ClusterConfig"]["InstanceCount"] == 3
    update(aws, name, domain_template(domain_name="streamscale-search", engine_version="OpenSearch_2.17"), expect="UPDATE_ROLLBACK_COMPLETE")
    assert any("custom-named resource requires replacing" in reason for reason in failure(aws, name))
    delete(aws, name)

    aws.cloudformation.create_stack(StackName="tiers-search-nohttps", TemplateBody=domain_template(https=False))
    assert stack(aws, "tiers-search-nohttps")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("fine-grained" in reason for reason in failure(aws, "tiers-search-nohttps"))
