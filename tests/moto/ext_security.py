"""Security-related types on moto 5.2.5 (the harness side of issue 10:
locked-down origins).

Measured with small CloudFormation templates against the harness: moto 5.2.5 +
moto_ext create AWS::KMS::Key (but only with a KeyPolicy), AWS::IAM::Role and
AWS::S3::Bucket (with BucketEncryption) for real; they silently skip
AWS::EC2::PrefixList, AWS::SecretsManager::Secret, AWS::S3::BucketPolicy and
AWS::CertificateManager::Certificate, ignore an S3 bucket's
LifecycleConfiguration and PublicAccessBlockConfiguration, and do not resolve
``{{resolve:secretsmanager:…}}`` / ``{{resolve:ssm:…}}`` dynamic references
(the literal text reaches the resource).

Gaps filled:
  * dynamic references ``{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}``
    and ``{{resolve:ssm:name[:version]}}`` in resource properties are resolved
    from moto's Secrets Manager / SSM backends when the resource is created or
    updated; a reference to a missing secret, key or parameter fails the
    resource (the stack rolls back) as on AWS.  The template keeps the
    reference (GetTemplate shows it, never the value).
  * AWS::SecretsManager::Secret -> CfnSecret (Ref = ARN, GetAtt Id):
    GenerateSecretString (PasswordLength, Exclude*, IncludeSpace,
    RequireEachIncludedType, SecretStringTemplate + GenerateStringKey) through
    moto's GetRandomPassword; SecretString and GenerateSecretString together
    are refused; Name replaces, the rest updates in place (a changed
    GenerateSecretString generates a new value).  Deleted without a recovery
    window.
  * AWS::EC2::PrefixList -> CfnPrefixList (Ref = id; GetAtt Arn, PrefixListId,
    Version): entries, name, MaxEntries up (in place), AddressFamily replaces;
    more entries than MaxEntries, or a CIDR of the other family, is refused.
  * AWS::S3::Bucket: LifecycleConfiguration (expiration, noncurrent
    expiration, aborting incomplete uploads) and PublicAccessBlockConfiguration
    applied on create and update.
  * AWS::S3::BucketPolicy -> CfnBucketPolicy: PolicyDocument in place, Bucket
    replaces; deleting it deletes the policy.
  * AWS::KMS::Key with Tags in CloudFormation's Key/Value form (moto passed
    them to CreateKey, which wants TagKey/TagValue, and failed).
  * AWS::KMS::Key without KeyPolicy: AWS's default key policy (the account's
    root may use the key) instead of a KeyError.
  * AWS::CertificateManager::Certificate -> CfnCertificate (Ref = ARN) on
    moto's ACM backend (RequestCertificate; DNS validation).  DomainName,
    SubjectAlternativeNames, ValidationMethod, DomainValidationOptions replace.

AWS documentation:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-prefixlist.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-certificatemanager-certificate.html
"""

from __future__ import annotations

import json
import re
from typing import Any

from ext_base import (
    Handle,
    after_cfn_writes,
    generated_id,
    install_once,
    refuse_unmodelled,
    register_types,
    tags_dict,
    to_bool,
    to_int,
)

_DYNAMIC = re.compile(r"\{\{resolve:(secretsmanager|ssm):([^}]*)\}\}")


def _cfn_error(message: str) -> Exception:
    from moto.cloudformation.exceptions import ValidationError

    return ValidationError(message=message)


def resolve_dynamic(text: str, account_id: str, region_name: str) -> str:
    def one(match: re.Match[str]) -> str:
        service, body = match.group(1), match.group(2)
        if "${" in body:  # inside an Fn::Sub not yet substituted
            return match.group(0)
        if service == "ssm":
            from moto.ssm.models import ssm_backends

            name, _, version = body.partition(":")
            param = ssm_backends[account_id][region_name].get_parameter(f"{name}:{version}" if version else name)
            if param is None:
                raise _cfn_error(f"Parameters: [{name}] cannot be found.")
            return param.value
        from moto.secretsmanager.models import secretsmanager_backends

        parts = body.split(":")
        if body.startswith("arn:"):
            secret_id, rest = ":".join(parts[:7]), parts[7:]
        else:
            secret_id, rest = parts[0], parts[1:]
        rest += [""] * (4 - len(rest))
        field, json_key, stage, version = rest[:4]
        if field not in ("", "SecretString"):
            raise _cfn_error(f"Dynamic reference {match.group(0)!r}: only SecretString can be referenced")
        backend = secretsmanager_backends[account_id][region_name]
        try:
            value = backend.get_secret_value(secret_id, version or None, stage or None)
        except Exception as exc:  # noqa: BLE001 - AWS fails the resource
            raise _cfn_error(f"Secrets Manager can't find the specified secret. ({secret_id})") from exc
        secret = value["SecretString"] if isinstance(value, dict) else value.get("SecretString") if hasattr(value, "get") else None
        if secret is None:
            secret = getattr(value, "secret_string", None)
        if secret is None:
            raise _cfn_error(f"Secret {secret_id} has no SecretString")
        if json_key:
            try:
                return str(json.loads(secret)[json_key])
            except (ValueError, KeyError) as exc:
                raise _cfn_error(f"Could not find SecretString key {json_key} in secret {secret_id}") from exc
        return secret

    return _DYNAMIC.sub(one, text)


