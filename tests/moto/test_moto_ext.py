"""Tests for tests/moto/moto_ext.py through the real launcher (moto server mode).

    .venv/bin/python -m pytest tests/moto -q

Starts streamscale_moto.py on a free port, then drives it with boto3 the way
streamscale drives it with the AWS SDK for Rust.
"""

from __future__ import annotations

import copy
import json
import urllib.request
from typing import Any

import pytest

from tiers_support import aws, endpoint  # noqa: F401

REGION = "eu-west-1"
STACK = "streamscale-test"


# --------------------------------------------------------------------------
# the template (shaped like streamscale's rendered per-region stack)
# --------------------------------------------------------------------------


def template(max_size: int = 10, cpu_alarm_threshold: int = 80, cert_arn: str | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {
        "VPC": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.20.0.0/16", "EnableDnsSupport": True, "EnableDnsHostnames": True, "Tags": [{"Key": "Name", "Value": "t-vpc"}]}},
        "InternetGateway": {"Type": "AWS::EC2::InternetGateway", "Properties": {"Tags": [{"Key": "Name", "Value": "t-igw"}]}},
        "InternetGatewayAttachment": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "VPC"}, "InternetGatewayId": {"Ref": "InternetGateway"}}},
        "PublicRouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "VPC"}}},
        "PublicDefaultRoute": {"Type": "AWS::EC2::Route", "DependsOn": "InternetGatewayAttachment", "Properties": {"RouteTableId": {"Ref": "PublicRouteTable"}, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "InternetGateway"}}},
        "LoadBalancerSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "lb", "VpcId": {"Ref": "VPC"},
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]}},
        "LoadBalancerHttpsIngress": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "LoadBalancerSecurityGroup"}, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"}},
        "InstanceSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "instances", "VpcId": {"Ref": "VPC"},
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "SourceSecurityGroupId": {"Ref": "LoadBalancerSecurityGroup"}}]}},
        "CacheSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "cache", "VpcId": {"Ref": "VPC"}}},
        "LaunchTemplate": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
            "ImageId": {"Ref": "Ami"}, "InstanceType": "c7i.xlarge", "SecurityGroupIds": [{"Ref": "InstanceSecurityGroup"}],
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 2},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}]}}},
        "LoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Type": "application", "Scheme": "internet-facing", "IpAddressType": "ipv4",
            "Subnets": [{"Ref": "PublicSubnet1"}, {"Ref": "PublicSubnet2"}], "SecurityGroups": [{"Ref": "LoadBalancerSecurityGroup"}],
            "LoadBalancerAttributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "60"}]}},
        "TargetGroup": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Ref": "VPC"}, "Protocol": "HTTP", "Port": 8080, "TargetType": "instance",
            "HealthCheckEnabled": True, "HealthCheckPath": "/healthz", "HealthCheckIntervalSeconds": 15, "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 3,
            "Matcher": {"HttpCode": "200"}, "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]}},
        "HttpListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "LoadBalancer"}, "Protocol": "HTTP", "Port": 80,
            "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]}},
        "HttpsListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "LoadBalancer"}, "Protocol": "HTTPS", "Port": 443,
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "Certificates": [{"CertificateArn": cert_arn}],
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}]}},
        "AutoScalingGroup": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "2", "MaxSize": str(max_size),
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "LaunchTemplate"}, "Version": {"Fn::GetAtt": ["LaunchTemplate", "LatestVersionNumber"]}},
            "VPCZoneIdentifier": [{"Ref": "PrivateSubnet1"}, {"Ref": "PrivateSubnet2"}], "TargetGroupARNs": [{"Ref": "TargetGroup"}],
            "HealthCheckType": "ELB", "HealthCheckGracePeriod": 300,
            "MetricsCollection": [{"Granularity": "1Minute", "Metrics": ["GroupInServiceInstances", "GroupMaxSize"]}],
            "Tags": [{"Key": "Name", "Value": "t", "PropagateAtLaunch": False}]}},
        "PrewarmFinal": {"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {"AutoScalingGroupName": {"Ref": "AutoScalingGroup"}, "StartTime": "2030-12-18T18:15:00Z", "MinSize": 8}},
        "ReleaseFinal": {"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {"AutoScalingGroupName": {"Ref": "AutoScalingGroup"}, "StartTime": "2030-12-18T23:00:00Z", "MinSize": 2}},
        "CpuTargetTracking": {"Type": "AWS::AutoScaling::ScalingPolicy", "Properties": {"AutoScalingGroupName": {"Ref": "AutoScalingGroup"}, "PolicyType": "TargetTrackingScaling",
            "EstimatedInstanceWarmup": 180,
            "TargetTrackingConfiguration": {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 65}}},
        "CacheSubnetGroup": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "cache subnets", "SubnetIds": [{"Ref": "PrivateSubnet1"}, {"Ref": "PrivateSubnet2"}]}},
        "CacheReplicationGroup": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
            "ReplicationGroupDescription": "sessions", "Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": "cache.r7g.large",
            "CacheParameterGroupName": "default.redis7.cluster.on", "ClusterMode": "enabled", "NumNodeGroups": 2, "ReplicasPerNodeGroup": 1,
            "AutomaticFailoverEnabled": True, "MultiAZEnabled": True, "AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": True, "Port": 6379,
            "CacheSubnetGroupName": {"Ref": "CacheSubnetGroup"}, "SecurityGroupIds": [{"Ref": "CacheSecurityGroup"}], "SnapshotRetentionLimit": 1}},
        "AlarmCpuHigh": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmDescription": "cpu", "Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "AutoScalingGroupName", "Value": {"Ref": "AutoScalingGroup"}}], "Statistic": "Average", "Period": 60,
            "EvaluationPeriods": 5, "DatapointsToAlarm": 3, "Threshold": cpu_alarm_threshold, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}},
        "Alarm5xxRate": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmDescription": "5xx", "EvaluationPeriods": 5, "Threshold": 2,
            "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching", "Metrics": [
                {"Id": "errors", "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
                    "Dimensions": [{"Name": "LoadBalancer", "Value": {"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]}}]}, "Period": 60, "Stat": "Sum"}},
                {"Id": "rate", "Label": "5xx percent", "ReturnData": True, "Expression": "100 * errors"}]}},
        "AlarmUnhealthyHosts": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Namespace": "AWS/ApplicationELB", "MetricName": "UnHealthyHostCount",
            "Dimensions": [{"Name": "LoadBalancer", "Value": {"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]}},
                           {"Name": "TargetGroup", "Value": {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]}}],
            "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 3, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold"}},
    }
    for n, az in ((1, "eu-west-1a"), (2, "eu-west-1b")):
        r[f"PublicSubnet{n}"] = {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "VPC"}, "AvailabilityZone": az, "CidrBlock": f"10.20.{n}.0/24"}}
        r[f"PrivateSubnet{n}"] = {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "VPC"}, "AvailabilityZone": az, "CidrBlock": f"10.20.{10 + n}.0/24"}}
        r[f"PublicSubnet{n}RouteTableAssociation"] = {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": f"PublicSubnet{n}"}, "RouteTableId": {"Ref": "PublicRouteTable"}}}
        r[f"NatEIP{n}"] = {"Type": "AWS::EC2::EIP", "DependsOn": "InternetGatewayAttachment", "Properties": {"Domain": "vpc"}}
        r[f"NatGateway{n}"] = {"Type": "AWS::EC2::NatGateway", "Properties": {"AllocationId": {"Fn::GetAtt": [f"NatEIP{n}", "AllocationId"]}, "SubnetId": {"Ref": f"PublicSubnet{n}"}}}
        r[f"PrivateRouteTable{n}"] = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "VPC"}}}
        r[f"PrivateDefaultRoute{n}"] = {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": f"PrivateRouteTable{n}"}, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": f"NatGateway{n}"}}}
        r[f"PrivateSubnet{n}RouteTableAssociation"] = {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": f"PrivateSubnet{n}"}, "RouteTableId": {"Ref": f"PrivateRouteTable{n}"}}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"test stack, MaxSize {max_size}",
        "Parameters": {"Ami": {"Type": "String", "Default": "ami-0bbbbbbbbbbbbbbb2"}},
        "Resources": r,
        "Outputs": {
            "LoadBalancerDNSName": {"Value": {"Fn::GetAtt": ["LoadBalancer", "DNSName"]}},
            "AutoScalingGroupName": {"Value": {"Ref": "AutoScalingGroup"}},
            "MaxSize": {"Value": str(max_size)},
            "CacheEndpoint": {"Value": {"Fn::GetAtt": ["CacheReplicationGroup", "ConfigurationEndPoint.Address"]}},
            "CachePort": {"Value": {"Fn::GetAtt": ["CacheReplicationGroup", "ConfigurationEndPoint.Port"]}},
            "FirstAz": {"Value": {"Fn::GetAtt": ["PrivateSubnet1", "AvailabilityZone"]}},
            "ScalingPolicyArn": {"Value": {"Ref": "CpuTargetTracking"}},
        },
    }


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def outputs(aws: Any, stack: str = STACK) -> dict[str, str]:
    desc = aws.cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}


