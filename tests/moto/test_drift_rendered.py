"""Drift detection right after a clean create of streamscale's rendered
templates must find nothing: every resource IN_SYNC and the stack IN_SYNC.

The templates and parameters are the committed insta snapshots
(tests/snapshots/render__*__{template,parameters}.json.snap), so no Rust build
is needed.  The stacks carry the stack-level tags streamscale applies
(streamscale:plan, streamscale:environment, streamscale:managed-by).

What AWS documents, and what these tests hold the harness to:

  * only properties explicitly set in the template are checked, never
    default values the service filled in
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html);
  * the aws:cloudformation:* tags and the stack-level tags CloudFormation
    propagates to resources are not template properties
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html),
    so they are no drift;
  * Tags is an unordered list (insertionOrder false in the resource
    schemas): order is no drift, an added / removed / changed tag is.

    .venv/bin/python -m pytest tests/moto/test_drift_rendered.py -q
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from test_moto_strict import launched

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
CASES = [
    ("demo", "eu-west-1"),
    ("staging", "us-east-1"),
    ("prod", "us-east-1"),
]


def snapshot_body(path: Path) -> str:
    """An insta snapshot without its header (everything up to the second '---')."""
    lines = path.read_text().splitlines(keepends=True)
    seen = 0
    for i, line in enumerate(lines):
        if line.rstrip("\n") == "---":
            seen += 1
            if seen == 2:
                return "".join(lines[i + 1 :])
    raise AssertionError(f"{path}: no insta header")


RENDERED_DIR = "STREAMSCALE_RENDERED_DIR"


def rendered(env: str, region: str) -> tuple[str, list[dict[str, str]]]:
    """The template and parameters of (env, region): the committed snapshots,
    or, with STREAMSCALE_RENDERED_DIR=DIR, a fresh `streamscale render -e ENV
    -o DIR/ENV` (DIR/ENV/ENV/aws/REGION/{template,parameters}.json)."""
    fresh = os.environ.get(RENDERED_DIR)
    if fresh:
        base = Path(fresh) / env / env / "aws" / region
        return (base / "template.json").read_text(), json.loads((base / "parameters.json").read_text())
    template = snapshot_body(SNAPSHOTS / f"render__{env}__aws__{region}__template.json.snap")
    params = json.loads(snapshot_body(SNAPSHOTS / f"render__{env}__aws__{region}__parameters.json.snap"))
    return template, params


def stack_tags(params: list[dict[str, str]]) -> list[dict[str, str]]:
    value = {p["ParameterKey"]: p["ParameterValue"] for p in params}
    return [
        {"Key": "streamscale:plan", "Value": value.get("PlanName", "plan")},
        {"Key": "streamscale:environment", "Value": value.get("EnvironmentName", "env")},
        {"Key": "streamscale:managed-by", "Value": "streamscale"},
    ]


ENVIRONMENTS = Path(__file__).resolve().parents[2] / "environments"


def plan_files() -> list[str]:
    """The launcher flags registering each example environment's AMIs and ACM
    certificates: the rendered templates name them (launch templates, HTTPS
    listeners), and a certificate or AMI nobody registered does not exist."""
    args: list[str] = []
    for env in sorted({e for e, _ in CASES}):
        plan = str(ENVIRONMENTS / f"{env}.toml")
        args += ["--amis-from-plans", plan, "--certificates-from-plans", plan]
    return args


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launched(tmp_path_factory.mktemp("drift-rendered"), *plan_files()) as clients:
        yield clients


def create(aws: Any, region: str, name: str, template: str, params: list[dict[str, str]]) -> Any:
    cf = aws.region(region, "cloudformation")
    cf.create_stack(StackName=name, TemplateBody=template, Parameters=params, Tags=stack_tags(params))
    cf.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return cf


def detect(cf: Any, name: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    detection = cf.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
    status = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    while status["DetectionStatus"] == "DETECTION_IN_PROGRESS":
        status = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    drifts = cf.describe_stack_resource_drifts(StackName=name)["StackResourceDrifts"]
    return status, {d["LogicalResourceId"]: d for d in drifts}


def differences(drifts: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (d["LogicalResourceId"], d["ResourceType"], p["PropertyPath"], p["DifferenceType"], p["ExpectedValue"], p["ActualValue"])
        for d in drifts.values()
        for p in d.get("PropertyDifferences") or []
    ]


@pytest.mark.parametrize("env,region", CASES, ids=[f"{e}-{r}" for e, r in CASES])
def test_clean_create_of_rendered_template_is_in_sync(aws: Any, env: str, region: str) -> None:
    template, params = rendered(env, region)
    name = f"rendered-{env}"
    cf = create(aws, region, name, template, params)
    status, drifts = detect(cf, name)
    assert differences(drifts) == []
    assert {d["StackResourceDriftStatus"] for d in drifts.values()} <= {"IN_SYNC", "NOT_CHECKED"}, {
        k: (d["StackResourceDriftStatus"], d.get("DriftStatusReason")) for k, d in drifts.items() if d["StackResourceDriftStatus"] != "IN_SYNC"
    }
    assert set(drifts) == set(json.loads(template)["Resources"])
    assert status["DetectionStatus"] == "DETECTION_COMPLETE", status
    assert status["StackDriftStatus"] == "IN_SYNC" and status["DriftedStackResourceCount"] == 0
    cf.delete_stack(StackName=name)


def test_hand_changes_to_tags_are_still_drift(aws: Any) -> None:
    """Only the propagated stack-level tags and the aws: tags are left out:
    a tag added, removed or changed by hand is drift (ADD / REMOVE /
    NOT_EQUAL, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_PropertyDifference.html),
    and so is a stack-level tag whose value was changed by hand.  The other
    hand changes (an alarm threshold, a security-group rule description) are
    found too."""
    region = "eu-west-1"
    template, params = rendered("demo", region)
    name = "rendered-hand"
    cf = create(aws, region, name, template, params)
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    ec2, cw, ec = aws.region(region, "ec2"), aws.region(region, "cloudwatch"), aws.region(region, "elasticache")

    ec2.create_tags(Resources=[ids["VPC"]], Tags=[{"Key": "owner", "Value": "someone"}])
    ec2.create_tags(Resources=[ids["PublicSubnet1"]], Tags=[{"Key": "Name", "Value": "renamed"}])
    ec2.create_tags(Resources=[ids["PublicRouteTable"]], Tags=[{"Key": "streamscale:managed-by", "Value": "by-hand"}])
    alarm_arn = cw.describe_alarms(AlarmNames=[ids["AlarmAsgAtMax"]])["MetricAlarms"][0]["AlarmArn"]
    cw.untag_resource(ResourceARN=alarm_arn, TagKeys=["streamscale:region"])
    group_arn = ec.describe_cache_subnet_groups(CacheSubnetGroupName=ids["CacheSubnetGroup"])["CacheSubnetGroups"][0]["ARN"]
    ec.remove_tags_from_resource(ResourceName=group_arn, TagKeys=["Name"])

    status, drifts = detect(cf, name)
    found = {(d[0], d[2], d[3]) for d in differences(drifts)}
    assert found == {
        ("VPC", "/Tags/4", "ADD"),
        ("PublicSubnet1", "/Tags/0/Value", "NOT_EQUAL"),
        ("PublicRouteTable", "/Tags/4", "ADD"),
        ("AlarmAsgAtMax", "/Tags/2", "REMOVE"),
        ("CacheSubnetGroup", "/Tags/0", "REMOVE"),
    }, sorted(found)
    renamed = next(p for p in drifts["PublicSubnet1"]["PropertyDifferences"] if p["PropertyPath"] == "/Tags/0/Value")
    assert (renamed["ExpectedValue"], renamed["ActualValue"]) == ("demo-demo-public-eu-west-1a", "renamed")
    assert status["StackDriftStatus"] == "DRIFTED" and status["DriftedStackResourceCount"] == 5
    cf.delete_stack(StackName=name)


def test_security_group_rule_description_is_kept_and_compared(aws: Any) -> None:
    """A rule whose source is a security group keeps its Description
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html);
    changing it by hand is drift, and revoking the rule by its group pair
    (without the description) still finds it."""
    region = "eu-west-1"
    template, params = rendered("demo", region)
    name = "rendered-rules"
    cf = create(aws, region, name, template, params)
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    ec2 = aws.region(region, "ec2")
    declared = json.loads(template)["Resources"]["InstanceSecurityGroup"]["Properties"]["SecurityGroupIngress"][0]
    perms = ec2.describe_security_groups(GroupIds=[ids["InstanceSecurityGroup"]])["SecurityGroups"][0]["IpPermissions"]
    pair = perms[0]["UserIdGroupPairs"][0]
    assert pair["GroupId"] == ids["LoadBalancerSecurityGroup"] and pair["Description"] == declared["Description"]

    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=ids["InstanceSecurityGroup"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": perms[0]["FromPort"], "ToPort": perms[0]["ToPort"],
                        "UserIdGroupPairs": [{"GroupId": pair["GroupId"], "Description": "changed by hand"}]}],
    )
    _, drifts = detect(cf, name)
    assert drifts["InstanceSecurityGroup"]["StackResourceDriftStatus"] == "MODIFIED"

    ec2.revoke_security_group_ingress(
        GroupId=ids["InstanceSecurityGroup"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": perms[0]["FromPort"], "ToPort": perms[0]["ToPort"],
                        "UserIdGroupPairs": [{"GroupId": pair["GroupId"]}]}],
    )
    assert ec2.describe_security_groups(GroupIds=[ids["InstanceSecurityGroup"]])["SecurityGroups"][0]["IpPermissions"] == []
    cf.delete_stack(StackName=name)


def test_values_the_template_does_not_set_are_not_compared() -> None:
    """"CloudFormation only determines drift for property values that are
    explicitly set ... This does not include default values for resource
    properties"
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html):
    properties, and keys of nested objects, that the template leaves out are
    not compared; a value the template does set still is."""
    from ext_drift import compare

    expected = {"Port": 80, "Matcher": {"HttpCode": "200"}}
    actual = {"Port": "80", "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 30, "Matcher": {"HttpCode": "200", "GrpcCode": "12"}}
    assert compare(expected, actual) == []
    assert [d["PropertyPath"] for d in compare(expected, dict(actual, Port=81))] == ["/Port"]


TIER_TYPES = {
    "AWS::DocDB::DBCluster", "AWS::DocDB::DBInstance", "AWS::DocDB::DBSubnetGroup", "AWS::DocDB::DBClusterParameterGroup",
    "AWS::DocDB::GlobalCluster", "AWS::OpenSearchService::Domain", "AWS::EKS::Cluster", "AWS::EKS::AccessEntry",
    "AWS::APS::Workspace", "AWS::APS::RuleGroupsNamespace", "AWS::KMS::Key", "AWS::IAM::Role", "AWS::IAM::InstanceProfile",
    "AWS::Logs::LogGroup", "AWS::Logs::ResourcePolicy",
}


@pytest.fixture()
def own_aws(tmp_path: Path) -> Iterator[Any]:
    """A harness of its own: the prod template names its global cluster and
    EKS cluster, and deletion protection keeps the clean-create test's."""
    with launched(tmp_path, *plan_files()) as clients:
        yield clients


