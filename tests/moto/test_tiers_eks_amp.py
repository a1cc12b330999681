"""Amazon EKS and Amazon Managed Service for Prometheus on the harness
(tests/moto/ext_eks.py, ext_amp.py), through CloudFormation and boto3.

    .venv/bin/python -m pytest -q tests/moto/test_tiers_eks_amp.py
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tiers_support import aws, create, delete, endpoint, failure, outputs, physical_ids, template, update, vpc_resources  # noqa: F401

NODE_ROLE = "arn:aws:iam::123456789012:role/streamscale-nodes"
KEY_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}


def eks_resources(version: str = "1.30", logs: tuple[str, ...] = ("api", "audit"), private: bool = True, cidrs: tuple[str, ...] = ("203.0.113.0/24",),
                  groups: tuple[str, ...] = (), mode: str = "API_AND_CONFIG_MAP") -> dict[str, Any]:
    r = vpc_resources("10.43.0.0/16")
    r["ClusterRole"] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]}}
    r["SecretsKey"] = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": KEY_POLICY}}
    r["Cluster"] = {"Type": "AWS::EKS::Cluster", "Properties": {
        "Version": version,
        "RoleArn": {"Fn::GetAtt": ["ClusterRole", "Arn"]},
        "ResourcesVpcConfig": {"SubnetIds": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}], "SecurityGroupIds": [{"Ref": "SecurityGroup"}],
                               "EndpointPrivateAccess": private, "EndpointPublicAccess": True, "PublicAccessCidrs": list(cidrs)},
        "EncryptionConfig": [{"Resources": ["secrets"], "Provider": {"KeyArn": {"Fn::GetAtt": ["SecretsKey", "Arn"]}}}],
        "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": t} for t in logs]}},
        "AccessConfig": {"AuthenticationMode": mode},
    }}
    entry: dict[str, Any] = {"ClusterName": {"Ref": "Cluster"}, "PrincipalArn": NODE_ROLE, "Type": "EC2_LINUX"}
    r["NodeAccessEntry"] = {"Type": "AWS::EKS::AccessEntry", "Properties": entry}
    r["AdminAccessEntry"] = {"Type": "AWS::EKS::AccessEntry", "Properties": {
        "ClusterName": {"Ref": "Cluster"}, "PrincipalArn": "arn:aws:iam::123456789012:role/ops", "KubernetesGroups": list(groups),
        "AccessPolicies": [{"PolicyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "AccessScope": {"Type": "cluster"}}]}}
    return r


def eks_body(**kwargs: Any) -> str:
    return template(eks_resources(**kwargs), {
        "Endpoint": {"Fn::GetAtt": ["Cluster", "Endpoint"]}, "Arn": {"Fn::GetAtt": ["Cluster", "Arn"]},
        "KeyArn": {"Fn::GetAtt": ["Cluster", "EncryptionConfigKeyArn"]}, "Oidc": {"Fn::GetAtt": ["Cluster", "OpenIdConnectIssuerUrl"]},
        "ClusterSecurityGroupId": {"Fn::GetAtt": ["Cluster", "ClusterSecurityGroupId"]},
        "NodeEntryArn": {"Fn::GetAtt": ["NodeAccessEntry", "AccessEntryArn"]},
    })


def test_eks_cluster_and_access_entries(aws: Any) -> None:
    """AWS::EKS::Cluster and AWS::EKS::AccessEntry on moto's EKS backend (access
    entries and accessConfig added to it).  In place, as the CloudFormation
    reference and the EKS API allow: Version one minor at a time, Logging,
    endpoint access and public CIDRs, AuthenticationMode towards API, an access
    entry's groups and policies; a version skipping a minor, or a downgrade,
    is refused (the stack rolls back).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-accessentry.html
    https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html
    https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
    """
    name = "tiers-eks"
    create(aws, name, eks_body())
    ids = physical_ids(aws, name)
    out = outputs(aws, name)
    cluster = aws.eks.describe_cluster(name=ids["Cluster"])["cluster"]
    assert cluster["version"] == "1.30" and out["Endpoint"] == cluster["endpoint"] and out["Arn"] == cluster["arn"]
    assert cluster["encryptionConfig"][0]["provider"]["keyArn"] == out["KeyArn"] and out["KeyArn"].startswith("arn:aws:kms:")
    vpc = cluster["resourcesVpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is True and vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert vpc["clusterSecurityGroupId"] == out["ClusterSecurityGroupId"]
    enabled = [lg["types"] for lg in cluster["logging"]["clusterLogging"] if lg["enabled"]]
    assert enabled == [["api", "audit"]]
    assert cluster["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
    assert ids["NodeAccessEntry"] == f"{ids['Cluster']}|{NODE_ROLE}"
    assert sorted(aws.eks.list_access_entries(clusterName=ids["Cluster"])["accessEntries"]) == sorted([NODE_ROLE, "arn:aws:iam::123456789012:role/ops"])
    entry = aws.eks.describe_access_entry(clusterName=ids["Cluster"], principalArn=NODE_ROLE)["accessEntry"]
    assert entry["type"] == "EC2_LINUX" and entry["accessEntryArn"] == out["NodeEntryArn"]
    policies = aws.eks.list_associated_access_policies(clusterName=ids["Cluster"], principalArn="arn:aws:iam::123456789012:role/ops")["associatedAccessPolicies"]
    assert [p["policyArn"] for p in policies] == ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"]

    update(aws, name, eks_body(version="1.31", logs=("api", "audit", "authenticator"), private=True, cidrs=("198.51.100.0/24",), groups=("viewers",), mode="API"))
    assert physical_ids(aws, name)["Cluster"] == ids["Cluster"]
    cluster = aws.eks.describe_cluster(name=ids["Cluster"])["cluster"]
    assert cluster["version"] == "1.31" and cluster["resourcesVpcConfig"]["publicAccessCidrs"] == ["198.51.100.0/24"]
    assert [lg["types"] for lg in cluster["logging"]["clusterLogging"] if lg["enabled"]] == [["api", "audit", "authenticator"]]
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    ops = aws.eks.describe_access_entry(clusterName=ids["Cluster"], principalArn="arn:aws:iam::123456789012:role/ops")["accessEntry"]
    assert ops["kubernetesGroups"] == ["viewers"]

    update(aws, name, eks_body(version="1.33", mode="API"), expect="UPDATE_ROLLBACK_COMPLETE")
    assert any("minor version" in reason for reason in failure(aws, name))
    assert aws.eks.describe_cluster(name=ids["Cluster"])["cluster"]["version"] == "1.31"

    delete(aws, name)
    assert ids["Cluster"] not in aws.eks.list_clusters()["clusters"]


def test_eks_access_entries_need_the_api_authentication_mode(aws: Any) -> None:
    """EKS refuses access entries on a cluster whose authentication mode is
    CONFIG_MAP (the API's and CloudFormation's default).

    https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html
    """
    aws.cloudformation.create_stack(StackName="tiers-eks-configmap", TemplateBody=eks_body(mode="CONFIG_MAP"), Capabilities=["CAPABILITY_IAM"])
    assert aws.cloudformation.describe_stacks(StackName="tiers-eks-configmap")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("authentication mode" in reason for reason in failure(aws, "tiers-eks-configmap"))


RULES = """groups:
  - name: slo
    rules:
      - record: job:errors:ratio_rate5m
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
      - alert: ErrorBudgetFastBurn
        expr: job:errors:ratio_rate5m > (14.4 * 0.0001)
        for: 2m
        labels: {severity: page}