def physical_ids(aws: Any, stack: str = STACK) -> dict[str, str]:
    res = aws.cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in res}


def change_set(aws: Any, name: str, body: dict[str, Any], parameters: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    cf = aws.cloudformation
    cs = cf.create_change_set(StackName=STACK, ChangeSetName=name, TemplateBody=json.dumps(body), ChangeSetType="UPDATE", Parameters=parameters or [])
    desc = cf.describe_change_set(ChangeSetName=cs["Id"], StackName=STACK)
    assert desc["Status"] == "CREATE_COMPLETE", desc
    cf.execute_change_set(ChangeSetName=cs["Id"], StackName=STACK)
    assert cf.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    return [c["ResourceChange"] for c in desc["Changes"]]


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------


def test_moto_api_answers(endpoint: str) -> None:
    with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=10) as resp:
        assert resp.status == 200


def test_stack_lifecycle(aws: Any) -> None:
    cf = aws.cloudformation
    cert = aws.acm.request_certificate(DomainName="live.example.com")["CertificateArn"]
    body = template(cert_arn=cert)

    # ---------------------------------------------------------------- create
    cf.create_stack(StackName=STACK, TemplateBody=json.dumps(body))
    stack = cf.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "LastUpdatedTime" not in stack
    ids = physical_ids(aws)
    for logical in body["Resources"]:
        assert ids.get(logical), f"{logical} has no physical id"
    out = outputs(aws)

    # subnets in the explicit AZs
    subnets = {s["SubnetId"]: s["AvailabilityZone"] for s in aws.ec2.describe_subnets(SubnetIds=[ids["PrivateSubnet1"], ids["PrivateSubnet2"]])["Subnets"]}
    assert sorted(subnets.values()) == ["eu-west-1a", "eu-west-1b"]
    assert out["FirstAz"] == "eu-west-1a"

    # launch template: IMDSv2 required, encrypted root volume
    lt = aws.ec2.describe_launch_template_versions(LaunchTemplateId=ids["LaunchTemplate"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert lt["MetadataOptions"]["HttpTokens"] == "required"
    assert lt["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert lt["ImageId"] == "ami-0bbbbbbbbbbbbbbb2"

    # route tables: associations are visible, routes point at the IGW / NAT gateways
    rts = {rt["RouteTableId"]: rt for rt in aws.ec2.describe_route_tables(RouteTableIds=[ids["PublicRouteTable"], ids["PrivateRouteTable1"]])["RouteTables"]}
    assert {a["SubnetId"] for a in rts[ids["PublicRouteTable"]]["Associations"]} == {ids["PublicSubnet1"], ids["PublicSubnet2"]}
    assert any(r.get("NatGatewayId") == ids["NatGateway1"] for r in rts[ids["PrivateRouteTable1"]]["Routes"])
    assert ids["PublicSubnet1RouteTableAssociation"].startswith("rtbassoc-")

    # security group ingress resource with an IPv6 range
    sg = aws.ec2.describe_security_groups(GroupIds=[ids["LoadBalancerSecurityGroup"]])["SecurityGroups"][0]
    assert any(p.get("FromPort") == 443 and p["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}] for p in sg["IpPermissions"])

    # load balancer, target group, listeners
    lb = aws.elbv2.describe_load_balancers(LoadBalancerArns=[ids["LoadBalancer"]])["LoadBalancers"][0]
    assert lb["DNSName"] == out["LoadBalancerDNSName"]
    lb_attrs = {a["Key"]: a["Value"] for a in aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
    assert lb_attrs["idle_timeout.timeout_seconds"] == "60"
    tg_attrs = {a["Key"]: a["Value"] for a in aws.elbv2.describe_target_group_attributes(TargetGroupArn=ids["TargetGroup"])["Attributes"]}
    assert tg_attrs["deregistration_delay.timeout_seconds"] == "30"
    listeners = {l["Port"]: l for l in aws.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"
    assert listeners[443]["DefaultActions"][0]["TargetGroupArn"] == ids["TargetGroup"]

    # auto-scaling group, target tracking policy, scheduled actions
    asg_name = ids["AutoScalingGroup"]
    assert out["AutoScalingGroupName"] == asg_name
    group = aws.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"][0]
    assert (group["MinSize"], group["MaxSize"]) == (2, 10)
    assert group["TargetGroupARNs"] == [ids["TargetGroup"]]
    assert {m["Metric"] for m in group["EnabledMetrics"]} == {"GroupInServiceInstances", "GroupMaxSize"}
    policies = aws.autoscaling.describe_policies(AutoScalingGroupName=asg_name)["ScalingPolicies"]
    assert len(policies) == 1
    assert policies[0]["PolicyType"] == "TargetTrackingScaling"
    assert policies[0]["TargetTrackingConfiguration"]["TargetValue"] == 65.0
    assert policies[0]["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    assert policies[0]["PolicyARN"] == out["ScalingPolicyArn"] == ids["CpuTargetTracking"]
    actions = {a["ScheduledActionName"]: a for a in aws.autoscaling.describe_scheduled_actions(AutoScalingGroupName=asg_name)["ScheduledUpdateGroupActions"]}
    assert set(actions) == {ids["PrewarmFinal"], ids["ReleaseFinal"]}
    assert actions[ids["PrewarmFinal"]]["MinSize"] == 8

    # ElastiCache: subnet group and an encrypted, Multi-AZ, 2-shard cluster
    csg = aws.elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=ids["CacheSubnetGroup"])["CacheSubnetGroups"][0]
    assert {s["SubnetIdentifier"] for s in csg["Subnets"]} == {ids["PrivateSubnet1"], ids["PrivateSubnet2"]}
    assert {s["SubnetAvailabilityZone"]["Name"] for s in csg["Subnets"]} == {"eu-west-1a", "eu-west-1b"}
    rg = aws.elasticache.describe_replication_groups(ReplicationGroupId=ids["CacheReplicationGroup"])["ReplicationGroups"][0]
    assert rg["CacheNodeType"] == "cache.r7g.large"
    assert rg["ClusterEnabled"] is True
    assert len(rg["NodeGroups"]) == 2
    assert all(len(ng["NodeGroupMembers"]) == 2 for ng in rg["NodeGroups"])
    assert rg["AtRestEncryptionEnabled"] is True and rg["TransitEncryptionEnabled"] is True
    assert rg["MultiAZ"] == "enabled" and rg["AutomaticFailover"] == "enabled"
    assert {m["PreferredAvailabilityZone"] for ng in rg["NodeGroups"] for m in ng["NodeGroupMembers"]} == {"eu-west-1a", "eu-west-1b"}
    assert rg["ConfigurationEndpoint"]["Address"] == out["CacheEndpoint"]
    assert ".euw1.cache.amazonaws.com" in out["CacheEndpoint"]
    assert out["CachePort"] == "6379"

    # CloudWatch alarms
    alarms = {a["AlarmName"]: a for a in aws.cloudwatch.describe_alarms(AlarmNames=[ids["AlarmCpuHigh"], ids["Alarm5xxRate"], ids["AlarmUnhealthyHosts"]])["MetricAlarms"]}
    assert alarms[ids["AlarmCpuHigh"]]["Threshold"] == 80.0
    assert alarms[ids["AlarmCpuHigh"]]["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": asg_name}]
    lb_full_name = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    dims = {d["Name"]: d["Value"] for d in alarms[ids["AlarmUnhealthyHosts"]]["Dimensions"]}
    assert dims == {"LoadBalancer": lb_full_name, "TargetGroup": ids["TargetGroup"].split(":")[-1]}
    assert [m["Id"] for m in alarms[ids["Alarm5xxRate"]]["Metrics"]] == ["errors", "rate"]

    # ---------------------------------------------------------------- update (change set)
    launch_template_version = group["LaunchTemplate"]["Version"]
    changes = change_set(aws, "grow", template(max_size=20, cpu_alarm_threshold=90, cert_arn=cert))
    by_id = {c["LogicalResourceId"]: c for c in changes}
    assert set(by_id) == {"AutoScalingGroup", "AlarmCpuHigh"}, by_id.keys()
    assert by_id["AutoScalingGroup"]["Action"] == "Modify"
    assert by_id["AutoScalingGroup"]["Replacement"] == "False"
    assert by_id["AutoScalingGroup"]["PhysicalResourceId"] == asg_name
    assert [d["Target"]["Name"] for d in by_id["AutoScalingGroup"]["Details"]] == ["MaxSize"]

    stack = cf.describe_stacks(StackName=STACK)["Stacks"][0]
    assert "LastUpdatedTime" in stack
    assert stack["Description"] == "test stack, MaxSize 20"
    ids_after = physical_ids(aws)
    assert ids_after["AutoScalingGroup"] == asg_name, "the ASG was replaced"
    group = aws.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"][0]
    assert (group["MinSize"], group["MaxSize"]) == (2, 20)
    assert group["LaunchTemplate"]["Version"] == launch_template_version
    out = outputs(aws)
    assert out["MaxSize"] == "20" and out["AutoScalingGroupName"] == asg_name
    alarm = aws.cloudwatch.describe_alarms(AlarmNames=[ids["AlarmCpuHigh"]])["MetricAlarms"][0]
    assert alarm["Threshold"] == 90.0
    assert len(aws.autoscaling.describe_policies(AutoScalingGroupName=asg_name)["ScalingPolicies"]) == 1
    assert len(aws.autoscaling.describe_scheduled_actions(AutoScalingGroupName=asg_name)["ScheduledUpdateGroupActions"]) == 2
    assert ids_after == ids

    # ---------------------------------------------------------------- new AMI: a parameter-only change set
    changes = change_set(aws, "new-ami", template(max_size=20, cpu_alarm_threshold=90, cert_arn=cert),
                         parameters=[{"ParameterKey": "Ami", "ParameterValue": "ami-0ccccccccccccccc3"}])
    by_id = {c["LogicalResourceId"]: c for c in changes}
    assert by_id["LaunchTemplate"]["Details"][0]["ChangeSource"] == "ParameterReference"
    assert by_id["AutoScalingGroup"]["Details"][0]["Evaluation"] == "Dynamic"
    group = aws.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"][0]
    assert group["LaunchTemplate"]["Version"] == str(int(launch_template_version) + 1)
    versions = aws.ec2.describe_launch_template_versions(LaunchTemplateId=ids["LaunchTemplate"], Versions=["$Latest"])["LaunchTemplateVersions"]
    assert versions[0]["LaunchTemplateData"]["ImageId"] == "ami-0ccccccccccccccc3"
    assert physical_ids(aws) == ids

    # ---------------------------------------------------------------- delete
    cf.delete_stack(StackName=STACK)
    assert not [s for s in cf.list_stacks()["StackSummaries"] if s["StackName"] == STACK and s["StackStatus"] != "DELETE_COMPLETE"]
    assert aws.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"] == []
    assert aws.autoscaling.describe_policies(AutoScalingGroupName=asg_name)["ScalingPolicies"] == []
    assert aws.autoscaling.describe_scheduled_actions(AutoScalingGroupName=asg_name)["ScheduledUpdateGroupActions"] == []
    assert aws.cloudwatch.describe_alarms(AlarmNames=list(alarms))["MetricAlarms"] == []
    assert aws.elasticache.describe_replication_groups()["ReplicationGroups"] == []
    assert aws.elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"] == []
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert aws.elbv2.describe_target_groups()["TargetGroups"] == []
    assert aws.ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert aws.ec2.describe_addresses()["Addresses"] == []
    assert {n["State"] for n in aws.ec2.describe_nat_gateways()["NatGateways"]} <= {"deleted"}
    assert aws.ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [ids["VPC"]]}])["Vpcs"] == []
    assert aws.ec2.describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": [ids["InternetGateway"]]}])["InternetGateways"] == []


def test_get_azs_resolves_the_stack_region(aws: Any) -> None:
    body = {
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.30.0.0/16"}},
                      "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.30.0.0/24",
                                 "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}}}},
        "Outputs": {"Empty": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": ""}]}},
                    "Ref": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}},
                    "SubnetAz": {"Value": {"Fn::GetAtt": ["Subnet", "AvailabilityZone"]}}},
    }
    aws.cloudformation.create_stack(StackName="azs", TemplateBody=json.dumps(body))
    out = outputs(aws, "azs")
    azs = sorted(z["ZoneName"] for z in aws.ec2.describe_availability_zones()["AvailabilityZones"])
    assert out["Empty"].split(",") == azs
    assert out["Ref"].split(",") == azs
    assert out["SubnetAz"] == "eu-west-1b"
    aws.cloudformation.delete_stack(StackName="azs")


def test_create_change_set_gives_outputs(aws: Any) -> None:
    body = {
        "Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "d", "SubnetIds": []}},
                      "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Namespace": "N", "MetricName": "M", "Statistic": "Sum", "Period": 60,
                                "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"}}},
        "Outputs": {"GroupName": {"Value": {"Ref": "Group"}, "Export": {"Name": "cs-group"}}, "AlarmArn": {"Value": {"Fn::GetAtt": ["Alarm", "Arn"]}}},
    }
    cf = aws.cloudformation
    cs = cf.create_change_set(StackName="cs", ChangeSetName="create", TemplateBody=json.dumps(body), ChangeSetType="CREATE")
    changes = cf.describe_change_set(ChangeSetName=cs["Id"])["Changes"]
    assert sorted(c["ResourceChange"]["LogicalResourceId"] for c in changes) == ["Alarm", "Group"]
    assert {c["ResourceChange"]["Action"] for c in changes} == {"Add"}
    cf.execute_change_set(ChangeSetName=cs["Id"])
    out = outputs(aws, "cs")
    assert out["GroupName"].startswith("cs-group-")
    assert out["AlarmArn"].startswith("arn:aws:cloudwatch:eu-west-1:")
    assert [e["Name"] for e in cf.list_exports()["Exports"]] == ["cs-group"]
    cf.delete_stack(StackName="cs")
    assert cf.list_exports()["Exports"] == []