def test_hand_change_of_each_tier_type_is_drift(own_aws: Any) -> None:
    """One property of each new tier type changed by hand, through the
    service's own API, is found (MODIFIED, on that property's path; the EKS
    access entry, which has nothing to change in place, deleted); the
    resources nobody touched stay IN_SYNC, and the detection completes (no
    type left unread)."""
    aws = own_aws
    region = "us-east-1"
    template, params = rendered("prod", region)
    by_type: dict[str, str] = {}
    for logical_id, resource in json.loads(template)["Resources"].items():
        by_type.setdefault(resource["Type"], logical_id)
    assert TIER_TYPES <= set(by_type), (
        f"the prod template has none of {sorted(TIER_TYPES - set(by_type))}: accept the render snapshots, "
        f"or set {RENDERED_DIR} to a fresh `streamscale render -e prod` output"
    )
    name = "rendered-tiers"
    cf = create(aws, region, name, template, params)
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    phys = {t: ids[by_type[t]] for t in TIER_TYPES}
    docdb, search, eks, amp = (aws.region(region, s) for s in ("docdb", "opensearch", "eks", "amp"))
    kms, iam, logs = (aws.region(region, s) for s in ("kms", "iam", "logs"))

    docdb.modify_db_cluster(DBClusterIdentifier=phys["AWS::DocDB::DBCluster"], BackupRetentionPeriod=1, ApplyImmediately=True)
    docdb.modify_db_instance(DBInstanceIdentifier=phys["AWS::DocDB::DBInstance"], DBInstanceClass="db.r6g.xlarge", ApplyImmediately=True)
    docdb.modify_db_subnet_group(
        DBSubnetGroupName=phys["AWS::DocDB::DBSubnetGroup"], DBSubnetGroupDescription="changed by hand",
        SubnetIds=[s["SubnetIdentifier"] for s in docdb.describe_db_subnet_groups(
            DBSubnetGroupName=phys["AWS::DocDB::DBSubnetGroup"])["DBSubnetGroups"][0]["Subnets"]],
    )
    docdb.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=phys["AWS::DocDB::DBClusterParameterGroup"],
        Parameters=[{"ParameterName": "tls", "ParameterValue": "disabled", "ApplyMethod": "pending-reboot"}],
    )
    docdb.modify_global_cluster(GlobalClusterIdentifier=phys["AWS::DocDB::GlobalCluster"], DeletionProtection=False)
    # the whole ClusterConfig / logging given (moto replaces rather than merges them)
    config = search.describe_domain(DomainName=phys["AWS::OpenSearchService::Domain"])["DomainStatus"]["ClusterConfig"]
    search.update_domain_config(DomainName=phys["AWS::OpenSearchService::Domain"], ClusterConfig=dict(config, InstanceCount=12))
    eks.update_cluster_config(
        name=phys["AWS::EKS::Cluster"],
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager"], "enabled": True},
                                    {"types": ["scheduler"], "enabled": False}]},
    )
    cluster_name, _, principal = phys["AWS::EKS::AccessEntry"].partition("|")
    # an EC2_LINUX entry has no property that changes in place (Type is
    # create-only, Username / KubernetesGroups are refused for it): deleted by hand
    eks.delete_access_entry(clusterName=cluster_name, principalArn=principal)
    workspace_id = phys["AWS::APS::Workspace"].rsplit("/", 1)[-1]
    amp.update_workspace_alias(workspaceId=workspace_id, alias="renamed-by-hand")
    amp.put_rule_groups_namespace(
        workspaceId=workspace_id, name=phys["AWS::APS::RuleGroupsNamespace"].rsplit("/", 1)[-1],
        data=b"groups:\n- name: by-hand\n  rules: []\n",
    )
    kms.disable_key_rotation(KeyId=phys["AWS::KMS::Key"])
    iam.update_role(RoleName=phys["AWS::IAM::Role"], Description="changed by hand")
    profile = iam.get_instance_profile(InstanceProfileName=phys["AWS::IAM::InstanceProfile"])["InstanceProfile"]
    iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=profile["Roles"][0]["RoleName"])
    logs.put_retention_policy(logGroupName=phys["AWS::Logs::LogGroup"], retentionInDays=7)
    policy = next(p for p in logs.describe_resource_policies()["resourcePolicies"] if p["policyName"] == phys["AWS::Logs::ResourcePolicy"])
    logs.put_resource_policy(policyName=policy["policyName"], policyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))

    status, drifts = detect(cf, name)
    found = {(d[1], d[2], d[3]) for d in differences(drifts) if d[0] == by_type.get(d[1])}
    assert found == {
        ("AWS::DocDB::DBCluster", "/BackupRetentionPeriod", "NOT_EQUAL"),
        ("AWS::DocDB::DBInstance", "/DBInstanceClass", "NOT_EQUAL"),
        ("AWS::DocDB::DBSubnetGroup", "/DBSubnetGroupDescription", "NOT_EQUAL"),
        ("AWS::DocDB::DBClusterParameterGroup", "/Parameters/tls", "NOT_EQUAL"),
        ("AWS::DocDB::GlobalCluster", "/DeletionProtection", "NOT_EQUAL"),
        ("AWS::OpenSearchService::Domain", "/ClusterConfig/InstanceCount", "NOT_EQUAL"),
        ("AWS::EKS::Cluster", "/Logging/ClusterLogging/EnabledTypes/4", "REMOVE"),
        ("AWS::APS::Workspace", "/Alias", "NOT_EQUAL"),
        ("AWS::APS::RuleGroupsNamespace", "/Data", "NOT_EQUAL"),
        ("AWS::KMS::Key", "/EnableKeyRotation", "NOT_EQUAL"),
        ("AWS::IAM::Role", "/Description", "NOT_EQUAL"),
        ("AWS::IAM::InstanceProfile", "/Roles/0", "REMOVE"),
        ("AWS::Logs::LogGroup", "/RetentionInDays", "NOT_EQUAL"),
        ("AWS::Logs::ResourcePolicy", "/PolicyDocument", "NOT_EQUAL"),
    }, sorted(found)
    changed = {by_type[t] for t in TIER_TYPES}
    untouched = {k: d["StackResourceDriftStatus"] for k, d in drifts.items() if k not in changed and d["StackResourceDriftStatus"] != "IN_SYNC"}
    deleted = by_type["AWS::EKS::AccessEntry"]
    assert drifts[deleted]["StackResourceDriftStatus"] == "DELETED"
    assert all(drifts[k]["StackResourceDriftStatus"] == "MODIFIED" for k in changed - {deleted})
    assert status["DetectionStatus"] == "DETECTION_COMPLETE", status
    assert status["StackDriftStatus"] == "DRIFTED"
    assert untouched == {}, untouched


def test_type_aws_does_not_check_is_not_checked(own_aws: Any) -> None:
    """A resource of a type without drift detection support is NOT_CHECKED
    ("Any resources that do not currently support drift detection have a
    status of NOT_CHECKED",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDriftInformation.html)
    and does not fail the run; the stack's other resources are checked."""
    cf = own_aws.region("eu-west-1", "cloudformation")
    template = {
        "Resources": {
            "Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
        }
    }
    cf.create_stack(StackName="not-checked", TemplateBody=json.dumps(template))
    cf.get_waiter("stack_create_complete").wait(StackName="not-checked", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    status, drifts = detect(cf, "not-checked")
    assert {k: d["StackResourceDriftStatus"] for k, d in drifts.items()} == {"Handle": "NOT_CHECKED", "Vpc": "IN_SYNC"}
    assert (status["DetectionStatus"], status["StackDriftStatus"]) == ("DETECTION_COMPLETE", "IN_SYNC")
