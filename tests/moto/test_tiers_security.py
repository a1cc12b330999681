"""Issue 10's types on the harness (tests/moto/ext_security.py): Secrets
Manager secrets and dynamic references, EC2 managed prefix lists, S3 bucket
lifecycle / public access block / bucket policy, KMS keys without a KeyPolicy,
ACM certificates; and the types moto already creates for real (checked here
through their APIs: an HTTPS listener with a TLS policy and a redirect, a
cache with an AuthToken from a dynamic reference, an IAM role).

    .venv/bin/python -m pytest -q tests/moto/test_tiers_security.py
"""

from __future__ import annotations

import json
from typing import Any

from tiers_support import aws, create, delete, endpoint, failure, outputs, physical_ids, stack, template, update, vpc_resources  # noqa: F401

CLOUDFLARE_V4 = ["173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22"]


def secret_resources() -> dict[str, Any]:
    r = vpc_resources("10.44.0.0/16")
    r["CacheSecret"] = {"Type": "AWS::SecretsManager::Secret", "Properties": {
        "Description": "cache auth", "GenerateSecretString": {
            "SecretStringTemplate": json.dumps({"username": "default"}), "GenerateStringKey": "password",
            "PasswordLength": 40, "ExcludePunctuation": True}}}
    r["DbSecret"] = {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {"PasswordLength": 32, "ExcludeCharacters": "\"@/\\"}}}
    r["CacheSubnetGroup"] = {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": {"Description": "cache", "SubnetIds": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}]}}
    r["Cache"] = {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
        "ReplicationGroupDescription": "sessions", "Engine": "redis", "CacheNodeType": "cache.t4g.small", "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True, "TransitEncryptionEnabled": True, "AtRestEncryptionEnabled": True,
        "AuthToken": {"Fn::Sub": "{{resolve:secretsmanager:${CacheSecret}:SecretString:password}}"},
        "CacheSubnetGroupName": {"Ref": "CacheSubnetGroup"}}}
    r["DocSubnets"] = {"Type": "AWS::DocDB::DBSubnetGroup", "Properties": {"DBSubnetGroupDescription": "d", "SubnetIds": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}]}}
    r["Db"] = {"Type": "AWS::DocDB::DBCluster", "Properties": {
        "MasterUsername": "streamscale", "DBSubnetGroupName": {"Ref": "DocSubnets"},
        "MasterUserPassword": {"Fn::Sub": "{{resolve:secretsmanager:${DbSecret}}}"}}}
    return r