def test_create_change_set_of_a_taken_name_is_refused(aws: Any) -> None:
    body = {"Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "d", "SubnetIds": []}}}}
    cf = aws.cloudformation
    cf.create_stack(StackName="taken", TemplateBody=json.dumps(body))
    changed = dict(body, Outputs={"G": {"Value": {"Ref": "Group"}}})
    first = cf.create_change_set(StackName="taken", ChangeSetName="same", TemplateBody=json.dumps(changed), ChangeSetType="UPDATE")
    with pytest.raises(cf.exceptions.ClientError) as err:
        cf.create_change_set(StackName="taken", ChangeSetName="same", TemplateBody=json.dumps(changed), ChangeSetType="UPDATE")
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"
    # deleted by name, the name is free again
    cf.delete_change_set(StackName="taken", ChangeSetName="same")
    second = cf.create_change_set(StackName="taken", ChangeSetName="same", TemplateBody=json.dumps(changed), ChangeSetType="UPDATE")
    assert second["Id"] != first["Id"]
    cf.delete_stack(StackName="taken")


def test_executing_a_change_set_removes_the_stacks_other_change_sets(aws: Any) -> None:
    """AWS: "After you execute a change, CloudFormation removes all change sets
    that are associated with the stack because they aren't applicable to the
    updated stack."
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-execute.html"""
    body = {"Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "d", "SubnetIds": []}}}}
    cf = aws.cloudformation
    cf.create_stack(StackName="two", TemplateBody=json.dumps(body))
    changed = dict(body, Outputs={"G": {"Value": {"Ref": "Group"}}})
    mine = cf.create_change_set(StackName="two", ChangeSetName="mine", TemplateBody=json.dumps(changed), ChangeSetType="UPDATE")
    theirs = cf.create_change_set(StackName="two", ChangeSetName="theirs", TemplateBody=json.dumps(changed), ChangeSetType="UPDATE")
    cf.execute_change_set(ChangeSetName=theirs["Id"])
    names = [s["ChangeSetName"] for s in cf.list_change_sets(StackName="two")["Summaries"]]
    assert "mine" not in names
    with pytest.raises(cf.exceptions.ClientError) as err:
        cf.execute_change_set(ChangeSetName=mine["Id"])
    assert err.value.response["Error"]["Code"] == "ChangeSetNotFound"
    cf.delete_stack(StackName="two")


def test_unsupported_attribute_is_a_validation_error_not_a_500(aws: Any) -> None:
    body = {
        "Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "d", "SubnetIds": []}}},
        "Outputs": {"Bad": {"Value": {"Fn::GetAtt": ["Group", "NoSuchAttribute"]}}},
    }
    with pytest.raises(aws.cloudformation.exceptions.ClientError) as err:
        aws.cloudformation.create_stack(StackName="bad", TemplateBody=json.dumps(body))
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_asg_replaced_only_when_its_name_changes(aws: Any) -> None:
    def body(name: str | None, max_size: int) -> dict[str, Any]:
        b = copy.deepcopy({
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.40.0.0/16"}},
                "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.40.0.0/24", "AvailabilityZone": "eu-west-1a"}},
                "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}}},
                "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MinSize": "1", "MaxSize": str(max_size),
                        "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}, "Version": "1"}, "VPCZoneIdentifier": [{"Ref": "Subnet"}]}},
            }
        })
        if name:
            b["Resources"]["Asg"]["Properties"]["AutoScalingGroupName"] = name
        return b

    cf = aws.cloudformation
    cf.create_stack(StackName="asg", TemplateBody=json.dumps(body(None, 3)))
    first = physical_ids(aws, "asg")["Asg"]
    cf.update_stack(StackName="asg", TemplateBody=json.dumps(body(None, 4)))
    assert physical_ids(aws, "asg")["Asg"] == first
    assert "LastUpdatedTime" in cf.describe_stacks(StackName="asg")["Stacks"][0]
    cf.update_stack(StackName="asg", TemplateBody=json.dumps(body("renamed-asg", 4)))
    assert physical_ids(aws, "asg")["Asg"] == "renamed-asg"
    names = [g["AutoScalingGroupName"] for g in aws.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]]
    assert "renamed-asg" in names and first not in names
    cf.delete_stack(StackName="asg")


