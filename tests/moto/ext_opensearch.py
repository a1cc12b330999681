"""Amazon OpenSearch Service on moto 5.2.5 (the harness side of the [search] tier).

moto 5.2.5 has an opensearch backend (CreateDomain, DescribeDomain,
DescribeDomainConfig, UpdateDomainConfig) but its CloudFormation has no
``AWS::OpenSearchService::Domain``: it logs "No Moto CloudFormation support",
reports CREATE_COMPLETE with nothing created, and a GetAtt on it is an HTTP 500.

Gaps filled:
  * AWS::OpenSearchService::Domain -> CfnOpenSearchDomain, on moto's own
    backend (DescribeDomain shows what the template declared).  Update
    behaviour of the CloudFormation resource reference: every property updates
    in place ("No interruption"; OpenSearch runs a blue/green deployment for
    node count, instance type, dedicated masters, volumes…) except DomainName
    (replacement) and EngineVersion, which replaces the domain unless the
    resource has the UpdatePolicy ``EnableVersionUpgrade: true`` (then an
    in-place upgrade; a downgrade is refused).  The ClusterConfig is sent
    whole (moto's UpdateDomainConfig replaces the whole ClusterConfig).
    GetAtt: Arn, DomainArn, DomainEndpoint, DomainEndpoints, Id.
  * The API refusals AWS makes, checked on create and update (the stack rolls
    back with the reason): an instance type that is not ``*.search``; zone
    awareness with an instance count that is not a multiple of the zone count,
    or a VPC domain whose subnet count is not the zone count; dedicated masters
    enabled without a type and count; gp3 volumes without a size; fine-grained
    access control (AdvancedSecurityOptions) without HTTPS, node-to-node
    encryption and encryption at rest; a TLS policy OpenSearch does not offer;
    turning encryption at rest or node-to-node encryption off once on;
    changing a domain between public and VPC access; AUDIT_LOGS without
    fine-grained access control; an unknown log type.
  * The master user's password (AdvancedSecurityOptions.MasterUserOptions) is
    never stored: DescribeDomain, like AWS, does not return it.

Refused loudly (ValidationError naming the property): CognitoOptions,
IdentityCenterOptions, SkipShardMigrationWait, AIMLOptions.

AWS documentation:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-opensearchservice-domain.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-upgradeopensearchdomain
  https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-configuration-changes.html
  https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-multiaz.html
  https://docs.aws.amazon.com/opensearch-service/latest/developerguide/fgac.html
"""

from __future__ import annotations

import copy
from typing import Any

from ext_base import Handle, generated_id, install_once, refuse_unmodelled, register_types, to_bool, to_int

_MODULE = "moto.opensearch.streamscale_ext"

TLS_POLICIES = ("Policy-Min-TLS-1-0-2019-07", "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10")
LOG_TYPES = ("INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS")
PROPS = {
    "AccessPolicies", "AdvancedOptions", "AdvancedSecurityOptions", "ClusterConfig", "DomainEndpointOptions",
    "DomainName", "EBSOptions", "EncryptionAtRestOptions", "EngineVersion", "IPAddressType", "LogPublishingOptions",
    "NodeToNodeEncryptionOptions", "OffPeakWindowOptions", "SnapshotOptions", "SoftwareUpdateOptions", "Tags",
    "VPCOptions",
}


