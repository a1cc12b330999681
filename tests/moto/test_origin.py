"""The locked-down origin on the harness: test certificates at given ARNs
(ext_certificates; any other ARN is still refused by CreateListener), bucket
versioning and ownership controls applied from CloudFormation, and drift
detection of the prefix list, the bucket, its policy and the secret
(ext_origin): in sync after create, a range added by hand to a prefix list
is MODIFIED.

    .venv/bin/python -m pytest -q tests/moto/test_origin.py
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterator

import pytest

from tiers_support import Clients, create, launch, template, vpc_resources

CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-4333-8444-555555555555"


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clients]:
    with launch(tmp_path_factory.mktemp("moto"), "--certificate", CERT) as url:
        yield Clients(url)


def listener_resources(cert: str) -> dict[str, Any]:
    r = vpc_resources("10.61.0.0/16")
    r["Lb"] = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}]}}
    r["Tg"] = {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Ref": "VPC"}, "Protocol": "HTTP", "Port": 80}}
    r["Https"] = {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
        "LoadBalancerArn": {"Ref": "Lb"}, "Protocol": "HTTPS", "Port": 443, "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "Certificates": [{"CertificateArn": cert}], "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}
    return r


def test_a_test_certificate_exists_and_others_are_still_refused(aws: Any) -> None:
    cert = aws.acm.describe_certificate(CertificateArn=CERT)["Certificate"]
    assert (cert["Status"], cert["Type"]) == ("ISSUED", "IMPORTED")
    create(aws, "cert-ok", template(listener_resources(CERT)))
    other = CERT.replace("11111111", "99999999")
    aws.cloudformation.create_stack(StackName="cert-missing", TemplateBody=template(listener_resources(other)))
    status = aws.cloudformation.describe_stacks(StackName="cert-missing")["Stacks"][0]["StackStatus"]
    assert status in ("ROLLBACK_COMPLETE", "CREATE_FAILED"), status


def drift_of(aws: Any, name: str) -> dict[str, str]:
    det = aws.cloudformation.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
    for _ in range(200):
        s = aws.cloudformation.describe_stack_drift_detection_status(StackDriftDetectionId=det)
        if s["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            break
        time.sleep(0.05)
    drifts = aws.cloudformation.describe_stack_resource_drifts(StackName=name)["StackResourceDrifts"]
    return {d["LogicalResourceId"]: d["StackResourceDriftStatus"] for d in drifts}


def test_bucket_settings_applied_and_the_new_types_in_sync_until_changed_by_hand(aws: Any) -> None:
    resources = {
        "List": {"Type": "AWS::EC2::PrefixList", "Properties": {"PrefixListName": "cf-v4", "AddressFamily": "IPv4", "MaxEntries": 20,
                                                               "Entries": [{"Cidr": "173.245.48.0/20", "Description": "Cloudflare"}, {"Cidr": "103.21.244.0/22", "Description": "Cloudflare"}]}},
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {"Rules": [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": 30}]}}},
        "LogsPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Logs"}, "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                    "Resource": {"Fn::Sub": "${Logs.Arn}/*"}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Description": "cache auth", "GenerateSecretString": {
            "SecretStringTemplate": "{}", "GenerateStringKey": "auth_token", "PasswordLength": 64, "ExcludePunctuation": True}}},
    }
    create(aws, "origin-drift", template(resources))
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in aws.cloudformation.list_stack_resources(StackName="origin-drift")["StackResourceSummaries"]}
    bucket = ids["Logs"]
    assert aws.s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert aws.s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert json.loads(aws.s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Sid"] == "TlsOnly"
    assert drift_of(aws, "origin-drift") == {"List": "IN_SYNC", "Logs": "IN_SYNC", "LogsPolicy": "IN_SYNC", "Secret": "IN_SYNC"}
    # A range added by hand (the world) is drift of the prefix list.
    pl = aws.ec2.describe_managed_prefix_lists(PrefixListIds=[ids["List"]])["PrefixLists"][0]
    aws.ec2.modify_managed_prefix_list(PrefixListId=ids["List"], CurrentVersion=pl["Version"], AddEntries=[{"Cidr": "0.0.0.0/0"}])
    assert drift_of(aws, "origin-drift")["List"] == "MODIFIED"