def _patch_dynamic_references() -> None:
    from moto.cloudformation import parsing

    inner = parsing.clean_json  # moto_ext's (or moto's) version

    def _clean_json(resource_json: Any, resources_map: Any) -> Any:
        result = inner(resource_json, resources_map)
        if isinstance(result, str) and "{{resolve:" in result:
            return resolve_dynamic(result, resources_map["AWS::AccountId"], resources_map["AWS::Region"])
        return result

    parsing.clean_json = _clean_json


def _patch_s3_kms() -> None:
    from moto.kms import models as kms_models
    from moto.s3 import models as s3_models
    from moto.utilities.utils import get_partition

    Bucket = s3_models.FakeBucket

    def _apply(bucket_name: str, props: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = s3_models.s3_backends[account_id][get_partition(region_name)]
        lifecycle = props.get("LifecycleConfiguration")
        if lifecycle:
            rules = []
            for rule in lifecycle.get("Rules") or []:
                refuse_unmodelled(
                    "AWS::S3::Bucket LifecycleConfiguration Rule",
                    rule,
                    {"Id", "Status", "Prefix", "ExpirationInDays", "NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays", "AbortIncompleteMultipartUpload", "ExpiredObjectDeleteMarker"},
                )
                api: dict[str, Any] = {"ID": rule.get("Id"), "Status": rule.get("Status", "Enabled"), "Filter": {"Prefix": rule.get("Prefix", "")}}
                if rule.get("ExpirationInDays") is not None:
                    api["Expiration"] = {"Days": str(to_int(rule["ExpirationInDays"]))}
                elif rule.get("ExpiredObjectDeleteMarker") is not None:
                    api["Expiration"] = {"ExpiredObjectDeleteMarker": str(bool(to_bool(rule["ExpiredObjectDeleteMarker"]))).lower()}
                nve = rule.get("NoncurrentVersionExpiration") or (
                    {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]} if rule.get("NoncurrentVersionExpirationInDays") else None
                )
                if nve:
                    api["NoncurrentVersionExpiration"] = {"NoncurrentDays": str(to_int(nve.get("NoncurrentDays")))}
                abort = rule.get("AbortIncompleteMultipartUpload")
                if abort:
                    api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": str(to_int(abort.get("DaysAfterInitiation")))}
                rules.append(api)
            backend.put_bucket_lifecycle(bucket_name, rules)
        else:
            backend.get_bucket(bucket_name).rules = []
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            backend.put_public_access_block(
                bucket_name,
                {k: str(bool(to_bool(block.get(k)))).lower() for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")},
            )
        else:
            backend.get_bucket(bucket_name).public_access_block = None

    after_cfn_writes(Bucket, lambda bucket, props, account_id, region_name: _apply(bucket.name, props, account_id, region_name))

    # Gap: AWS::KMS::Key without KeyPolicy is a KeyError; AWS applies the
    # default key policy (the account may use the key).
    Key = kms_models.Key
    orig_key_create = Key.create_from_cloudformation_json.__func__

    def _key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json.setdefault("Properties", {})
        if not props.get("KeyPolicy"):
            props["KeyPolicy"] = {
                "Version": "2012-10-17",
                "Id": "key-default-1",
                "Statement": [{
                    "Sid": "Enable IAM User Permissions", "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "kms:*", "Resource": "*",
                }],
            }
        if not isinstance(props["KeyPolicy"], str):
            # GetKeyPolicy answers a JSON string (moto kept the dict)
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
        # Gap: the template's Tags are CloudFormation's {Key, Value}; moto
        # hands them to CreateKey, whose tags are {TagKey, TagValue}
        # (KeyError 'TagKey').
        if props.get("Tags"):
            props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props["Tags"]]
        return orig_key_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    Key.create_from_cloudformation_json = classmethod(_key_create)

    # Gap: AWS::IAM::Role ignores ManagedPolicyArns (nothing attached).
    from moto.iam import models as iam_models

    Role = iam_models.Role
    orig_role_create = Role.create_from_cloudformation_json.__func__
    orig_role_update = getattr(Role.update_from_cloudformation_json, "__func__", None)

    def _attach(role: Any, props: dict[str, Any], account_id: str) -> None:
        backend = iam_models.iam_backends[account_id][get_partition(region_name_of(role))]
        wanted = list(props.get("ManagedPolicyArns") or [])
        aws_data = None
        for arn in wanted:
            if arn not in backend.managed_policies and arn.startswith(f"arn:{get_partition(region_name_of(role))}:iam::aws:policy/"):
                aws_data = aws_data or json.loads(iam_models.aws_managed_policies_data)
                name = arn.rsplit("/", 1)[-1]
                if name in aws_data:
                    policy = iam_models.AWSManagedPolicy.from_data(name, account_id, backend.region_name, aws_data[name])
                    backend.managed_policies[policy.arn] = policy
            backend.attach_role_policy(arn, role.name)  # NoSuchEntity for an unknown policy, as AWS
        for attached in list(role.managed_policies):
            if attached not in wanted:
                backend.detach_role_policy(attached, role.name)

    def region_name_of(role: Any) -> str:
        return getattr(role, "region_name", None) or "us-east-1"

    def _role_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        role = orig_role_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        _attach(role, cloudformation_json.get("Properties") or {}, account_id)
        return role

    Role.create_from_cloudformation_json = classmethod(_role_create)

    # CloudFormation detaches a role's managed policies before deleting it
    orig_role_delete = Role.delete_from_cloudformation_json.__func__

    def _role_delete(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = iam_models.iam_backends[account_id][get_partition(region_name)]
        for role in list(backend.roles.values()):
            if role.name == resource_name:
                for attached in list(role.managed_policies):
                    backend.detach_role_policy(attached, role.name)
        return orig_role_delete(cls, resource_name, cloudformation_json, account_id, region_name)

    Role.delete_from_cloudformation_json = classmethod(_role_delete)
    if orig_role_update is not None and not getattr(Role.update_from_cloudformation_json, "__isabstractmethod__", False):

        def _role_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            role = orig_role_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
            _attach(role, cloudformation_json.get("Properties") or {}, account_id)
            return role

        Role.update_from_cloudformation_json = classmethod(_role_update)


def _define_models() -> list[type]:
    from moto.acm.models import acm_backends
    from moto.core.common_models import CloudFormationModel
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends
    from moto.secretsmanager.models import secretsmanager_backends
    from moto.utilities.utils import get_partition

    class CfnSecret(Handle, CloudFormationModel):
        """AWS::SecretsManager::Secret: Ref = ARN; GetAtt Id."""

        __module__ = "moto.secretsmanager.streamscale_ext"
        RTYPE = "AWS::SecretsManager::Secret"
        NAME_PROP = "Name"
        ATTRS = ("Id",)
        PROPS = {"Name", "Description", "KmsKeyId", "SecretString", "GenerateSecretString", "Tags", "ReplicaRegions"}

        @property
        def physical_resource_id(self) -> str:
            return self.arn

        def _attribute(self, attribute_name: str) -> Any:
            return self.arn

        @staticmethod
        def _value(props: dict[str, Any], account_id: str, region_name: str) -> str | None:
            gen = props.get("GenerateSecretString")
            if gen and props.get("SecretString") is not None:
                raise _cfn_error("You can't specify both SecretString and GenerateSecretString")
            if not gen:
                return props.get("SecretString")
            backend = secretsmanager_backends[account_id][region_name]
            password = json.loads(
                backend.get_random_password(
                    password_length=to_int(gen.get("PasswordLength")) or 32,
                    exclude_characters=gen.get("ExcludeCharacters") or "",
                    exclude_numbers=bool(to_bool(gen.get("ExcludeNumbers"))),
                    exclude_punctuation=bool(to_bool(gen.get("ExcludePunctuation"))),
                    exclude_uppercase=bool(to_bool(gen.get("ExcludeUppercase"))),
                    exclude_lowercase=bool(to_bool(gen.get("ExcludeLowercase"))),
                    include_space=bool(to_bool(gen.get("IncludeSpace"))),
                    require_each_included_type=to_bool(gen.get("RequireEachIncludedType")) is not False,
                )
            )["RandomPassword"]
            template = gen.get("SecretStringTemplate")
            key = gen.get("GenerateStringKey")
            if bool(template) != bool(key):
                raise _cfn_error("SecretStringTemplate and GenerateStringKey must be specified together")
            if template:
                doc = json.loads(template)
                doc[key] = password
                return json.dumps(doc)
            return password

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, cls.PROPS - {"ReplicaRegions"})
            name = props.get("Name") or generated_id(resource_name, 256, lower=False)
            backend = secretsmanager_backends[account_id][region_name]
            backend.create_secret(
                name=name,
                secret_string=cls._value(props, account_id, region_name),
                secret_binary=None,
                description=props.get("Description"),
                tags=[{"Key": k, "Value": v} for k, v in tags_dict(props.get("Tags")).items()] or None,
                kms_key_id=props.get("KmsKeyId"),
                client_request_token=None,
                replica_regions=[],
                force_overwrite=False,
            )
            handle = cls(account_id, region_name, name, props)
            handle.arn = backend.describe_secret(name).arn
            return handle

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            refuse_unmodelled(self.RTYPE, props, self.PROPS - {"ReplicaRegions"})
            backend = secretsmanager_backends[self.account_id][self.region_name]
            if {"SecretString", "GenerateSecretString"} & set(changed):
                backend.put_secret_value(
                    secret_id=self.name, secret_string=self._value(props, self.account_id, self.region_name),
                    secret_binary=None, client_request_token=None, version_stages=["AWSCURRENT"],
                )
            if "Description" in changed or "KmsKeyId" in changed:
                secret = backend.describe_secret(self.name)
                secret.description = props.get("Description")
                secret.kms_key_id = props.get("KmsKeyId")
            if "Tags" in changed:
                secret = backend.describe_secret(self.name)
                secret.tags = [{"Key": k, "Value": v} for k, v in tags_dict(props.get("Tags")).items()]

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = secretsmanager_backends[self.account_id][self.region_name]
            if backend.secrets.get(self.name) is not None:
                backend.delete_secret(self.name, recovery_window_in_days=None, force_delete_without_recovery=True)

    class CfnPrefixList(Handle, CloudFormationModel):
        """AWS::EC2::PrefixList: Ref = prefix list id; GetAtt Arn, PrefixListId, Version."""

        __module__ = "moto.ec2.streamscale_ext"
        RTYPE = "AWS::EC2::PrefixList"
        ATTRS = ("Arn", "OwnerId", "PrefixListId", "Version")

        def _live(self) -> Any:
            return ec2_backends[self.account_id][self.region_name].managed_prefix_lists.get(self.name)

        prefix_list = property(_live)

        def _live_attribute(self, pl: Any, attribute_name: str) -> Any:
            return {"Arn": pl.prefix_list_arn, "OwnerId": pl.owner_id, "PrefixListId": pl.id, "Version": pl.version}[attribute_name]

        @staticmethod
        def _entries(props: dict[str, Any]) -> list[dict[str, str]]:
            import ipaddress

            family = props.get("AddressFamily")
            if family not in ("IPv4", "IPv6"):
                raise _ec2_error("InvalidParameterValue", f"Invalid address family {family}")
            entries = []
            for entry in props.get("Entries") or []:
                cidr = entry.get("Cidr")
                try:
                    net = ipaddress.ip_network(cidr)
                except ValueError as exc:
                    raise _ec2_error("InvalidParameterValue", f"Invalid CIDR {cidr}") from exc
                if (net.version == 4) != (family == "IPv4"):
                    raise _ec2_error("InvalidParameterValue", f"CIDR {cidr} does not match the address family {family}")
                entries.append({"Cidr": str(net), **({"Description": entry["Description"]} if entry.get("Description") else {})})
            max_entries = to_int(props.get("MaxEntries"))
            if not max_entries or len(entries) > max_entries:
                raise _ec2_error(
                    "PrefixListMaxEntriesExceeded",
                    f"The prefix list has {len(entries)} entries, more than its maximum of {max_entries}.",
                )
            return entries

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"AddressFamily", "Entries", "MaxEntries", "PrefixListName", "Tags"})
            backend = ec2_backends[account_id][region_name]
            pl = backend.create_managed_prefix_list(
                address_family=props.get("AddressFamily"),
                entry=cls._entries(props),
                max_entries=str(to_int(props.get("MaxEntries"))),
                prefix_list_name=props.get("PrefixListName"),
                tags=tags_dict(props.get("Tags")),
                owner_id=account_id,
            )
            return cls(account_id, region_name, pl.id, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            refuse_unmodelled(self.RTYPE, props, {"AddressFamily", "Entries", "MaxEntries", "PrefixListName", "Tags"})
            pl = self.prefix_list
            new_entries = self._entries(props)
            if to_int(props.get("MaxEntries")) < to_int(pl.max_entries):
                raise _ec2_error("InvalidParameterValue", "The maximum number of entries of a prefix list can only be increased")
            pl.max_entries = str(to_int(props.get("MaxEntries")))
            old = {e["Cidr"]: e for e in pl.entries.get(pl.version, [])}
            new = {e["Cidr"]: e for e in new_entries}
            add = [e for c, e in new.items() if old.get(c) != e]
            remove = [{"Cidr": c} for c in old if c not in new]
            if add or remove:
                pl.version += 1
                pl.entries[pl.version] = list(new_entries)
            pl.prefix_list_name = props.get("PrefixListName")
            if "Tags" in changed:
                backend = ec2_backends[self.account_id][self.region_name]
                backend.delete_tags([pl.id], {})
                backend.create_tags([pl.id], tags_dict(props.get("Tags")))

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = ec2_backends[self.account_id][self.region_name]
            if self.name in backend.managed_prefix_lists:
                backend.delete_managed_prefix_list(self.name)
                backend.managed_prefix_lists.pop(self.name, None)

    class CfnBucketPolicy(Handle, CloudFormationModel):
        """AWS::S3::BucketPolicy: Ref = bucket name."""

        __module__ = "moto.s3.streamscale_ext"
        RTYPE = "AWS::S3::BucketPolicy"

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"Bucket", "PolicyDocument"})
            policy = props.get("PolicyDocument")
            if not isinstance(policy, (dict, str)) or not policy:
                raise _cfn_error("PolicyDocument is required")
            text = policy if isinstance(policy, str) else json.dumps(policy)
            s3_backends[account_id][get_partition(region_name)].put_bucket_policy(props["Bucket"], text.encode())
            return cls(account_id, region_name, props["Bucket"], props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            policy = props.get("PolicyDocument")
            text = policy if isinstance(policy, str) else json.dumps(policy)
            s3_backends[self.account_id][get_partition(self.region_name)].put_bucket_policy(self.name, text.encode())

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = s3_backends[self.account_id][get_partition(self.region_name)]
            if self.name in backend.buckets:
                backend.delete_bucket_policy(self.name)

    class CfnCertificate(Handle, CloudFormationModel):
        """AWS::CertificateManager::Certificate: Ref = certificate ARN."""

        __module__ = "moto.acm.streamscale_ext"
        RTYPE = "AWS::CertificateManager::Certificate"

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(
                cls.RTYPE, props,
                {"DomainName", "SubjectAlternativeNames", "ValidationMethod", "DomainValidationOptions", "KeyAlgorithm", "Tags", "CertificateTransparencyLoggingPreference"},
            )
            backend = acm_backends[account_id][region_name]
            arn = backend.request_certificate(
                domain_name=props["DomainName"],
                idempotency_token=None,
                subject_alt_names=list(props.get("SubjectAlternativeNames") or []),
                tags=[{"Key": k, "Value": v} for k, v in tags_dict(props.get("Tags")).items()],
            )
            return cls(account_id, region_name, arn, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            if "Tags" in changed:
                backend = acm_backends[self.account_id][self.region_name]
                cert = backend.get_certificate(self.name)
                cert.tags.tags = {}
                for k, v in tags_dict(props.get("Tags")).items():
                    cert.tags.add(k, v)

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = acm_backends[self.account_id][self.region_name]
            if self.name in backend._certificates:
                backend.delete_certificate(self.name)

    return [CfnSecret, CfnPrefixList, CfnBucketPolicy, CfnCertificate]


def _ec2_error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


REPLACEMENTS = {
    "AWS::SecretsManager::Secret": {"Name"},
    "AWS::EC2::PrefixList": {"AddressFamily"},
    "AWS::S3::BucketPolicy": {"Bucket"},
    "AWS::CertificateManager::Certificate": {
        "DomainName", "SubjectAlternativeNames", "ValidationMethod", "DomainValidationOptions", "KeyAlgorithm",
        "CertificateTransparencyLoggingPreference",
    },
}


@install_once
def install() -> None:
    _patch_dynamic_references()
    _patch_s3_kms()
    _define_models()
    register_types(REPLACEMENTS)