def _error(message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("ValidationException", message)


def _bools(d: dict[str, Any] | None, keys: tuple[str, ...]) -> dict[str, Any]:
    out = copy.deepcopy(d or {})
    for key in keys:
        if key in out:
            out[key] = bool(to_bool(out[key]))
    return out


def _normalize(props: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation properties -> the API's option blocks (typed)."""
    cluster = _bools(props.get("ClusterConfig"), ("DedicatedMasterEnabled", "ZoneAwarenessEnabled", "WarmEnabled", "MultiAZWithStandbyEnabled"))
    for key in ("InstanceCount", "DedicatedMasterCount", "WarmCount"):
        if key in cluster:
            cluster[key] = to_int(cluster[key])
    if "ZoneAwarenessConfig" in cluster:
        zac = dict(cluster["ZoneAwarenessConfig"] or {})
        if "AvailabilityZoneCount" in zac:
            zac["AvailabilityZoneCount"] = to_int(zac["AvailabilityZoneCount"])
        cluster["ZoneAwarenessConfig"] = zac
    cluster.setdefault("InstanceType", "r5.large.search")
    cluster.setdefault("InstanceCount", 1)
    cluster.setdefault("DedicatedMasterEnabled", False)
    cluster.setdefault("ZoneAwarenessEnabled", False)
    ebs = _bools(props.get("EBSOptions"), ("EBSEnabled",))
    for key in ("VolumeSize", "Iops", "Throughput"):
        if key in ebs:
            ebs[key] = to_int(ebs[key])
    security = _bools(props.get("AdvancedSecurityOptions"), ("Enabled", "InternalUserDatabaseEnabled", "AnonymousAuthEnabled"))
    security.pop("MasterUserOptions", None)  # never stored, never returned
    logs = {}
    for log_type, option in (props.get("LogPublishingOptions") or {}).items():
        logs[log_type] = _bools(option, ("Enabled",))
        logs[log_type].setdefault("Enabled", True)
    return {
        "engine_version": props.get("EngineVersion") or "OpenSearch_2.11",
        "cluster_config": cluster,
        "ebs_options": ebs or {"EBSEnabled": False},
        "access_policies": props.get("AccessPolicies"),
        "snapshot_options": props.get("SnapshotOptions"),
        "vpc_options": props.get("VPCOptions"),
        "encryption_at_rest_options": _bools(props.get("EncryptionAtRestOptions"), ("Enabled",)) or {"Enabled": False},
        "node_to_node_encryption_options": _bools(props.get("NodeToNodeEncryptionOptions"), ("Enabled",)) or {"Enabled": False},
        "advanced_options": props.get("AdvancedOptions"),
        "log_publishing_options": logs or None,
        "domain_endpoint_options": _bools(props.get("DomainEndpointOptions"), ("EnforceHTTPS", "CustomEndpointEnabled"))
        or {"EnforceHTTPS": False, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
        "advanced_security_options": security or {"Enabled": False, "InternalUserDatabaseEnabled": False},
        "off_peak_window_options": props.get("OffPeakWindowOptions"),
        "software_update_options": _bools(props.get("SoftwareUpdateOptions"), ("AutoSoftwareUpdateEnabled",)) or None,
    }


def _validate(props: dict[str, Any], opts: dict[str, Any]) -> None:
    import json

    refuse_unmodelled("AWS::OpenSearchService::Domain", props, PROPS)
    cluster = opts["cluster_config"]
    for key in ("InstanceType", "DedicatedMasterType", "WarmType"):
        value = cluster.get(key)
        if value is not None and not (str(value).endswith(".search") or str(value).endswith(".elasticsearch")):
            raise _error(f"Invalid instance type: {value}")
    count = cluster.get("InstanceCount") or 0
    if count < 1:
        raise _error("InstanceCount must be at least 1")
    if cluster.get("DedicatedMasterEnabled"):
        if not cluster.get("DedicatedMasterType") or not cluster.get("DedicatedMasterCount"):
            raise _error("DedicatedMasterType and DedicatedMasterCount are required when DedicatedMasterEnabled is true")
    zones = 1
    if cluster.get("ZoneAwarenessEnabled"):
        zones = (cluster.get("ZoneAwarenessConfig") or {}).get("AvailabilityZoneCount") or 2
        if zones not in (2, 3):
            raise _error("AvailabilityZoneCount must be 2 or 3")
        if count % zones:
            raise _error(
                f"You must choose a number of data nodes that is a multiple of the number of Availability Zones ({zones}); got {count}"
            )
    elif cluster.get("ZoneAwarenessConfig"):
        raise _error("ZoneAwarenessConfig requires ZoneAwarenessEnabled")
    vpc = opts["vpc_options"]
    if vpc is not None:
        subnets = vpc.get("SubnetIds") or []
        if len(subnets) != zones:
            raise _error(
                f"You must specify exactly {zones} subnet{'s' if zones > 1 else ''} because you've set zone count to {zones}."
            )
    ebs = opts["ebs_options"]
    if ebs.get("EBSEnabled") and not ebs.get("VolumeSize"):
        raise _error("VolumeSize is required when EBS is enabled")
    if ebs.get("VolumeType") not in (None, "gp2", "gp3", "io1", "standard"):
        raise _error(f"Invalid VolumeType: {ebs.get('VolumeType')}")
    endpoint = opts["domain_endpoint_options"]
    if endpoint.get("TLSSecurityPolicy") and endpoint["TLSSecurityPolicy"] not in TLS_POLICIES:
        raise _error(f"Invalid TLSSecurityPolicy: {endpoint['TLSSecurityPolicy']}")
    fgac = opts["advanced_security_options"].get("Enabled")
    if fgac and not (
        endpoint.get("EnforceHTTPS")
        and opts["node_to_node_encryption_options"].get("Enabled")
        and opts["encryption_at_rest_options"].get("Enabled")
    ):
        raise _error(
            "Enable fine-grained access control requires EnforceHTTPS, node-to-node encryption and encryption at rest"
        )
    master = (props.get("AdvancedSecurityOptions") or {}).get("MasterUserOptions") or {}
    if fgac and not to_bool(opts["advanced_security_options"].get("InternalUserDatabaseEnabled")) and not master.get("MasterUserARN"):
        raise _error("MasterUserARN is required when the internal user database is not enabled")
    if master.get("MasterUserName") and not master.get("MasterUserPassword"):
        raise _error("MasterUserPassword is required with MasterUserName")
    for log_type in opts["log_publishing_options"] or {}:
        if log_type not in LOG_TYPES:
            raise _error(f"Invalid log type: {log_type}")
        if log_type == "AUDIT_LOGS" and not fgac:
            raise _error("Audit logs require fine-grained access control")
        arn = (opts["log_publishing_options"][log_type] or {}).get("CloudWatchLogsLogGroupArn", "")
        if not str(arn).startswith("arn:"):
            raise _error(f"CloudWatchLogsLogGroupArn is required for {log_type}")
    if isinstance(opts["access_policies"], dict):
        opts["access_policies"] = json.dumps(opts["access_policies"])


def _define_models() -> list[type]:
    from moto.core.common_models import CloudFormationModel
    from moto.opensearch.models import opensearch_backends

    class CfnOpenSearchDomain(Handle, CloudFormationModel):
        """AWS::OpenSearchService::Domain: Ref = domain name; GetAtt Arn,
        DomainArn, DomainEndpoint, DomainEndpoints, Id."""

        __module__ = _MODULE
        RTYPE = "AWS::OpenSearchService::Domain"
        NAME_PROP = "DomainName"
        ATTRS = ("Arn", "DomainArn", "DomainEndpoint", "DomainEndpoints", "Id")

        def _live(self) -> Any:
            return opensearch_backends[self.account_id][self.region_name].domains.get(self.name)

        domain = property(_live)

        def _live_attribute(self, domain: Any, attribute_name: str) -> Any:
            if attribute_name in ("Arn", "DomainArn"):
                return domain.arn
            if attribute_name == "Id":
                return domain.domain_id
            if attribute_name == "DomainEndpoint":
                return domain.endpoint or (domain.endpoints or {}).get("vpc")
            if attribute_name == "DomainEndpoints":
                return domain.endpoints or {}
            return None

        @classmethod
        def _replaces(cls, original, cloudformation_json, changed):  # type: ignore[no-untyped-def]
            if "EngineVersion" not in changed:
                return False
            policy = cloudformation_json.get("UpdatePolicy") or {}
            return not to_bool(policy.get("EnableVersionUpgrade"))

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            name = props.get("DomainName") or generated_id(resource_name, 28)
            opts = _normalize(props)
            _validate(props, opts)
            backend = opensearch_backends[account_id][region_name]
            if name in backend.domains:
                from moto.core.exceptions import JsonRESTError

                raise JsonRESTError("ResourceAlreadyExistsException", f"Domain {name} already exists")
            backend.create_domain(
                domain_name=name,
                tag_list=[{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in props.get("Tags") or []],
                cognito_options=None,
                auto_tune_options=None,
                is_es=False,
                elasticsearch_version=None,
                elasticsearch_cluster_config=None,
                **opts,
            )
            return cls(account_id, region_name, name, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            backend = opensearch_backends[self.account_id][self.region_name]
            domain = backend.domains[self.name]
            opts = _normalize(props)
            _validate(props, opts)
            old = _normalize(self.props)
            for key in ("encryption_at_rest_options", "node_to_node_encryption_options"):
                if old[key].get("Enabled") and not opts[key].get("Enabled"):
                    raise _error(f"{key.replace('_options', '').replace('_', ' ')} cannot be disabled once enabled")
            if (old["vpc_options"] is None) != (opts["vpc_options"] is None):
                raise _error("A domain cannot be changed between public access and VPC access")
            if "EngineVersion" in changed:  # in-place upgrade (UpdatePolicy EnableVersionUpgrade)
                if _version_key(opts["engine_version"]) < _version_key(old["engine_version"]):
                    raise _error(f"Cannot downgrade from {old['engine_version']} to {opts['engine_version']}")
                domain.engine_version.options = opts["engine_version"]
            # Set every block as declared (UpdateDomainConfig with the whole
            # ClusterConfig; moto's update keeps a block when the new one is empty).
            domain.cluster_config = opts["cluster_config"]
            domain.ebs_options = opts["ebs_options"]
            domain.access_policies = opts["access_policies"] or ""
            domain.snapshot_options = opts["snapshot_options"] or {"AutomatedSnapshotStartHour": 0}
            domain.vpc_options = opts["vpc_options"]
            if opts["vpc_options"] is not None:
                domain.endpoints = {"vpc": (domain.endpoints or {}).get("vpc") or f"{self.name}.{self.region_name}.es.amazonaws.com"}
            domain.encryption_at_rest_options = opts["encryption_at_rest_options"]
            domain.node_to_node_encryption_options = opts["node_to_node_encryption_options"]
            if opts["advanced_options"] is not None:
                domain.advanced_options = opts["advanced_options"]
            domain.log_publishing_options = opts["log_publishing_options"]
            domain.domain_endpoint_options = opts["domain_endpoint_options"]
            domain.advanced_security_options = opts["advanced_security_options"]
            domain.off_peak_window_options = opts["off_peak_window_options"]
            if opts["software_update_options"] is not None:
                domain.software_update_options = opts["software_update_options"]
            if "Tags" in changed:
                backend.tagger.delete_all_tags_for_resource(domain.arn)
                backend.add_tags(domain.arn, [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in props.get("Tags") or []])
            domain.engine_version.update_time = domain.engine_version.update_time

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = opensearch_backends[self.account_id][self.region_name]
            if self.name in backend.domains:
                backend.delete_domain(self.name)

    return [CfnOpenSearchDomain]


def _version_key(version: str) -> tuple[int, ...]:
    engine, _, number = version.partition("_")
    rank = 1 if engine == "OpenSearch" else 0
    return (rank,) + tuple(int(p) for p in number.split(".") if p.isdigit())


@install_once
def install() -> None:
    _define_models()
    register_types({"AWS::OpenSearchService::Domain": {"DomainName"}})