def test_secrets_and_dynamic_references(aws: Any) -> None:
    """AWS::SecretsManager::Secret with GenerateSecretString (a template and
    key, a length, excluded characters) and dynamic references
    {{resolve:secretsmanager:…}} resolved into other resources' properties (a
    cache AuthToken, a DocumentDB master password) while the template keeps
    the reference; a reference to a missing secret fails the resource.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-secretsmanager-secret-generatesecretstring.html
    """
    name = "tiers-secrets"
    body = template(secret_resources(), {"CacheSecretArn": {"Ref": "CacheSecret"}})
    create(aws, name, body)
    ids = physical_ids(aws, name)
    assert outputs(aws, name)["CacheSecretArn"] == ids["CacheSecret"] and ids["CacheSecret"].startswith("arn:aws:secretsmanager:")
    value = json.loads(aws.secretsmanager.get_secret_value(SecretId=ids["CacheSecret"])["SecretString"])
    assert value["username"] == "default" and len(value["password"]) == 40 and value["password"].isalnum()
    db_password = aws.secretsmanager.get_secret_value(SecretId=ids["DbSecret"])["SecretString"]
    assert len(db_password) == 32 and not set(db_password) & set("\"@/\\")
    group = aws.elasticache.describe_replication_groups(ReplicationGroupId=ids["Cache"])["ReplicationGroups"][0]
    assert group["AuthTokenEnabled"] is True and group["TransitEncryptionEnabled"] is True
    assert aws.docdb.describe_db_clusters(DBClusterIdentifier=ids["Db"])["DBClusters"][0]["Engine"] == "docdb"
    kept = aws.cloudformation.get_template(StackName=name)["TemplateBody"]
    text = kept if isinstance(kept, str) else json.dumps(kept)
    assert "{{resolve:secretsmanager:${CacheSecret}:SecretString:password}}" in text
    assert value["password"] not in text and db_password not in text

    # a new GenerateSecretString makes a new value, same secret
    r = secret_resources()
    r["DbSecret"]["Properties"]["GenerateSecretString"]["PasswordLength"] = 48
    update(aws, name, template(r, {"CacheSecretArn": {"Ref": "CacheSecret"}}))
    assert physical_ids(aws, name)["DbSecret"] == ids["DbSecret"]
    assert len(aws.secretsmanager.get_secret_value(SecretId=ids["DbSecret"])["SecretString"]) == 48

    delete(aws, name)
    assert all(s["ARN"] not in (ids["CacheSecret"], ids["DbSecret"]) for s in aws.secretsmanager.list_secrets()["SecretList"])

    missing = {"Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "{{resolve:secretsmanager:no-such-secret}}"}}}
    aws.cloudformation.create_stack(StackName="tiers-secrets-missing", TemplateBody=template(missing))
    assert stack(aws, "tiers-secrets-missing")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("can't find the specified secret" in reason for reason in failure(aws, "tiers-secrets-missing"))


def prefix_body(cidrs: list[str], max_entries: int = 10) -> str:
    r = vpc_resources("10.45.0.0/16")
    r["CloudflareV4"] = {"Type": "AWS::EC2::PrefixList", "Properties": {
        "PrefixListName": "cloudflare-v4", "AddressFamily": "IPv4", "MaxEntries": max_entries,
        "Entries": [{"Cidr": c, "Description": "cloudflare"} for c in cidrs], "Tags": [{"Key": "source", "Value": "cloudflare"}]}}
    r["HttpsFromCloudflare"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": {"Ref": "SecurityGroup"}, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourcePrefixListId": {"Ref": "CloudflareV4"}}}
    return template(r, {"Arn": {"Fn::GetAtt": ["CloudflareV4", "Arn"]}, "Version": {"Fn::GetAtt": ["CloudflareV4", "Version"]}})


def test_managed_prefix_list(aws: Any) -> None:
    """AWS::EC2::PrefixList (a customer-managed prefix list) referenced by a
    security group rule; entries change in place (same id, new version); more
    entries than MaxEntries is refused (the update rolls back).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-prefixlist.html
    https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html
    """
    name = "tiers-prefix-list"
    create(aws, name, prefix_body(CLOUDFLARE_V4))
    ids = physical_ids(aws, name)
    pl_id = ids["CloudflareV4"]
    entries = aws.ec2.get_managed_prefix_list_entries(PrefixListId=pl_id)["Entries"]
    assert sorted(e["Cidr"] for e in entries) == sorted(CLOUDFLARE_V4)
    pl = aws.ec2.describe_managed_prefix_lists(PrefixListIds=[pl_id])["PrefixLists"][0]
    assert pl["PrefixListName"] == "cloudflare-v4" and pl["MaxEntries"] == 10 and outputs(aws, name)["Arn"] == pl["PrefixListArn"]
    group = aws.ec2.describe_security_groups(GroupIds=[ids["SecurityGroup"]])["SecurityGroups"][0]
    assert [p["PrefixListId"] for perm in group["IpPermissions"] for p in perm.get("PrefixListIds", [])] == [pl_id]

    update(aws, name, prefix_body(CLOUDFLARE_V4[:2] + ["104.16.0.0/13"]))
    assert physical_ids(aws, name)["CloudflareV4"] == pl_id
    entries = aws.ec2.get_managed_prefix_list_entries(PrefixListId=pl_id)["Entries"]
    assert sorted(e["Cidr"] for e in entries) == sorted(CLOUDFLARE_V4[:2] + ["104.16.0.0/13"])
    assert outputs(aws, name)["Version"] == "2"

    update(aws, name, prefix_body(CLOUDFLARE_V4, max_entries=2), expect="UPDATE_ROLLBACK_COMPLETE")
    assert any("PrefixListMaxEntriesExceeded" in r or "maximum" in r for r in failure(aws, name))
    delete(aws, name)
    assert pl_id not in [p["PrefixListId"] for p in aws.ec2.describe_managed_prefix_lists()["PrefixLists"]]


