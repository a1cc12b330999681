"""A load balancer with deletion protection on is not deleted (ext_protection):
DeleteLoadBalancer answers OperationNotPermitted, and a stack delete ends
DELETE_FAILED with that reason, the load balancer still there; with the
attribute turned off, both succeed.

    .venv/bin/python -m pytest -q tests/moto/test_protection.py
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tiers_support import endpoint  # noqa: F401



# endpoint: the launcher (tiers_support.py)


def client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def template(protected: bool) -> str:
    return json.dumps(
        {
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.7.0.0/16"}},
                "SubnetA": {
                    "Type": "AWS::EC2::Subnet",
                    "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.7.1.0/24", "AvailabilityZone": "us-east-1a"},
                },
                "SubnetB": {
                    "Type": "AWS::EC2::Subnet",
                    "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.7.2.0/24", "AvailabilityZone": "us-east-1b"},
                },
                "LoadBalancer": {
                    "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                    "Properties": {
                        "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
                        "LoadBalancerAttributes": [
                            {"Key": "deletion_protection.enabled", "Value": "true" if protected else "false"}
                        ],
                    },
                },
            }
        }
    )


def test_delete_load_balancer_refused_while_protected(endpoint: str) -> None:
    ec2, elb = client(endpoint, "ec2"), client(endpoint, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.6.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
        for i, z in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    arn = elb.create_load_balancer(Name="protected", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    with pytest.raises(ClientError) as e:
        elb.delete_load_balancer(LoadBalancerArn=arn)
    assert e.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert "deletion protection is enabled" in e.value.response["Error"]["Message"]
    assert elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    elb.delete_load_balancer(LoadBalancerArn=arn)
    assert not elb.describe_load_balancers()["LoadBalancers"] or all(
        lb["LoadBalancerArn"] != arn for lb in elb.describe_load_balancers()["LoadBalancers"]
    )


def test_stack_delete_fails_with_the_reason_until_protection_is_off(endpoint: str) -> None:
    cfn, elb = client(endpoint, "cloudformation"), client(endpoint, "elbv2")
    cfn.create_stack(StackName="protected", TemplateBody=template(True))
    cfn.delete_stack(StackName="protected")
    stack = cfn.describe_stacks(StackName="protected")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED", stack
    reasons = [e.get("ResourceStatusReason", "") for e in cfn.describe_stack_events(StackName="protected")["StackEvents"]]
    assert any("deletion protection is enabled" in r for r in reasons), reasons
    lbs = [r for r in cfn.list_stack_resources(StackName="protected")["StackResourceSummaries"]
           if r["LogicalResourceId"] == "LoadBalancer"]
    assert lbs, "the load balancer is still in the stack"
    assert elb.describe_load_balancers(LoadBalancerArns=[lbs[0]["PhysicalResourceId"]])["LoadBalancers"]
    # Protection off through the stack, then the delete succeeds.
    cfn.update_stack(StackName="protected", TemplateBody=template(False))
    cfn.delete_stack(StackName="protected")
    gone = cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]
    assert gone["StackStatus"] == "DELETE_COMPLETE", gone