def test_change_set_without_changes_fails_like_aws(aws: Any) -> None:
    cf = aws.cloudformation
    body = json.dumps({"Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "d", "SubnetIds": []}}}})
    cf.create_stack(StackName="same", TemplateBody=body)
    cf.create_stack(StackName="other", TemplateBody=body)
    cs = cf.create_change_set(StackName="same", ChangeSetName="nothing", TemplateBody=body, ChangeSetType="UPDATE")
    desc = cf.describe_change_set(ChangeSetName=cs["Id"])
    assert desc["Status"] == "FAILED" and desc["ExecutionStatus"] == "UNAVAILABLE"
    assert "didn't contain changes" in desc["StatusReason"]
    assert desc.get("Changes", []) == []
    assert [c["ChangeSetName"] for c in cf.list_change_sets(StackName="same")["Summaries"]] == ["nothing"]
    assert cf.list_change_sets(StackName="other")["Summaries"] == []
    # passing a parameter's default explicitly is not a change either
    with_param = json.dumps({"Parameters": {"Size": {"Type": "Number", "Default": 3}},
                             "Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": {"Fn::Sub": "${Size}"}, "SubnetIds": []}}}})
    cf.create_stack(StackName="defaults", TemplateBody=with_param)
    cs = cf.create_change_set(StackName="defaults", ChangeSetName="explicit", TemplateBody=with_param, ChangeSetType="UPDATE",
                              Parameters=[{"ParameterKey": "Size", "ParameterValue": "3"}])
    assert cf.describe_change_set(ChangeSetName=cs["Id"])["Status"] == "FAILED"
    cs = cf.create_change_set(StackName="defaults", ChangeSetName="four", TemplateBody=with_param, ChangeSetType="UPDATE",
                              Parameters=[{"ParameterKey": "Size", "ParameterValue": "4"}])
    desc = cf.describe_change_set(ChangeSetName=cs["Id"])
    assert desc["Status"] == "CREATE_COMPLETE"
    assert [(c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["Details"][0]["CausingEntity"]) for c in desc["Changes"]] == [("Group", "Size")]
    cf.delete_stack(StackName="defaults")
    # UpdateStack keeps AWS's answer
    with pytest.raises(cf.exceptions.ClientError, match="No updates are to be performed"):
        cf.update_stack(StackName="same", TemplateBody=body)
    cf.delete_stack(StackName="same")
    cf.delete_stack(StackName="other")


