"""The locked-down origin (issue 10) on moto 5.2.5.

Gap filled on create and update of AWS::S3::Bucket (moto's CloudFormation
model ignores them, measured): VersioningConfiguration (PutBucketVersioning)
and OwnershipControls (PutBucketOwnershipControls), applied as CloudFormation
does.

Drift detection, added to ext_drift's readers: AWS::EC2::PrefixList, AWS::S3::Bucket,
AWS::S3::BucketPolicy and AWS::SecretsManager::Secret.  CloudFormation
detects drift on all four (they are in its list of resource types that
support drift detection); each reader returns the live state in the
resource's CloudFormation property shape, and, as everywhere in ext_drift,
only what the template sets is compared.  A secret's GenerateSecretString is
write-only (its value is never read back, on AWS or here).

AWS documentation:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html (VersioningConfiguration, OwnershipControls)
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-prefixlist.html (Entries: a set)
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html
"""

from __future__ import annotations

import json
from typing import Any, Callable

import ext_drift
from ext_base import after_cfn_writes
from ext_drift import Gone, _client_error, _drop_none, _tags

_INSTALLED = False


def _prefix_list(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    ec2 = c("ec2")
    try:
        lists = ec2.describe_managed_prefix_lists(PrefixListIds=[phys])["PrefixLists"]
    except Exception as exc:  # noqa: BLE001
        if _client_error(exc, "NotFound"):
            raise Gone() from exc
        raise
    if not lists:
        raise Gone()
    pl = lists[0]
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=phys)["Entries"]
    return _drop_none({
        "PrefixListName": pl.get("PrefixListName"),
        "AddressFamily": pl.get("AddressFamily"),
        "MaxEntries": pl.get("MaxEntries"),
        "Entries": [_drop_none({"Cidr": e.get("Cidr"), "Description": e.get("Description")}) for e in entries],
        "Tags": _tags(pl.get("Tags") or []),
    })


def _bucket(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    s3 = c("s3")
    try:
        s3.head_bucket(Bucket=phys)
    except Exception as exc:  # noqa: BLE001
        if _client_error(exc, "404", "NoSuchBucket", "NotFound"):
            raise Gone() from exc
        raise

    def read(call: Callable[[], Any], *missing: str) -> Any:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001
            if _client_error(exc, *missing):
                return None
            raise

    out: dict[str, Any] = {}
    enc = read(lambda: s3.get_bucket_encryption(Bucket=phys), "ServerSideEncryptionConfigurationNotFoundError")
    if enc:
        # the S3 API's ApplyServerSideEncryptionByDefault is CloudFormation's ServerSideEncryptionByDefault
        rules = [
            _drop_none({
                "ServerSideEncryptionByDefault": r.get("ApplyServerSideEncryptionByDefault"),
                "BucketKeyEnabled": r.get("BucketKeyEnabled"),
            })
            for r in enc["ServerSideEncryptionConfiguration"]["Rules"]
        ]
        out["BucketEncryption"] = {"ServerSideEncryptionConfiguration": rules}
    pab = read(lambda: s3.get_public_access_block(Bucket=phys), "NoSuchPublicAccessBlockConfiguration")
    if pab:
        out["PublicAccessBlockConfiguration"] = pab["PublicAccessBlockConfiguration"]
    own = read(lambda: s3.get_bucket_ownership_controls(Bucket=phys), "OwnershipControlsNotFoundError")
    if own:
        out["OwnershipControls"] = {"Rules": own["OwnershipControls"]["Rules"]}
    ver = s3.get_bucket_versioning(Bucket=phys)
    if ver.get("Status"):
        out["VersioningConfiguration"] = {"Status": ver["Status"]}
    life = read(lambda: s3.get_bucket_lifecycle_configuration(Bucket=phys), "NoSuchLifecycleConfiguration")
    if life:
        rules = []
        for r in life["Rules"]:
            exp = r.get("Expiration") or {}
            rules.append(_drop_none({
                "Id": r.get("ID"),
                "Status": r.get("Status"),
                "ExpirationInDays": exp.get("Days"),
                "NoncurrentVersionExpiration": _drop_none({"NoncurrentDays": (r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")}) or None,
                "AbortIncompleteMultipartUpload": _drop_none({"DaysAfterInitiation": (r.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")}) or None,
            }))
        out["LifecycleConfiguration"] = {"Rules": rules}
    tags = read(lambda: s3.get_bucket_tagging(Bucket=phys), "NoSuchTagSet")
    out["Tags"] = _tags((tags or {}).get("TagSet") or [])
    return out


def _bucket_policy(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    bucket = expected.get("Bucket") or phys
    try:
        policy = c("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    except Exception as exc:  # noqa: BLE001
        if _client_error(exc, "NoSuchBucketPolicy", "NoSuchBucket"):
            raise Gone() from exc
        raise
    return {"Bucket": bucket, "PolicyDocument": json.loads(policy)}


def _secret(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    try:
        s = c("secretsmanager").describe_secret(SecretId=phys)
    except Exception as exc:  # noqa: BLE001
        if _client_error(exc, "ResourceNotFoundException"):
            raise Gone() from exc
        raise
    if s.get("DeletedDate"):
        raise Gone()
    return _drop_none({
        "Name": s.get("Name"),
        "Description": s.get("Description"),
        "KmsKeyId": s.get("KmsKeyId"),
        "Tags": _tags(s.get("Tags") or []),
    })


def _patch_bucket() -> None:
    from moto.s3 import models as s3_models
    from moto.utilities.utils import get_partition

    Bucket = s3_models.FakeBucket

    def _apply(bucket_name: str, props: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = s3_models.s3_backends[account_id][get_partition(region_name)]
        versioning = (props.get("VersioningConfiguration") or {}).get("Status")
        if versioning:
            backend.put_bucket_versioning(bucket_name, versioning)
        ownership = props.get("OwnershipControls")
        if ownership:
            rules = ownership.get("Rules") or []
            backend.put_bucket_ownership_controls(bucket_name, rules[0].get("ObjectOwnership") if rules else None)

    after_cfn_writes(Bucket, lambda bucket, props, account_id, region_name: _apply(bucket.name, props, account_id, region_name))


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    _patch_bucket()
    ext_drift.READERS.update({
        "AWS::EC2::PrefixList": _prefix_list,
        "AWS::S3::Bucket": _bucket,
        "AWS::S3::BucketPolicy": _bucket_policy,
        "AWS::SecretsManager::Secret": _secret,
    })
    ext_drift.UNORDERED.add("Entries")
    ext_drift.WRITE_ONLY["AWS::SecretsManager::Secret"] = {"GenerateSecretString", "SecretString"}
    _INSTALLED = True
