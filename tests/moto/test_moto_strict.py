"""boto3 tests of the harness behaviours that copy AWS's strictness (issue 9):
drift detection, update policies, security-group rule diffs, loud failures,
replica counts, scheduled-action start times, test AMIs, and the opt-in
switches (throttling, asynchronous CloudFormation, drift not implemented).

Each test's docstring names the AWS behaviour it copies, with its page.

    .venv/bin/python -m pytest tests/moto -q
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tiers_support import launch

REGION = "eu-west-1"


@contextlib.contextmanager
def launched(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Any]:
    """The launcher with ``args`` (tiers_support.launch), and its clients."""
    with launch(tmp, *args, env=env) as url:

        class Clients:
            endpoint = url

            def __getattr__(self, service: str) -> Any:
                client = boto3.client(service, region_name=REGION, endpoint_url=url, aws_access_key_id="testing",
                                      aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
                setattr(self, service, client)
                return client

            def region(self, region: str, service: str) -> Any:
                return boto3.client(service, region_name=region, endpoint_url=url, aws_access_key_id="testing",
                                    aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))

        yield Clients()


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launched(tmp_path_factory.mktemp("strict"), "--ami", "us-east-1=ami-0aaaaaaaaaaaaaaa1,ami-0ddddddddddddddd4:deprecated") as clients:
        yield clients


def ids_of(aws: Any, stack: str) -> dict[str, str]:
    res = aws.cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in res}


def group(aws: Any, name: str) -> dict[str, Any]:
    return aws.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def future(days: int = 400) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def compute(cidr: str, min_size: int = 2, max_size: int = 10, ingress: list[dict[str, Any]] | None = None,
            policy: bool = True, prewarm: bool = True) -> dict[str, Any]:
    """A small stack shaped like streamscale's compute tier."""
    r: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr, "EnableDnsSupport": True, "EnableDnsHostnames": True,
                                                         "Tags": [{"Key": "Name", "Value": "t"}]}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr.replace("0.0/16", "1.0/24"), "AvailabilityZone": "eu-west-1a"}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "instances", "VpcId": {"Ref": "Vpc"},
               "SecurityGroupIngress": ingress if ingress is not None else [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.0.0/8", "Description": "app"}]}},
        "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro",
               "SecurityGroupIds": [{"Ref": "Sg"}], "MetadataOptions": {"HttpTokens": "required"}}}},
        "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MinSize": str(min_size), "MaxSize": str(max_size),
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}, "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}},
                "VPCZoneIdentifier": [{"Ref": "Subnet"}], "Tags": [{"Key": "Name", "Value": "t", "PropagateAtLaunch": False}]}},
    }
    if policy:
        r["Asg"]["UpdatePolicy"] = {"AutoScalingScheduledAction": {"IgnoreUnmodifiedGroupSizeProperties": True}}
    if prewarm:
        r["Prewarm"] = {"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {"AutoScalingGroupName": {"Ref": "Asg"}, "StartTime": future(), "MinSize": 6}}
    return {"Resources": r}


def drift(aws: Any, stack: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    cf = aws.cloudformation
    detection = cf.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    first = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    assert first["DetectionStatus"] == "DETECTION_IN_PROGRESS"
    status = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    drifts = cf.describe_stack_resource_drifts(StackName=stack)["StackResourceDrifts"]
    return status, {d["LogicalResourceId"]: d for d in drifts}


# --------------------------------------------------------------------------
# 1. drift detection
# --------------------------------------------------------------------------


def test_drift_detection_compares_template_properties_with_live_state(aws: Any) -> None:
    """CloudFormation drift detection, as AWS documents it
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDrift.html,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_PropertyDifference.html):
    asynchronous (DETECTION_IN_PROGRESS, then DETECTION_COMPLETE); only the
    properties the template sets are checked; MODIFIED resources carry
    PropertyDifferences (PropertyPath /MaxSize, ExpectedValue, ActualValue,
    DifferenceType NOT_EQUAL / ADD / REMOVE); a deleted resource is DELETED;
    the stack is DRIFTED, or IN_SYNC when nothing differs."""
    cf = aws.cloudformation
    cf.create_stack(StackName="drift", TemplateBody=json.dumps(compute("10.70.0.0/16")))
    status, drifts = drift(aws, "drift")
    assert status["DetectionStatus"] == "DETECTION_COMPLETE", status
    assert status["StackDriftStatus"] == "IN_SYNC" and status["DriftedStackResourceCount"] == 0, [(d["LogicalResourceId"], d["PropertyDifferences"]) for d in drifts.values() if d["PropertyDifferences"]]
    assert {d["StackResourceDriftStatus"] for d in drifts.values()} == {"IN_SYNC"}
    assert cf.describe_stacks(StackName="drift")["Stacks"][0]["DriftInformation"]["StackDriftStatus"] == "IN_SYNC"

    ids = ids_of(aws, "drift")
    aws.autoscaling.update_auto_scaling_group(AutoScalingGroupName=ids["Asg"], MaxSize=7, DesiredCapacity=3)  # DesiredCapacity: not in the template
    aws.ec2.authorize_security_group_ingress(GroupId=ids["Sg"], IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    aws.ec2.revoke_security_group_ingress(GroupId=ids["Sg"], IpPermissions=[{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    aws.autoscaling.delete_scheduled_action(AutoScalingGroupName=ids["Asg"], ScheduledActionName=ids["Prewarm"])

    status, drifts = drift(aws, "drift")
    assert status["StackDriftStatus"] == "DRIFTED" and status["DriftedStackResourceCount"] == 3
    asg = drifts["Asg"]
    assert asg["StackResourceDriftStatus"] == "MODIFIED"
    assert [(d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"]) for d in asg["PropertyDifferences"]] == [
        ("/MaxSize", "10", "7", "NOT_EQUAL")
    ]
    assert json.loads(asg["ExpectedProperties"])["MaxSize"] == "10" and json.loads(asg["ActualProperties"])["MaxSize"] == 7
    sg = {(d["DifferenceType"], d["PropertyPath"]): d for d in drifts["Sg"]["PropertyDifferences"]}
    assert set(sg) == {("REMOVE", "/SecurityGroupIngress/0"), ("ADD", "/SecurityGroupIngress/0")}
    assert json.loads(sg[("ADD", "/SecurityGroupIngress/0")]["ActualValue"])["FromPort"] == 22
    assert json.loads(sg[("REMOVE", "/SecurityGroupIngress/0")]["ExpectedValue"])["FromPort"] == 8080
    assert drifts["Prewarm"]["StackResourceDriftStatus"] == "DELETED"
    only = cf.describe_stack_resource_drifts(StackName="drift", StackResourceDriftStatusFilters=["DELETED"])["StackResourceDrifts"]
    assert [d["LogicalResourceId"] for d in only] == ["Prewarm"]
    one = cf.detect_stack_resource_drift(StackName="drift", LogicalResourceId="Asg")["StackResourceDrift"]
    assert one["StackResourceDriftStatus"] == "MODIFIED"
    cf.delete_stack(StackName="drift")


def test_drift_of_a_type_the_harness_cannot_read_is_not_in_sync(aws: Any) -> None:
    """A resource whose drift could not be checked is UNKNOWN with a
    DriftStatusReason and the detection DETECTION_FAILED (AWS: "The stack
    drift detection operation has failed for at least one resource in the
    stack"), never silently IN_SYNC
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackDriftDetectionStatus.html)."""
    body = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "drift-unknown"}}}}
    aws.cloudformation.create_stack(StackName="drift-unknown", TemplateBody=json.dumps(body))
    status, drifts = drift(aws, "drift-unknown")
    assert status["DetectionStatus"] == "DETECTION_FAILED"
    assert "Topic" in status["DetectionStatusReason"]
    assert drifts["Topic"]["StackResourceDriftStatus"] == "UNKNOWN" and drifts["Topic"]["DriftStatusReason"]
    aws.cloudformation.delete_stack(StackName="drift-unknown")


def test_drift_refused_on_a_stack_that_is_not_stable(aws: Any) -> None:
    """DetectStackDrift needs a stack in a *_COMPLETE (or UPDATE_ROLLBACK_FAILED)
    state (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html)."""
    body = {"Resources": {"Lb": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/none/1", "Port": 80, "Protocol": "HTTP", "DefaultActions": []}}}}
    aws.cloudformation.create_stack(StackName="drift-rolled-back", TemplateBody=json.dumps(body))
    assert aws.cloudformation.describe_stacks(StackName="drift-rolled-back")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    with pytest.raises(ClientError, match="ROLLBACK_COMPLETE"):
        aws.cloudformation.detect_stack_drift(StackName="drift-rolled-back")
    aws.cloudformation.delete_stack(StackName="drift-rolled-back")


def test_drift_not_implemented_switch(tmp_path: Path) -> None:
    """STREAMSCALE_MOTO_DRIFT=not-implemented / --drift-not-implemented: the
    answer of an endpoint that does not implement the API (HTTP 501,
    NotImplemented), for the degraded path."""
    with launched(tmp_path, "--drift-not-implemented") as aws:
        aws.cloudformation.create_stack(StackName="s", TemplateBody=json.dumps({"Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}}}}))
        with pytest.raises(ClientError) as err:
            aws.cloudformation.detect_stack_drift(StackName="s")
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
        assert err.value.response["Error"]["Code"] == "NotImplemented"


# --------------------------------------------------------------------------
# 2. ASG size properties and the AutoScalingScheduledAction update policy
# --------------------------------------------------------------------------


def test_asg_update_applies_only_modified_size_properties(aws: Any) -> None:
    """UpdatePolicy AutoScalingScheduledAction
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html):
    with IgnoreUnmodifiedGroupSizeProperties true CloudFormation does not
    change MinSize, MaxSize or DesiredCapacity "unless you have modified these
    values in your template"; without it, it "always sets the group size
    property values ... to the values that are defined in the ... template"."""
    cf = aws.cloudformation
    cf.create_stack(StackName="sizes", TemplateBody=json.dumps(compute("10.71.0.0/16")))
    name = ids_of(aws, "sizes")["Asg"]
    aws.autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=4, MaxSize=8)  # by hand
    # MaxSize changes in the template: only MaxSize is applied; the hand-set MinSize stays
    cf.update_stack(StackName="sizes", TemplateBody=json.dumps(compute("10.71.0.0/16", max_size=12)))
    assert cf.describe_stacks(StackName="sizes")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert (group(aws, name)["MinSize"], group(aws, name)["MaxSize"]) == (4, 12)
    # the drift repair: change both values in the template, then both are applied
    cf.update_stack(StackName="sizes", TemplateBody=json.dumps(compute("10.71.0.0/16", min_size=3, max_size=11)))
    assert (group(aws, name)["MinSize"], group(aws, name)["MaxSize"]) == (3, 11)
    # without the policy every size property is set from the template
    aws.autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=5)
    cf.update_stack(StackName="sizes", TemplateBody=json.dumps(compute("10.71.0.0/16", min_size=3, max_size=11, policy=False)))
    assert (group(aws, name)["MinSize"], group(aws, name)["MaxSize"]) == (3, 11)
    cf.delete_stack(StackName="sizes")


# --------------------------------------------------------------------------
# 3. security group rules
# --------------------------------------------------------------------------


def test_security_group_update_changes_only_the_rules_that_differ(aws: Any) -> None:
    """AWS::EC2::SecurityGroup update
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html):
    CloudFormation adds the rules the new template declares and the old did
    not, removes the ones the old declared and the new does not, and never
    sees a rule opened by hand (it stays open: only RevokeSecurityGroupIngress
    closes it)."""
    cf = aws.cloudformation
    app = {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.0.0/8", "Description": "app"}
    metrics = {"IpProtocol": "tcp", "FromPort": 9100, "ToPort": 9100, "CidrIp": "10.0.0.0/8"}
    cf.create_stack(StackName="sg", TemplateBody=json.dumps(compute("10.72.0.0/16", ingress=[app])))
    sg = ids_of(aws, "sg")["Sg"]
    aws.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    def ports() -> set[int]:
        perms = aws.ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
        return {p["FromPort"] for p in perms}

    cf.update_stack(StackName="sg", TemplateBody=json.dumps(compute("10.72.0.0/16", ingress=[app, metrics])))
    assert ports() == {22, 8080, 9100}
    cf.update_stack(StackName="sg", TemplateBody=json.dumps(compute("10.72.0.0/16", ingress=[metrics])))
    assert ports() == {22, 9100}, "the hand-opened port 22 is not CloudFormation's to revoke"
    assert ids_of(aws, "sg")["Sg"] == sg
    cf.delete_stack(StackName="sg")


# --------------------------------------------------------------------------
# 4. updates moto cannot perform fail loudly; UseOnlineResharding
# --------------------------------------------------------------------------


def test_network_change_moto_cannot_make_fails_the_update(aws: Any) -> None:
    """A change AWS performs (here a VPC CidrBlock: replacement, per
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpc.html)
    but moto cannot is an UPDATE_FAILED with the reason and a rollback
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html),
    never an UPDATE_COMPLETE that did nothing.  Tags-only changes still
    succeed."""
    cf = aws.cloudformation
    body = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.73.0.0/16"}},
                          "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {}}}}
    cf.create_stack(StackName="net", TemplateBody=json.dumps(body))
    vpc = ids_of(aws, "net")["Vpc"]
    changed = copy.deepcopy(body)
    changed["Resources"]["Vpc"]["Properties"]["CidrBlock"] = "10.74.0.0/16"
    cf.update_stack(StackName="net", TemplateBody=json.dumps(changed))
    assert cf.describe_stacks(StackName="net")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    failed = [e for e in cf.describe_stack_events(StackName="net")["StackEvents"] if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Vpc"] and "CidrBlock" in failed[0]["ResourceStatusReason"]
    assert aws.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlock"] == "10.73.0.0/16"
    tagged = copy.deepcopy(body)
    tagged["Resources"]["Igw"]["Properties"]["Tags"] = [{"Key": "team", "Value": "live"}]
    cf.update_stack(StackName="net", TemplateBody=json.dumps(tagged))
    assert cf.describe_stacks(StackName="net")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    igw = aws.ec2.describe_internet_gateways(InternetGatewayIds=[ids_of(aws, "net")["Igw"]])["InternetGateways"][0]
    assert {"Key": "team", "Value": "live"} in igw["Tags"]
    cf.delete_stack(StackName="net")


def test_shard_count_changes_in_place_only_with_online_resharding(aws: Any) -> None:
    """UpdatePolicy UseOnlineResharding
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-useonlineresharding):
    with it NumNodeGroups changes in place; without it CloudFormation replaces
    the replication group, which a custom-named group cannot be (the update
    fails)."""
    cf = aws.cloudformation

    def body(shards: int, online: bool, name: str | None = None) -> dict[str, Any]:
        rg: dict[str, Any] = {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
            "ReplicationGroupDescription": "c", "Engine": "redis", "CacheNodeType": "cache.r7g.large", "ClusterMode": "enabled",
            "NumNodeGroups": shards, "ReplicasPerNodeGroup": 1, "AutomaticFailoverEnabled": True}}
        if name:
            rg["Properties"]["ReplicationGroupId"] = name
        if online:
            rg["UpdatePolicy"] = {"UseOnlineResharding": True}
        return {"Resources": {"Cache": rg}}

    cf.create_stack(StackName="shards", TemplateBody=json.dumps(body(2, online=True)))
    first = ids_of(aws, "shards")["Cache"]
    cf.update_stack(StackName="shards", TemplateBody=json.dumps(body(3, online=True)))
    assert ids_of(aws, "shards")["Cache"] == first
    assert len(aws.elasticache.describe_replication_groups(ReplicationGroupId=first)["ReplicationGroups"][0]["NodeGroups"]) == 3
    cf.update_stack(StackName="shards", TemplateBody=json.dumps(body(4, online=False)))
    replaced = ids_of(aws, "shards")["Cache"]
    assert replaced != first, "without UseOnlineResharding the group is replaced"
    cf.delete_stack(StackName="shards")

    cf.create_stack(StackName="shards-named", TemplateBody=json.dumps(body(2, online=False, name="named-cache")))
    cf.update_stack(StackName="shards-named", TemplateBody=json.dumps(body(3, online=False, name="named-cache")))
    assert cf.describe_stacks(StackName="shards-named")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    cf.delete_stack(StackName="shards-named")


# --------------------------------------------------------------------------
# 5. DecreaseReplicaCount / IncreaseReplicaCount
# --------------------------------------------------------------------------


def test_replica_count_can_be_decreased_and_increased(aws: Any) -> None:
    """DecreaseReplicaCount / IncreaseReplicaCount
    (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DecreaseReplicaCount.html,
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_IncreaseReplicaCount.html):
    NewReplicaCount is per node group; ApplyImmediately must be true; the
    count must go down (resp. up)."""
    ec = aws.elasticache
    ec.create_replication_group(ReplicationGroupId="replicas", ReplicationGroupDescription="r", Engine="redis",
                                CacheNodeType="cache.r7g.large", NumCacheClusters=3, AutomaticFailoverEnabled=True)

    def members() -> int:
        return len(ec.describe_replication_groups(ReplicationGroupId="replicas")["ReplicationGroups"][0]["NodeGroups"][0]["NodeGroupMembers"])

    assert members() == 3
    out = ec.decrease_replica_count(ReplicationGroupId="replicas", NewReplicaCount=1, ApplyImmediately=True)
    assert len(out["ReplicationGroup"]["NodeGroups"][0]["NodeGroupMembers"]) == 2
    assert members() == 2
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        ec.decrease_replica_count(ReplicationGroupId="replicas", NewReplicaCount=1, ApplyImmediately=True)
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        ec.decrease_replica_count(ReplicationGroupId="replicas", NewReplicaCount=0, ApplyImmediately=False)
    ec.increase_replica_count(ReplicationGroupId="replicas", NewReplicaCount=2, ApplyImmediately=True)
    assert members() == 3
    ec.delete_replication_group(ReplicationGroupId="replicas")


# --------------------------------------------------------------------------
# 8. scheduled actions in the past
# --------------------------------------------------------------------------


def test_scheduled_action_in_the_past_is_refused(aws: Any) -> None:
    """PutScheduledUpdateGroupAction StartTime
    (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html):
    "If you try to schedule your action in the past, Amazon EC2 Auto Scaling
    returns an error message" (ValidationError "Given start time is in the
    past"); through CloudFormation the resource fails and the stack rolls back."""
    cf = aws.cloudformation
    cf.create_stack(StackName="past", TemplateBody=json.dumps(compute("10.75.0.0/16", prewarm=False)))
    name = ids_of(aws, "past")["Asg"]
    with pytest.raises(ClientError, match="Given start time is in the past"):
        aws.autoscaling.put_scheduled_update_group_action(AutoScalingGroupName=name, ScheduledActionName="late",
                                                          StartTime=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), MinSize=3)
    aws.autoscaling.put_scheduled_update_group_action(AutoScalingGroupName=name, ScheduledActionName="soon",
                                                      StartTime=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1), MinSize=3)
    body = compute("10.75.0.0/16", prewarm=False)
    body["Resources"]["Late"] = {"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {"AutoScalingGroupName": {"Ref": "Asg"}, "StartTime": "2020-01-01T00:00:00Z", "MinSize": 3}}
    cf.update_stack(StackName="past", TemplateBody=json.dumps(body))
    assert cf.describe_stacks(StackName="past")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [e.get("ResourceStatusReason", "") for e in cf.describe_stack_events(StackName="past")["StackEvents"] if e["LogicalResourceId"] == "Late"]
    assert any("Given start time is in the past" in r for r in reasons), reasons
    cf.delete_stack(StackName="past")


# --------------------------------------------------------------------------
# 9. test AMIs
# --------------------------------------------------------------------------


def test_registered_amis_are_found_in_their_region(aws: Any) -> None:
    """DescribeImages finds the AMIs registered with --ami in their region
    only; a deprecated AMI is returned when asked for by id (with its
    DeprecationTime) and left out of listings
    (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html)."""
    east = aws.region("us-east-1", "ec2")
    west = aws.region("eu-west-1", "ec2")
    assert east.describe_images(ImageIds=["ami-0aaaaaaaaaaaaaaa1"])["Images"][0]["ImageId"] == "ami-0aaaaaaaaaaaaaaa1"
    with pytest.raises(ClientError, match="InvalidAMIID"):
        west.describe_images(ImageIds=["ami-0aaaaaaaaaaaaaaa1"])
    image = west.describe_images(ImageIds=["ami-0ddddddddddddddd4"])["Images"][0]
    assert image["DeprecationTime"].startswith("2024-01-01")
    listed = {i["ImageId"] for i in west.describe_images(Owners=["137112412989"])["Images"]}
    assert "ami-0ddddddddddddddd4" not in listed
    listed = {i["ImageId"] for i in west.describe_images(Owners=["137112412989"], IncludeDeprecated=True)["Images"]}
    assert "ami-0ddddddddddddddd4" in listed


def test_amis_from_plans(tmp_path: Path) -> None:
    """--amis-from-plans registers each region's AMI of the plans in that region."""
    plan = tmp_path / "prod.toml"
    plan.write_text('name = "x"\n[defaults]\nami = "ami-0123456789abcdef0"\n[regions.us-east-1]\nshare = 1\nami = "ami-0aaaaaaaaaaaaaaa1"\n')
    with launched(tmp_path, "--amis-from-plans", str(plan)) as aws:
        east = aws.region("us-east-1", "ec2")
        assert {i["ImageId"] for i in east.describe_images(ImageIds=["ami-0aaaaaaaaaaaaaaa1", "ami-0123456789abcdef0"])["Images"]} == {
            "ami-0aaaaaaaaaaaaaaa1", "ami-0123456789abcdef0"}
        with pytest.raises(ClientError, match="InvalidAMIID"):
            aws.region("eu-west-1", "ec2").describe_images(ImageIds=["ami-0aaaaaaaaaaaaaaa1"])


# --------------------------------------------------------------------------
# 6. throttling, 7. asynchronous CloudFormation
# --------------------------------------------------------------------------


def test_throttling_switch(tmp_path: Path) -> None:
    """STREAMSCALE_MOTO_THROTTLE / --throttle: a fraction of calls get the
    service's throttling error in AWS's shape (CloudFormation: HTTP 400
    Throttling "Rate exceeded",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html;
    EC2: HTTP 503 RequestLimitExceeded,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
    the same seed gives the same sequence."""

    def run() -> list[str]:
        with launched(tmp_path, "--throttle", "0.5", "--throttle-seed", "7") as aws:
            answers = []
            for _ in range(20):
                try:
                    aws.cloudformation.list_stacks()
                    answers.append("ok")
                except ClientError as err:
                    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                    assert (err.response["Error"]["Code"], err.response["Error"]["Message"]) == ("Throttling", "Rate exceeded")
                    answers.append("throttled")
            ec2 = []
            for _ in range(10):
                try:
                    aws.ec2.describe_vpcs()
                except ClientError as err:
                    ec2.append((err.response["ResponseMetadata"]["HTTPStatusCode"], err.response["Error"]["Code"]))
            assert ec2 and set(ec2) == {(503, "RequestLimitExceeded")}
            return answers

    first = run()
    assert "ok" in first and "throttled" in first
    assert run() == first


def test_async_cloudformation_switch(tmp_path: Path) -> None:
    """STREAMSCALE_MOTO_CFN_ASYNC / --cfn-async N: stack operations return
    while the stack is *_IN_PROGRESS and complete after N DescribeStacks polls,
    with per-resource events, as CloudFormation does
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-resource-configuration-complete.html);
    an update of a stack in progress is refused ("... is in
    UPDATE_IN_PROGRESS state and can not be updated.")."""
    with launched(tmp_path, "--cfn-async", "3") as aws:
        cf = aws.cloudformation
        body = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.76.0.0/16"}},
                              "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.76.1.0/24"}}}}
        cf.create_stack(StackName="slow", TemplateBody=json.dumps(body))
        seen = [cf.describe_stacks(StackName="slow")["Stacks"][0]["StackStatus"] for _ in range(4)]
        assert seen == ["CREATE_IN_PROGRESS"] * 3 + ["CREATE_COMPLETE"], seen
        events = cf.describe_stack_events(StackName="slow")["StackEvents"]
        assert {(e["LogicalResourceId"], e["ResourceStatus"]) for e in events} >= {
            ("Vpc", "CREATE_IN_PROGRESS"), ("Vpc", "CREATE_COMPLETE"), ("Subnet", "CREATE_COMPLETE"), ("slow", "CREATE_COMPLETE")}

        changed = copy.deepcopy(body)
        changed["Resources"]["Vpc"]["Properties"]["Tags"] = [{"Key": "k", "Value": "v"}]
        cf.update_stack(StackName="slow", TemplateBody=json.dumps(changed))
        assert cf.describe_stacks(StackName="slow")["Stacks"][0]["StackStatus"] == "UPDATE_IN_PROGRESS"
        with pytest.raises(ClientError, match="UPDATE_IN_PROGRESS state and can not be updated"):
            cf.update_stack(StackName="slow", TemplateBody=json.dumps(body))
        for _ in range(3):
            status = cf.describe_stacks(StackName="slow")["Stacks"][0]["StackStatus"]
        assert status == "UPDATE_COMPLETE"
        assert ("Vpc", "UPDATE_COMPLETE") in {(e["LogicalResourceId"], e["ResourceStatus"]) for e in cf.describe_stack_events(StackName="slow")["StackEvents"]}

        cf.delete_stack(StackName="slow")
        assert cf.describe_stacks(StackName="slow")["Stacks"][0]["StackStatus"] == "DELETE_IN_PROGRESS"
        seen = []
        for _ in range(5):
            try:
                seen.append(cf.describe_stacks(StackName="slow")["Stacks"][0]["StackStatus"])
            except ClientError as err:
                assert "does not exist" in str(err)
                seen.append("gone")
        assert seen == ["DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS", "gone", "gone", "gone"], seen  # by name, a deleted stack does not exist