def _network(cidr: str) -> dict[str, Any]:
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}},
        "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr.replace("0.0/16", "1.0/24"), "AvailabilityZone": "eu-west-1a"}},
        "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr.replace("0.0/16", "2.0/24"), "AvailabilityZone": "eu-west-1b"}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
        "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Ref": "Vpc"}, "Protocol": "HTTP", "Port": 80}},
    }


def _bad_listener() -> dict[str, Any]:
    return {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Lb"}, "Protocol": "HTTPS", "Port": 443,
            "Certificates": [{"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/does-not-exist"}],
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}


def test_failed_create_rolls_back(aws: Any) -> None:
    cf = aws.cloudformation
    resources = dict(_network("10.50.0.0/16"), Listener=_bad_listener())
    body = json.dumps({"Resources": resources, "Outputs": {"Dns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}}}})
    stack_id = cf.create_stack(StackName="fails", TemplateBody=body)["StackId"]  # accepted, as AWS does
    stack = cf.describe_stacks(StackName="fails")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    events = cf.describe_stack_events(StackName="fails")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Listener"]
    assert "certificate" in failed[0]["ResourceStatusReason"].lower()
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert aws.ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.50.0.0/16"]}])["Vpcs"] == []
    # a rolled-back stack must be deleted before its name is used again
    with pytest.raises(cf.exceptions.ClientError, match="already exists"):
        cf.create_change_set(StackName="fails", ChangeSetName="again", TemplateBody=body, ChangeSetType="CREATE")
    cf.delete_stack(StackName="fails")
    assert cf.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"

    # the same through a CREATE change set
    cs = cf.create_change_set(StackName="fails", ChangeSetName="create", TemplateBody=body, ChangeSetType="CREATE")
    cf.execute_change_set(ChangeSetName=cs["Id"])
    assert cf.describe_stacks(StackName="fails")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    assert cf.describe_change_set(ChangeSetName=cs["Id"])["ExecutionStatus"] == "EXECUTE_FAILED"
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
    cf.delete_stack(StackName="fails")


def test_failed_update_rolls_back(aws: Any) -> None:
    cf = aws.cloudformation
    good = {"Resources": _network("10.60.0.0/16"), "Outputs": {"Dns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}}}}
    cf.create_stack(StackName="upd", TemplateBody=json.dumps(good))
    before = physical_ids(aws, "upd")
    bad = copy.deepcopy(good)
    bad["Resources"]["Listener"] = _bad_listener()
    cs = cf.create_change_set(StackName="upd", ChangeSetName="bad", TemplateBody=json.dumps(bad), ChangeSetType="UPDATE")
    cf.execute_change_set(ChangeSetName=cs["Id"])  # accepted, as AWS does
    stack = cf.describe_stacks(StackName="upd")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert physical_ids(aws, "upd") == before
    assert "Listener" not in json.dumps(cf.get_template(StackName="upd")["TemplateBody"])
    assert [o["OutputKey"] for o in stack["Outputs"]] == ["Dns"]
    lb = before["Lb"]
    assert [l["Port"] for l in aws.elbv2.describe_listeners(LoadBalancerArn=lb)["Listeners"]] == []
    # the stack can still be updated and deleted
    ok = copy.deepcopy(good)
    ok["Resources"]["Tg"]["Properties"]["HealthCheckPath"] = "/ready"
    cf.update_stack(StackName="upd", TemplateBody=json.dumps(ok))
    assert cf.describe_stacks(StackName="upd")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert aws.elbv2.describe_target_groups(TargetGroupArns=[before["Tg"]])["TargetGroups"][0]["HealthCheckPath"] == "/ready"
    cf.delete_stack(StackName="upd")
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
