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