def bucket_body(days: int) -> str:
    return template({
        "LogsKey": {"Type": "AWS::KMS::Key", "Properties": {"Description": "no KeyPolicy: AWS's default policy", "EnableKeyRotation": True,
                                                            "Tags": [{"Key": "Name", "Value": "logs-key"}]}},
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": "LogsKey"}}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "LifecycleConfiguration": {"Rules": [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": days,
                                                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]}}},
        "LogsPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Logs"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [{"Fn::Sub": "arn:aws:s3:::${Logs}"}, {"Fn::Sub": "arn:aws:s3:::${Logs}/*"}],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}},
        "Certificate": {"Type": "AWS::CertificateManager::Certificate", "Properties": {"DomainName": "origin.example.com", "ValidationMethod": "DNS"}},
    }, {"CertificateArn": {"Ref": "Certificate"}})


def test_access_log_bucket_policy_key_and_certificate(aws: Any) -> None:
    """An encrypted, private access-log bucket: AWS::S3::Bucket with
    BucketEncryption (moto already), PublicAccessBlockConfiguration and
    LifecycleConfiguration (applied here; the expiry updates in place), a
    TLS-only AWS::S3::BucketPolicy, a KMS key without KeyPolicy (AWS applies
    the default key policy) and with tags in CloudFormation's Key/Value form
    (ListResourceTags answers them as TagKey/TagValue), and an ACM certificate (DNS validation).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-certificatemanager-certificate.html
    """
    name = "tiers-logs"
    create(aws, name, bucket_body(30))
    ids = physical_ids(aws, name)
    bucket = ids["Logs"]
    rules = aws.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["Expiration"]["Days"] == 30 and rules[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert aws.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    policy = json.loads(aws.s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    enc = aws.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert enc["SSEAlgorithm"] == "aws:kms"
    assert aws.kms.list_resource_tags(KeyId=ids["LogsKey"])["Tags"] == [{"TagKey": "Name", "TagValue": "logs-key"}]
    key_policy = json.loads(aws.kms.get_key_policy(KeyId=ids["LogsKey"], PolicyName="default")["Policy"])
    assert key_policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    cert = aws.acm.describe_certificate(CertificateArn=outputs(aws, name)["CertificateArn"])["Certificate"]
    assert cert["DomainName"] == "origin.example.com"

    update(aws, name, bucket_body(90))
    assert physical_ids(aws, name)["Logs"] == bucket
    assert aws.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["Expiration"]["Days"] == 90

    delete(aws, name)
    assert bucket not in [b["Name"] for b in aws.s3.list_buckets()["Buckets"]]
    assert not aws.acm.list_certificates()["CertificateSummaryList"]


def test_https_listener_and_role_already_real(aws: Any) -> None:
    """Checked, not extended: moto 5.2.5 + moto_ext already create an HTTPS
    listener with its SslPolicy and certificate, an HTTP listener whose
    default action redirects to HTTPS, and an IAM role with its managed
    policies, readable through ELBv2 and IAM.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listener.html
    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    """
    r = vpc_resources("10.46.0.0/16")
    r["Certificate"] = {"Type": "AWS::CertificateManager::Certificate", "Properties": {"DomainName": "origin.example.com", "ValidationMethod": "DNS"}}
    r["LoadBalancer"] = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}], "SecurityGroups": [{"Ref": "SecurityGroup"}]}}
    r["TargetGroup"] = {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Ref": "VPC"}, "Protocol": "HTTP", "Port": 8080}}
    r["Http"] = {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "LoadBalancer"}, "Protocol": "HTTP", "Port": 80,
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]}}
    r["Https"] = {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "LoadBalancer"}, "Protocol": "HTTPS", "Port": 443,
        "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "Certificates": [{"CertificateArn": {"Ref": "Certificate"}}],
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}]}}
    r["Role"] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]}}
    create(aws, "tiers-listeners", template(r))
    ids = physical_ids(aws, "tiers-listeners")
    listeners = {l["Port"]: l for l in aws.elbv2.describe_listeners(LoadBalancerArn=ids["LoadBalancer"])["Listeners"]}
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[443]["Certificates"][0]["CertificateArn"] == ids["Certificate"]
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    role = aws.iam.list_attached_role_policies(RoleName=ids["Role"])["AttachedPolicies"]
    assert [p["PolicyArn"] for p in role] == ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]
    delete(aws, "tiers-listeners")
