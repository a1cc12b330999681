"""Amazon EKS on moto 5.2.5 (the harness side of the [kubernetes] tier).

moto 5.2.5's EKS API works (CreateCluster, DescribeCluster,
UpdateClusterConfig…) but its CloudFormation has no ``AWS::EKS::Cluster`` or
``AWS::EKS::AccessEntry`` (it logs "No Moto CloudFormation support", reports
CREATE_COMPLETE with nothing created, and a GetAtt on them is an HTTP 500), it
has no access entries at all, and a cluster has no ``accessConfig``.

Gaps filled:
  * access entries on moto's EKS backend, with their API (CreateAccessEntry,
    DescribeAccessEntry, ListAccessEntries, UpdateAccessEntry,
    DeleteAccessEntry, ListAssociatedAccessPolicies); EKS refuses them unless
    the cluster's authentication mode is API or API_AND_CONFIG_MAP.
  * ``accessConfig`` on clusters (authenticationMode, default CONFIG_MAP as for
    the API and CloudFormation); moving back towards CONFIG_MAP is refused.
  * AWS::EKS::Cluster -> CfnEksCluster; GetAtt Arn, CertificateAuthorityData,
    ClusterSecurityGroupId, EncryptionConfigKeyArn, Endpoint, Id,
    OpenIdConnectIssuerUrl.  In place: Version (one minor version at a time,
    never down, as UpdateClusterVersion), Logging, endpoint access and public
    CIDRs, AccessConfig.AuthenticationMode, Tags, adding an EncryptionConfig
    to a cluster without one (AssociateEncryptionConfig); changing or removing
    one is refused (EKS cannot).  Replacement: Name, RoleArn,
    KubernetesNetworkConfig, ResourcesVpcConfig SubnetIds / SecurityGroupIds,
    AccessConfig.BootstrapClusterCreatorAdminPermissions.
  * AWS::EKS::AccessEntry -> CfnEksAccessEntry; Ref "<cluster>|<principal>",
    GetAtt AccessEntryArn.  Replacement: ClusterName, PrincipalArn, Type; in
    place: KubernetesGroups, Username, AccessPolicies, Tags.

  * UpdateClusterVersion (moto has none): the next minor version only, never
    down, the same version refused; an ``update`` of type VersionUpdate,
    Successful at once.
  * UpdateClusterConfig as EKS does it: the resourcesVpcConfig fields given
    (endpointPublicAccess, endpointPrivateAccess, publicAccessCidrs) change
    and the rest stays (moto replaced the whole VPC config, losing subnets
    and the cluster security group); logging changes the types named and
    keeps the others; one kind of update per call ("Only one type of update
    can be allowed"); at least one endpoint on; CIDRs must be IPv4 CIDR
    blocks; the answer is an ``update`` (type EndpointAccessUpdate or
    LoggingUpdate), Successful at once (moto has no time).  kubernetesNetworkConfig
    and remoteNetworkConfig updates are refused loudly (not modelled).

Refused loudly (ValidationError naming the property): OutpostConfig,
RemoteNetworkConfig, ComputeConfig, StorageConfig, ZonalShiftConfig,
UpgradePolicy, BootstrapSelfManagedAddons, Force.

AWS documentation:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-accessentry.html
  https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
  https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html
  https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateEncryptionConfig.html
  https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html
  https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterVersion.html
  https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import unquote

from ext_base import Handle, generated_id, install_once, refuse_unmodelled, register_types, tags_dict, to_bool

_MODULE = "moto.eks.streamscale_ext"
# EKS released Kubernetes 1.35 on 2026-01-27 (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
VERSION_RE = re.compile(r"^1\.(2[4-9]|3[0-5])$")
AUTH_MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
CLUSTER_PROPS = {
    "AccessConfig", "EncryptionConfig", "KubernetesNetworkConfig", "Logging", "Name", "ResourcesVpcConfig",
    "RoleArn", "Tags", "Version",
}


def _invalid(message: str) -> Exception:
    from moto.eks.exceptions import InvalidParameterException

    return InvalidParameterException(message=message)


def _invalid_request(message: str) -> Exception:
    from moto.eks.exceptions import InvalidRequestException

    return InvalidRequestException(message=message)


class AccessEntry:
    """An EKS access entry (moto has none); serialised by moto's response
    layer from these snake_case attributes."""

    def __init__(self, cluster: Any, principal_arn: str, kubernetes_groups: list[str] | None, username: str | None, entry_type: str | None, tags: dict[str, str] | None):
        from moto.core.utils import utcnow
        from moto.moto_api._internal import mock_random

        self.cluster_name = cluster.name
        self.principal_arn = principal_arn
        self.kubernetes_groups = list(kubernetes_groups or [])
        self.type = entry_type or "STANDARD"
        if self.type not in ("STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX"):
            raise _invalid(f"Invalid access entry type {self.type}")
        if self.type != "STANDARD" and self.kubernetes_groups:
            raise _invalid("kubernetesGroups can only be specified for access entries of type STANDARD")
        name = principal_arn.rsplit("/", 1)[-1]
        self.username = username or (f"system:node:{{{{EC2PrivateDNSName}}}}" if self.type.startswith("EC2") else principal_arn)
        self.access_entry_arn = cluster.arn.replace(":cluster/", ":access-entry/") + f"/{name}/{mock_random.get_random_hex(8)}"
        self.created_at = utcnow()
        self.modified_at = self.created_at
        self.tags = dict(tags or {})
        self.policies: dict[str, dict[str, Any]] = {}

    def associated_policies(self) -> list[dict[str, Any]]:
        return [
            {"policyArn": arn, "accessScope": scope, "associatedAt": self.created_at, "modifiedAt": self.modified_at}
            for arn, scope in self.policies.items()
        ]


def _entries(cluster: Any) -> dict[str, AccessEntry]:
    if not hasattr(cluster, "_ext_access_entries"):
        cluster._ext_access_entries = {}
    return cluster._ext_access_entries


def _patch_backend() -> None:
    from moto.eks import models as eks_models
    from moto.eks import responses as eks_responses
    from moto.eks import urls as eks_urls
    from moto.eks.exceptions import ResourceInUseException, ResourceNotFoundException
    from moto.core.responses import ActionResult, EmptyResult

    Cluster = eks_models.Cluster
    Backend = eks_models.EKSBackend
    Response = eks_responses.EKSResponse

    orig_init = Cluster.__init__

    def _cluster_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        orig_init(self, *args, **kwargs)
        self.access_config = {"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True}
        # moto gives every cluster the same endpoint host
        from moto.moto_api._internal import mock_random

        self.endpoint = f"https://{mock_random.get_random_hex(32).upper()}.gr7.{self.arn.split(':')[3]}.eks.amazonaws.com"
        self.resources_vpc_config = dict(self.resources_vpc_config or {})
        self.resources_vpc_config.setdefault("endpointPublicAccess", True)
        self.resources_vpc_config.setdefault("endpointPrivateAccess", False)
        if self.resources_vpc_config.get("endpointPublicAccess"):
            self.resources_vpc_config.setdefault("publicAccessCidrs", ["0.0.0.0/0"])
        self.resources_vpc_config.setdefault("vpcId", _vpc_of(self))
        if not self.resources_vpc_config.get("clusterSecurityGroupId"):
            self.resources_vpc_config["clusterSecurityGroupId"] = _create_cluster_security_group(self)

    Cluster.__init__ = _cluster_init

    def _cluster(backend: Any, name: str) -> Any:
        cluster = backend.clusters.get(name)
        if cluster is None:
            raise ResourceNotFoundException(
                clusterName=name, nodegroupName=None, fargateProfileName=None, addonName=None, message=f"No cluster found for name: {name}."
            )
        return cluster

    def _entry(backend: Any, cluster_name: str, principal_arn: str) -> AccessEntry:
        entry = _entries(_cluster(backend, cluster_name)).get(principal_arn)
        if entry is None:
            raise ResourceNotFoundException(
                clusterName=cluster_name, nodegroupName=None, fargateProfileName=None, addonName=None,
                message=f"The specified access entry resource is not found: {principal_arn}",
            )
        return entry

    def create_access_entry(self, cluster_name, principal_arn, kubernetes_groups=None, username=None, entry_type=None, tags=None):  # type: ignore[no-untyped-def]
        cluster = _cluster(self, cluster_name)
        if cluster.access_config.get("authenticationMode") not in ("API", "API_AND_CONFIG_MAP"):
            raise _invalid_request(
                "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."
            )
        if not str(principal_arn).startswith("arn:"):
            raise _invalid(f"The principalArn parameter format is not valid: {principal_arn}")
        entries = _entries(cluster)
        if principal_arn in entries:
            raise ResourceInUseException(
                clusterName=cluster_name, nodegroupName=None, addonName=None,
                message="The specified access entry resource is already in use on this cluster.",
            )
        entries[principal_arn] = AccessEntry(cluster, principal_arn, kubernetes_groups, username, entry_type, tags)
        return entries[principal_arn]

    def update_access_entry(self, cluster_name, principal_arn, kubernetes_groups=None, username=None):  # type: ignore[no-untyped-def]
        from moto.core.utils import utcnow

        entry = _entry(self, cluster_name, principal_arn)
        if kubernetes_groups is not None:
            if entry.type != "STANDARD" and kubernetes_groups:
                raise _invalid("kubernetesGroups can only be specified for access entries of type STANDARD")
            entry.kubernetes_groups = list(kubernetes_groups)
        if username is not None:
            entry.username = username
        entry.modified_at = utcnow()
        return entry

    def delete_access_entry(self, cluster_name, principal_arn):  # type: ignore[no-untyped-def]
        _entry(self, cluster_name, principal_arn)
        return _entries(_cluster(self, cluster_name)).pop(principal_arn)

    Backend.create_access_entry = create_access_entry
    Backend.update_access_entry = update_access_entry
    Backend.delete_access_entry = delete_access_entry
    Backend.describe_access_entry = lambda self, cluster_name, principal_arn: _entry(self, cluster_name, principal_arn)
    Backend.list_access_entries = lambda self, cluster_name: list(_entries(_cluster(self, cluster_name)))

    orig_delete_cluster = Backend.delete_cluster

    def _delete_cluster(self, name):  # type: ignore[no-untyped-def]
        cluster = self.clusters.get(name)
        group_id = ((cluster.resources_vpc_config or {}).get("clusterSecurityGroupId") if cluster else None)
        deleted = orig_delete_cluster(self, name)  # access entries go with their cluster
        if cluster is not None and group_id:
            _delete_cluster_security_group(cluster, group_id)
        return deleted

    Backend.delete_cluster = _delete_cluster
    Backend.update_cluster_config = _update_cluster_config
    Response.update_cluster_config = _r_update_cluster_config
    Backend.update_cluster_version = _update_cluster_version
    Response.update_cluster_version = _r_update_cluster_version

    _ENTRY_PATH = re.compile(r"/clusters/(?P<name>[^/]+)/access-entries(?:/(?P<principal>.+?))?(?P<policies>/access-policies)?$")

    def _path(response: Any) -> tuple[str, str | None]:
        match = _ENTRY_PATH.search(response.raw_path.split("?")[0])
        assert match, response.raw_path
        principal = match.group("principal")
        return unquote(match.group("name")), unquote(principal) if principal else None

    def r_create_access_entry(self):  # type: ignore[no-untyped-def]
        name, _ = _path(self)
        entry = self.eks_backend.create_access_entry(
            cluster_name=name,
            principal_arn=self._get_param("principalArn"),
            kubernetes_groups=self._get_param("kubernetesGroups"),
            username=self._get_param("username"),
            entry_type=self._get_param("type"),
            tags=self._get_param("tags"),
        )
        return ActionResult({"accessEntry": entry})

    def r_describe_access_entry(self):  # type: ignore[no-untyped-def]
        name, principal = _path(self)
        return ActionResult({"accessEntry": self.eks_backend.describe_access_entry(name, principal)})

    def r_update_access_entry(self):  # type: ignore[no-untyped-def]
        name, principal = _path(self)
        entry = self.eks_backend.update_access_entry(
            name, principal, kubernetes_groups=self._get_param("kubernetesGroups"), username=self._get_param("username")
        )
        return ActionResult({"accessEntry": entry})

    def r_delete_access_entry(self):  # type: ignore[no-untyped-def]
        name, principal = _path(self)
        self.eks_backend.delete_access_entry(name, principal)
        return EmptyResult()

    def r_list_access_entries(self):  # type: ignore[no-untyped-def]
        name, _ = _path(self)
        return ActionResult({"accessEntries": self.eks_backend.list_access_entries(name)})

    def r_list_associated_access_policies(self):  # type: ignore[no-untyped-def]
        name, principal = _path(self)
        entry = self.eks_backend.describe_access_entry(name, principal)
        return ActionResult({"clusterName": name, "principalArn": principal, "associatedAccessPolicies": entry.associated_policies()})

    Response.create_access_entry = r_create_access_entry
    Response.describe_access_entry = r_describe_access_entry
    Response.update_access_entry = r_update_access_entry
    Response.delete_access_entry = r_delete_access_entry
    Response.list_access_entries = r_list_access_entries
    Response.list_associated_access_policies = r_list_associated_access_policies

    # Routes: read when the server builds the EKS app (first EKS request).
    eks_urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries$"] = eks_urls.response.dispatch
    eks_urls.url_paths["{0}/clusters/(?P<name>[^/]+)/updates$"] = eks_urls.response.dispatch
    eks_urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$"] = eks_urls.response.dispatch


def _update_cluster_config(self, name, resources_vpc_config=None, logging=None, client_request_token=None,  # type: ignore[no-untyped-def]
                           kubernetes_network_config=None, remote_network_config=None):
    """UpdateClusterConfig (API_UpdateClusterConfig.html): one kind of
    update per call, merged into what the cluster has."""
    import ipaddress

    from moto.eks.exceptions import ResourceNotFoundException

    cluster = self.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(
            clusterName=name, nodegroupName=None, fargateProfileName=None, addonName=None, message=f"No cluster found for name: {name}."
        )
    if kubernetes_network_config or remote_network_config:
        raise _invalid("streamscale's harness does not model kubernetesNetworkConfig or remoteNetworkConfig updates")
    kinds = [k for k, v in (("resourcesVpcConfig", resources_vpc_config), ("logging", logging)) if v]
    if len(kinds) != 1:
        raise _invalid("Only one type of update can be allowed." if kinds else "No changes needed")
    if resources_vpc_config:
        unknown = set(resources_vpc_config) - {"endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs"}
        if unknown:
            raise _invalid(f"streamscale's harness does not model resourcesVpcConfig updates of {sorted(unknown)}")
        new = dict(cluster.resources_vpc_config)
        for key in ("endpointPublicAccess", "endpointPrivateAccess"):
            if key in resources_vpc_config:
                new[key] = bool(resources_vpc_config[key])
        if "publicAccessCidrs" in resources_vpc_config:
            cidrs = list(resources_vpc_config["publicAccessCidrs"] or [])
            for cidr in cidrs:
                try:
                    ipaddress.IPv4Network(cidr, strict=True)
                except ValueError:
                    raise _invalid(f"The following CIDRs are invalid in publicAccessCidrs: [{cidr}]") from None
            new["publicAccessCidrs"] = cidrs
        if not new.get("endpointPublicAccess") and not new.get("endpointPrivateAccess"):
            raise _invalid("Cluster endpoint access must have at least one of public or private access enabled.")
        cluster.resources_vpc_config = new
        kind, params = "EndpointAccessUpdate", [
            {"type": "EndpointPublicAccess", "value": str(new.get("endpointPublicAccess")).lower()},
            {"type": "EndpointPrivateAccess", "value": str(new.get("endpointPrivateAccess")).lower()},
            {"type": "PublicAccessCidrs", "value": str(new.get("publicAccessCidrs", []))},
        ]
    else:
        enabled = {t for s in (cluster.logging or {}).get("clusterLogging", []) if s.get("enabled") for t in s.get("types", [])}
        for setup in logging.get("clusterLogging") or []:
            for t in setup.get("types") or []:
                if t not in LOG_TYPES:
                    raise _invalid(f"Invalid log type {t}")
                (enabled.add if setup.get("enabled") else enabled.discard)(t)
        on = [t for t in LOG_TYPES if t in enabled]
        off = [t for t in LOG_TYPES if t not in enabled]
        cluster.logging = {"clusterLogging": ([{"types": on, "enabled": True}] if on else []) + ([{"types": off, "enabled": False}] if off else [])}
        kind, params = "LoggingUpdate", [{"type": "ClusterLogging", "value": str(cluster.logging["clusterLogging"])}]
    if client_request_token:
        cluster.client_request_token = client_request_token
    from moto.core.utils import utcnow
    from moto.moto_api._internal import mock_random

    return {"id": str(mock_random.uuid4()), "status": "Successful", "type": kind, "params": params, "createdAt": utcnow(), "errors": []}


def _update_cluster_version(self, name, version):  # type: ignore[no-untyped-def]
    """UpdateClusterVersion (API_UpdateClusterVersion.html): the next minor
    version only, never down; Successful at once."""
    from moto.core.utils import utcnow
    from moto.eks.exceptions import ResourceNotFoundException
    from moto.moto_api._internal import mock_random

    cluster = self.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(
            clusterName=name, nodegroupName=None, fargateProfileName=None, addonName=None, message=f"No cluster found for name: {name}."
        )
    version = str(version or "")
    if not VERSION_RE.match(version):
        raise _invalid(f"unsupported Kubernetes version {version}")
    old, new = _version_tuple(cluster.version), _version_tuple(version)
    if new == old:
        raise _invalid(f"Cluster is already at the desired configuration with version: {version}")
    if new < old or new[1] - old[1] > 1:
        raise _invalid(f"Unsupported Kubernetes minor version update from {cluster.version} to {version}")
    cluster.version = version
    return {"id": str(mock_random.uuid4()), "status": "Successful", "type": "VersionUpdate",
            "params": [{"type": "Version", "value": version}], "createdAt": utcnow(), "errors": []}


def _r_update_cluster_version(self):  # type: ignore[no-untyped-def]
    from moto.core.responses import ActionResult

    update = self.eks_backend.update_cluster_version(name=_cluster_name(self), version=self._get_param("version"))
    return ActionResult({"update": update})


def _cluster_name(response: Any) -> str:
    match = re.search(r"/clusters/([^/]+)/", response.raw_path.split("?")[0])
    assert match, response.raw_path
    return unquote(match.group(1))


def _r_update_cluster_config(self):  # type: ignore[no-untyped-def]
    from moto.core.responses import ActionResult

    update = self.eks_backend.update_cluster_config(
        name=self._get_param("name"),
        resources_vpc_config=self._get_param("resourcesVpcConfig"),
        logging=self._get_param("logging"),
        client_request_token=self._get_param("clientRequestToken"),
        kubernetes_network_config=self._get_param("kubernetesNetworkConfig"),
        remote_network_config=self._get_param("remoteNetworkConfig"),
    )
    return ActionResult({"update": update})


def _create_cluster_security_group(cluster: Any) -> str:
    """The cluster security group EKS creates in the cluster's VPC
    (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html):
    a real EC2 security group, so launch templates and instances can use the
    ClusterSecurityGroupId.  Without a VPC moto knows, an id only."""
    from moto.ec2.models import ec2_backends
    from moto.moto_api._internal import mock_random

    vpc_id = (cluster.resources_vpc_config or {}).get("vpcId")
    if not vpc_id:
        return f"sg-{mock_random.get_random_hex(17)}"
    account, region = cluster.arn.split(":")[4], cluster.arn.split(":")[3]
    group = ec2_backends[account][region].create_security_group(
        name=f"eks-cluster-sg-{cluster.name}-{mock_random.get_random_hex(10)}",
        description="EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, "
        "as well as any managed workloads.",
        vpc_id=vpc_id,
        tags={"aws:eks:cluster-name": cluster.name, f"kubernetes.io/cluster/{cluster.name}": "owned"},
    )
    return group.id


def _delete_cluster_security_group(cluster: Any, group_id: str) -> None:
    """EKS deletes the cluster security group with its cluster."""
    from moto.ec2.models import ec2_backends

    account, region = cluster.arn.split(":")[4], cluster.arn.split(":")[3]
    try:
        ec2_backends[account][region].delete_security_group(group_id=group_id)
    except Exception:  # noqa: BLE001 - never created (no VPC) or already gone
        pass


def _vpc_of(cluster: Any) -> str | None:
    from moto.ec2.models import ec2_backends

    subnets = (cluster.resources_vpc_config or {}).get("subnetIds") or []
    if not subnets:
        return None
    account, region = cluster.arn.split(":")[4], cluster.arn.split(":")[3]
    try:
        return ec2_backends[account][region].get_subnet(subnets[0]).vpc_id
    except Exception:  # noqa: BLE001 - a subnet moto does not know
        return None


def _vpc_config(props: dict[str, Any]) -> dict[str, Any]:
    vpc = props.get("ResourcesVpcConfig") or {}
    out: dict[str, Any] = {
        "subnetIds": list(vpc.get("SubnetIds") or []),
        "securityGroupIds": list(vpc.get("SecurityGroupIds") or []),
        "endpointPublicAccess": to_bool(vpc.get("EndpointPublicAccess")) is not False,
        "endpointPrivateAccess": bool(to_bool(vpc.get("EndpointPrivateAccess"))),
    }
    if out["endpointPublicAccess"]:
        out["publicAccessCidrs"] = list(vpc.get("PublicAccessCidrs") or ["0.0.0.0/0"])
    elif vpc.get("PublicAccessCidrs"):
        out["publicAccessCidrs"] = list(vpc["PublicAccessCidrs"])
    if not out["endpointPublicAccess"] and not out["endpointPrivateAccess"]:
        raise _invalid("Cluster endpoint access must have at least one of public or private access enabled.")
    if len(out["subnetIds"]) < 2:
        raise _invalid("Subnets specified must be in at least two different AZs")
    return out


def _logging(props: dict[str, Any]) -> dict[str, Any]:
    enabled = [t["Type"] for t in (((props.get("Logging") or {}).get("ClusterLogging") or {}).get("EnabledTypes") or [])]
    for t in enabled:
        if t not in LOG_TYPES:
            raise _invalid(f"Invalid log type {t}")
    disabled = [t for t in LOG_TYPES if t not in enabled]
    out = []
    if enabled:
        out.append({"types": enabled, "enabled": True})
    if disabled:
        out.append({"types": disabled, "enabled": False})
    return {"clusterLogging": out}


def _encryption(props: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for cfg in props.get("EncryptionConfig") or []:
        resources = list(cfg.get("Resources") or [])
        if resources != ["secrets"]:
            raise _invalid("The only supported value for encryptionConfig resources is secrets")
        key = (cfg.get("Provider") or {}).get("KeyArn")
        if not key:
            raise _invalid("provider.keyArn is required")
        out.append({"resources": resources, "provider": {"keyArn": key}})
    if len(out) > 1:
        raise _invalid("encryptionConfig can contain at most one element")
    return out


def _version_tuple(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _define_models() -> list[type]:
    from moto.core.common_models import CloudFormationModel
    from moto.eks.models import eks_backends

    class CfnEksCluster(Handle, CloudFormationModel):
        """AWS::EKS::Cluster: Ref = cluster name."""

        __module__ = _MODULE
        RTYPE = "AWS::EKS::Cluster"
        NAME_PROP = "Name"
        ATTRS = (
            "Arn", "CertificateAuthorityData", "ClusterSecurityGroupId", "EncryptionConfigKeyArn", "Endpoint", "Id",
            "OpenIdConnectIssuerUrl",
        )

        def _live(self) -> Any:
            return eks_backends[self.account_id][self.region_name].clusters.get(self.name)

        cluster = property(_live)

        def _live_attribute(self, c: Any, attribute_name: str) -> Any:
            return {
                "Arn": c.arn,
                "CertificateAuthorityData": c.certificate_authority["data"],
                "ClusterSecurityGroupId": c.resources_vpc_config.get("clusterSecurityGroupId"),
                "EncryptionConfigKeyArn": (c.encryption_config[0]["provider"]["keyArn"] if c.encryption_config else ""),
                "Endpoint": c.endpoint,
                "Id": getattr(c, "_ext_id", c.name),
                "OpenIdConnectIssuerUrl": c.identity["oidc"]["issuer"],
            }[attribute_name]

        @classmethod
        def _replaces(cls, original, cloudformation_json, changed):  # type: ignore[no-untyped-def]
            new = cloudformation_json.get("Properties") or {}
            old_vpc, new_vpc = original.props.get("ResourcesVpcConfig") or {}, new.get("ResourcesVpcConfig") or {}
            if any(old_vpc.get(k) != new_vpc.get(k) for k in ("SubnetIds", "SecurityGroupIds")):
                return True
            old_access, new_access = original.props.get("AccessConfig") or {}, new.get("AccessConfig") or {}
            return to_bool(old_access.get("BootstrapClusterCreatorAdminPermissions")) != to_bool(new_access.get("BootstrapClusterCreatorAdminPermissions"))

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, CLUSTER_PROPS)
            name = props.get("Name") or generated_id(resource_name, 100, lower=False)
            version = str(props.get("Version") or "1.31")
            if not VERSION_RE.match(version):
                raise _invalid(f"unsupported Kubernetes version {version}")
            access = props.get("AccessConfig") or {}
            mode = access.get("AuthenticationMode") or "CONFIG_MAP"
            if mode not in AUTH_MODES:
                raise _invalid(f"Invalid authenticationMode {mode}")
            network = props.get("KubernetesNetworkConfig") or {}
            backend = eks_backends[account_id][region_name]
            cluster = backend.create_cluster(
                name=name,
                role_arn=props.get("RoleArn"),
                resources_vpc_config=_vpc_config(props),
                version=version,
                kubernetes_network_config={
                    "serviceIpv4Cidr": network.get("ServiceIpv4Cidr") or "10.100.0.0/16",
                    "ipFamily": network.get("IpFamily") or "ipv4",
                },
                logging=_logging(props),
                tags=tags_dict(props.get("Tags")),
                encryption_config=_encryption(props),
            )
            cluster.access_config = {
                "authenticationMode": mode,
                "bootstrapClusterCreatorAdminPermissions": to_bool(access.get("BootstrapClusterCreatorAdminPermissions")) is not False,
            }
            from moto.moto_api._internal import mock_random

            cluster._ext_id = mock_random.uuid4().hex
            return cls(account_id, region_name, name, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            refuse_unmodelled(self.RTYPE, props, CLUSTER_PROPS)
            c = eks_backends[self.account_id][self.region_name].clusters[self.name]
            if "Version" in changed:
                new = str(props.get("Version") or "1.31")
                if not VERSION_RE.match(new):
                    raise _invalid(f"unsupported Kubernetes version {new}")
                old = _version_tuple(c.version)
                if _version_tuple(new) < old:
                    raise _invalid(f"Unsupported Kubernetes minor version update from {c.version} to {new}")
                if _version_tuple(new)[1] - old[1] > 1:
                    raise _invalid(f"Unsupported Kubernetes minor version update from {c.version} to {new}")
                c.version = new
            if "ResourcesVpcConfig" in changed:
                vpc = _vpc_config(props)
                for key in ("endpointPublicAccess", "endpointPrivateAccess"):
                    c.resources_vpc_config[key] = vpc[key]
                if "publicAccessCidrs" in vpc:
                    c.resources_vpc_config["publicAccessCidrs"] = vpc["publicAccessCidrs"]
                else:
                    c.resources_vpc_config.pop("publicAccessCidrs", None)
            if "Logging" in changed:
                c.logging = _logging(props)
            if "EncryptionConfig" in changed:
                new_enc = _encryption(props)
                if c.encryption_config:
                    raise _invalid_request("Encryption config cannot be changed or removed once the cluster has one")
                c.encryption_config = new_enc  # AssociateEncryptionConfig
            if "AccessConfig" in changed:
                mode = (props.get("AccessConfig") or {}).get("AuthenticationMode") or "CONFIG_MAP"
                if mode not in AUTH_MODES:
                    raise _invalid(f"Invalid authenticationMode {mode}")
                if AUTH_MODES.index(mode) < AUTH_MODES.index(c.access_config["authenticationMode"]):
                    raise _invalid_request(
                        f"Unsupported authentication mode update from {c.access_config['authenticationMode']} to {mode}"
                    )
                c.access_config["authenticationMode"] = mode
            if "Tags" in changed:
                c.tags = tags_dict(props.get("Tags"))

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = eks_backends[self.account_id][self.region_name]
            if self.name in backend.clusters:
                backend.delete_cluster(self.name)  # refused while node groups remain

    class CfnEksAccessEntry(Handle, CloudFormationModel):
        """AWS::EKS::AccessEntry: Ref = "<cluster>|<principal ARN>"; GetAtt AccessEntryArn."""

        __module__ = _MODULE
        RTYPE = "AWS::EKS::AccessEntry"
        ATTRS = ("AccessEntryArn",)

        @property
        def physical_resource_id(self) -> str:
            return f"{self.props['ClusterName']}|{self.props['PrincipalArn']}"

        def _entry(self) -> AccessEntry | None:
            c = eks_backends[self.account_id][self.region_name].clusters.get(self.props["ClusterName"])
            return _entries(c).get(self.props["PrincipalArn"]) if c is not None else None

        def _attribute(self, attribute_name: str) -> Any:
            entry = self._entry()
            return entry.access_entry_arn if entry else None

        @staticmethod
        def _policies(entry: AccessEntry, props: dict[str, Any]) -> None:
            entry.policies = {}
            for policy in props.get("AccessPolicies") or []:
                arn = policy.get("PolicyArn", "")
                if not arn.startswith("arn:aws:eks::aws:cluster-access-policy/"):
                    raise _invalid(f"The policyArn parameter format is not valid: {arn}")
                scope = policy.get("AccessScope") or {}
                entry.policies[arn] = {"type": scope.get("Type", "cluster"), "namespaces": list(scope.get("Namespaces") or [])}

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"AccessPolicies", "ClusterName", "KubernetesGroups", "PrincipalArn", "Tags", "Type", "Username"})
            backend = eks_backends[account_id][region_name]
            entry = backend.create_access_entry(
                cluster_name=props.get("ClusterName"),
                principal_arn=props.get("PrincipalArn"),
                kubernetes_groups=props.get("KubernetesGroups"),
                username=props.get("Username"),
                entry_type=props.get("Type"),
                tags=tags_dict(props.get("Tags")),
            )
            cls._policies(entry, props)
            return cls(account_id, region_name, f"{props['ClusterName']}|{props['PrincipalArn']}", props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            backend = eks_backends[self.account_id][self.region_name]
            entry = backend.update_access_entry(
                props["ClusterName"], props["PrincipalArn"],
                kubernetes_groups=props.get("KubernetesGroups") or [],
                username=props.get("Username") or entry_default_username(self._entry()),
            )
            self._policies(entry, props)
            if "Tags" in changed:
                entry.tags = tags_dict(props.get("Tags"))

        def _delete(self):  # type: ignore[no-untyped-def]
            if self._entry() is not None:
                eks_backends[self.account_id][self.region_name].delete_access_entry(self.props["ClusterName"], self.props["PrincipalArn"])

    def entry_default_username(entry: AccessEntry | None) -> str | None:
        return entry.username if entry else None

    return [CfnEksCluster, CfnEksAccessEntry]


@install_once
def install() -> None:
    _patch_backend()
    _define_models()
    register_types({
        "AWS::EKS::Cluster": {"Name", "RoleArn", "KubernetesNetworkConfig"},
        "AWS::EKS::AccessEntry": {"ClusterName", "PrincipalArn", "Type"},
    })


_ = copy  # kept for symmetry with the other modules