"""


def amp_body(rules: str = RULES, alias: str = "streamscale-eu-west-1", namespace: str = "streamscale") -> str:
    return template({
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/streamscale/amp"}},
        "Workspace": {"Type": "AWS::APS::Workspace", "Properties": {"Alias": alias, "LoggingConfiguration": {"LogGroupArn": {"Fn::GetAtt": ["LogGroup", "Arn"]}},
                                                                    "Tags": [{"Key": "tier", "Value": "monitoring"}]}},
        "Rules": {"Type": "AWS::APS::RuleGroupsNamespace", "Properties": {"Name": namespace, "Workspace": {"Ref": "Workspace"}, "Data": rules}},
    }, {
        "WorkspaceArn": {"Ref": "Workspace"}, "WorkspaceId": {"Fn::GetAtt": ["Workspace", "WorkspaceId"]},
        "Endpoint": {"Fn::GetAtt": ["Workspace", "PrometheusEndpoint"]}, "RulesArn": {"Fn::GetAtt": ["Rules", "Arn"]},
    })


def test_amp_workspace_and_rules(aws: Any) -> None:
    """AWS::APS::Workspace (Ref = ARN) and AWS::APS::RuleGroupsNamespace on
    moto's amp backend: the rules file is readable through
    DescribeRuleGroupsNamespace; Data and the workspace Alias update in place;
    a new namespace Name replaces the namespace; an invalid rules file is
    refused (the update rolls back, the old rules stay).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-aps-workspace.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-aps-rulegroupsnamespace.html
    https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-rules-upload.html
    """
    name = "tiers-amp"
    create(aws, name, amp_body())
    out = outputs(aws, name)
    ws = aws.amp.describe_workspace(workspaceId=out["WorkspaceId"])["workspace"]
    assert ws["arn"] == out["WorkspaceArn"] == physical_ids(aws, name)["Workspace"]
    assert ws["alias"] == "streamscale-eu-west-1" and ws["prometheusEndpoint"] == out["Endpoint"]
    assert "/streamscale/amp" in aws.amp.describe_logging_configuration(workspaceId=out["WorkspaceId"])["loggingConfiguration"]["logGroupArn"]
    ns = aws.amp.describe_rule_groups_namespace(workspaceId=out["WorkspaceId"], name="streamscale")["ruleGroupsNamespace"]
    assert ns["data"] == RULES.encode() and ns["arn"] == out["RulesArn"]

    changed = RULES.replace("14.4", "6")
    update(aws, name, amp_body(rules=changed, alias="renamed"))
    assert physical_ids(aws, name)["Workspace"] == out["WorkspaceArn"]
    assert aws.amp.describe_workspace(workspaceId=out["WorkspaceId"])["workspace"]["alias"] == "renamed"
    assert aws.amp.describe_rule_groups_namespace(workspaceId=out["WorkspaceId"], name="streamscale")["ruleGroupsNamespace"]["data"] == changed.encode()

    update(aws, name, amp_body(rules=changed, alias="renamed", namespace="streamscale-v2"))
    names = [n["name"] for n in aws.amp.list_rule_groups_namespaces(workspaceId=out["WorkspaceId"])["ruleGroupsNamespaces"]]
    assert names == ["streamscale-v2"]

    update(aws, name, amp_body(rules="groups: [{rules: [{expr: up}]}]", alias="renamed", namespace="streamscale-v2"), expect="UPDATE_ROLLBACK_COMPLETE")
    assert aws.amp.describe_rule_groups_namespace(workspaceId=out["WorkspaceId"], name="streamscale-v2")["ruleGroupsNamespace"]["data"] == changed.encode()

    delete(aws, name)
    with pytest.raises(ClientError):
        aws.amp.describe_workspace(workspaceId=out["WorkspaceId"])


def test_eks_update_cluster_config_merges_one_kind_of_update(aws: Any) -> None:
    """UpdateClusterConfig as EKS does it: the endpoint fields given change and
    the VPC config keeps the rest (subnets, cluster security group); logging
    changes the types named and keeps the others; two kinds of update in one
    call, both endpoints off, or a CIDR that is not one are refused; the
    answer is an update.

    https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html
    https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
    """
    name = "tiers-eks-update-config"
    create(aws, name, eks_body(logs=("api", "audit", "scheduler")))
    cluster_name = physical_ids(aws, name)["Cluster"]
    before = aws.eks.describe_cluster(name=cluster_name)["cluster"]["resourcesVpcConfig"]

    out = aws.eks.update_cluster_config(name=cluster_name, resourcesVpcConfig={"publicAccessCidrs": ["0.0.0.0/0"]})
    assert out["update"]["type"] == "EndpointAccessUpdate" and out["update"]["status"] == "Successful"
    vpc = aws.eks.describe_cluster(name=cluster_name)["cluster"]["resourcesVpcConfig"]
    assert vpc["publicAccessCidrs"] == ["0.0.0.0/0"]
    for key in ("subnetIds", "securityGroupIds", "clusterSecurityGroupId", "vpcId", "endpointPublicAccess", "endpointPrivateAccess"):
        assert vpc[key] == before[key], key

    out = aws.eks.update_cluster_config(name=cluster_name, logging={"clusterLogging": [{"types": ["audit"], "enabled": False}]})
    assert out["update"]["type"] == "LoggingUpdate"
    logging = aws.eks.describe_cluster(name=cluster_name)["cluster"]["logging"]["clusterLogging"]
    assert [lg["types"] for lg in logging if lg["enabled"]] == [["api", "scheduler"]]

    for kwargs, message in (
        ({"resourcesVpcConfig": {"endpointPrivateAccess": True}, "logging": {"clusterLogging": [{"types": ["api"], "enabled": True}]}}, "Only one type of update"),
        ({"resourcesVpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": False}}, "at least one of public or private"),
        ({"resourcesVpcConfig": {"publicAccessCidrs": ["203.0.113.0/33"]}}, "CIDRs are invalid"),
        ({"logging": {"clusterLogging": [{"types": ["kubelet"], "enabled": True}]}}, "Invalid log type"),
    ):
        with pytest.raises(ClientError) as err:
            aws.eks.update_cluster_config(name=cluster_name, **kwargs)
        assert err.value.response["Error"]["Code"] == "InvalidParameterException" and message in str(err.value), kwargs
    assert aws.eks.describe_cluster(name=cluster_name)["cluster"]["resourcesVpcConfig"]["publicAccessCidrs"] == ["0.0.0.0/0"]
    delete(aws, name)


def test_amp_api_checks_rules_and_describes_the_key(aws: Any) -> None:
    """PutRuleGroupsNamespace and CreateRuleGroupsNamespace refuse what is not
    a rules file, as AMP does, and keep the old rules; DescribeWorkspace gives
    the workspace's kmsKeyArn.

    https://docs.aws.amazon.com/prometheus/latest/APIReference/API_PutRuleGroupsNamespace.html
    https://docs.aws.amazon.com/prometheus/latest/APIReference/API_WorkspaceDescription.html
    https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-rules-upload.html
    """
    name = "tiers-amp-api"
    create(aws, name, amp_body(namespace="api-checks"))
    workspace_id = outputs(aws, name)["WorkspaceId"]
    for bad in (b"not: [rules", b"groups:\n- rules: []\n", b"groups:\n- name: g\n  rules:\n  - alert: A\n"):
        with pytest.raises(ClientError) as err:
            aws.amp.put_rule_groups_namespace(workspaceId=workspace_id, name="api-checks", data=bad)
        assert err.value.response["Error"]["Code"] == "ValidationException", bad
        with pytest.raises(ClientError):
            aws.amp.create_rule_groups_namespace(workspaceId=workspace_id, name="other", data=bad)
    ns = aws.amp.describe_rule_groups_namespace(workspaceId=workspace_id, name="api-checks")["ruleGroupsNamespace"]
    assert ns["data"] == RULES.encode()
    aws.amp.put_rule_groups_namespace(workspaceId=workspace_id, name="api-checks", data=b"groups:\n- name: by-hand\n  rules: []\n")
    assert aws.amp.describe_rule_groups_namespace(workspaceId=workspace_id, name="api-checks")["ruleGroupsNamespace"]["data"].startswith(b"groups:")
    delete(aws, name)

    key = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"
    create(aws, "tiers-amp-key", template({"Workspace": {"Type": "AWS::APS::Workspace", "Properties": {"Alias": "keyed", "KmsKeyArn": key}}},
                                          {"WorkspaceId": {"Fn::GetAtt": ["Workspace", "WorkspaceId"]}}))
    ws = aws.amp.describe_workspace(workspaceId=outputs(aws, "tiers-amp-key")["WorkspaceId"])["workspace"]
    assert ws["kmsKeyArn"] == key
    delete(aws, "tiers-amp-key")


def test_eks_update_cluster_version_one_minor_up(aws: Any) -> None:
    """UpdateClusterVersion: the next minor version only; the same version, a
    skip or a downgrade is refused, and the cluster keeps its version.

    https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterVersion.html
    https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html
    """
    name = "tiers-eks-version"
    create(aws, name, eks_body(version="1.30"))
    cluster_name = physical_ids(aws, name)["Cluster"]
    for version, message in (("1.30", "already at the desired"), ("1.32", "minor version update"), ("1.29", "minor version update")):
        with pytest.raises(ClientError) as err:
            aws.eks.update_cluster_version(name=cluster_name, version=version)
        assert err.value.response["Error"]["Code"] == "InvalidParameterException" and message in str(err.value), version
    assert aws.eks.describe_cluster(name=cluster_name)["cluster"]["version"] == "1.30"
    out = aws.eks.update_cluster_version(name=cluster_name, version="1.31")
    assert out["update"]["type"] == "VersionUpdate" and out["update"]["status"] == "Successful"
    assert aws.eks.describe_cluster(name=cluster_name)["cluster"]["version"] == "1.31"
    delete(aws, name)
