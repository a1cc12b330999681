"""Amazon DocumentDB on moto 5.2.5 (the harness side of the [database] tier).

The DocumentDB API is the RDS query API signed as ``rds`` (boto3's ``docdb``
client talks to moto's RDS backend).  moto 5.2.5 refuses ``Engine=docdb`` for
clusters and instances, fails (HTTP 500) on a docdb global cluster, and its
CloudFormation has none of the ``AWS::DocDB::*`` types (it logs "No Moto
CloudFormation support", reports CREATE_COMPLETE with nothing created, and a
GetAtt on them is an HTTP 500).

Gaps filled:
  * the RDS backend accepts engine ``docdb`` for clusters, instances and global
    clusters, with DocumentDB's defaults: port 27017, engine version 5.0.0,
    engine versions 3.6.0 / 4.0.0 / 5.0.0 / 8.0.0 (anything else is refused),
    the default cluster parameter group ``default.docdb<major.minor>``,
    endpoints under ``docdb.amazonaws.com``; a docdb cluster without a master
    password (and without ManageMasterUserPassword, and not a global
    secondary) is refused, as AWS does; a docdb instance must name its cluster.
  * CloudFormation types on moto's own RDS backend:
      AWS::DocDB::DBSubnetGroup            -> CfnDocDBSubnetGroup
      AWS::DocDB::DBClusterParameterGroup  -> CfnDocDBClusterParameterGroup
      AWS::DocDB::DBCluster                -> CfnDocDBCluster
      AWS::DocDB::DBInstance               -> CfnDocDBInstance
      AWS::DocDB::GlobalCluster            -> CfnDocDBGlobalCluster
    with the replacement rules of AWS's CloudFormation resource reference.

Refused loudly (ValidationError naming the property): restore/clone
properties (SnapshotIdentifier, SourceDBClusterIdentifier, RestoreType,
RestoreToTime, UseLatestRestorableTime), ServerlessV2ScalingConfiguration,
and moving an existing cluster into or out of a global cluster by an update.

AWS documentation:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbcluster.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbinstance.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbsubnetgroup.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbclusterparametergroup.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-globalcluster.html
  https://docs.aws.amazon.com/documentdb/latest/developerguide/db-cluster-parameters.html
"""

from __future__ import annotations

import json
from typing import Any

from ext_base import (
    Handle,
    generated_id,
    install_once,
    refuse_unmodelled,
    register_types,
    to_bool,
    to_int,
)

ENGINE = "docdb"
PORT = 27017
DEFAULT_VERSION = "5.0.0"
VERSIONS = ("3.6.0", "4.0.0", "5.0.0", "8.0.0")
FAMILIES = ("docdb3.6", "docdb4.0", "docdb5.0", "docdb8.0")
LOG_EXPORTS = ("audit", "profiler")
_MODULE = "moto.rds.streamscale_docdb"


def family_of(version: str) -> str:
    major, minor = (version.split(".") + ["0"])[:2]
    return f"docdb{major}.{minor}"


def _patch_rds() -> None:
    from moto.rds import models as rds_models
    from moto.rds import utils as rds_utils
    from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue

    ClusterEngine = rds_utils.ClusterEngine
    DbInstanceEngine = rds_utils.DbInstanceEngine
    DBCluster = rds_models.DBCluster
    DBInstance = rds_models.DBInstance
    DBInstanceClustered = rds_models.DBInstanceClustered

    # Gap: "Engine 'docdb' is not supported" for clusters and instances.
    orig_cluster_engines = ClusterEngine.list_cluster_engines.__func__
    orig_instance_engines = DbInstanceEngine.valid_db_instance_engine.__func__
    ClusterEngine.list_cluster_engines = classmethod(lambda cls: sorted(orig_cluster_engines(cls) + [ENGINE]))
    DbInstanceEngine.valid_db_instance_engine = classmethod(lambda cls: sorted(orig_instance_engines(cls) + [ENGINE]))

    # Gap: the defaults are dict lookups without docdb (KeyError -> HTTP 500,
    # e.g. CreateGlobalCluster Engine=docdb).
    def _with_docdb(orig: Any, value: Any) -> Any:
        def wrapped(engine: str, *args: Any, **kwargs: Any) -> Any:
            if engine == ENGINE:
                return value(*args, **kwargs) if callable(value) else value
            return orig(engine, *args, **kwargs)

        return staticmethod(wrapped)

    DBCluster.default_engine_version = _with_docdb(DBCluster.default_engine_version, DEFAULT_VERSION)
    DBCluster.default_port = _with_docdb(DBCluster.default_port, PORT)
    DBCluster.default_allocated_storage = _with_docdb(DBCluster.default_allocated_storage, lambda storage_type: 1)
    DBInstance.default_port = _with_docdb(DBInstance.default_port, PORT)
    DBInstance.default_allocated_storage = _with_docdb(DBInstance.default_allocated_storage, lambda storage_type: 1)
    DBInstance.default_engine_versions = dict(DBInstance.default_engine_versions, docdb=DEFAULT_VERSION)

    orig_cluster_init = DBCluster.__init__

    def _cluster_init(self, backend, db_cluster_identifier, engine, *args, **kwargs):  # type: ignore[no-untyped-def]
        if engine == ENGINE:
            version = kwargs.get("engine_version")
            if version and version not in VERSIONS:
                raise InvalidParameterCombination(f"Cannot find version {version} for {ENGINE}")
            secondary = bool(kwargs.get("global_cluster_identifier")) and not kwargs.get("master_username")
            if (
                not secondary
                and not kwargs.get("manage_master_user_password")
                and not kwargs.get("master_user_password")
            ):
                raise InvalidParameterValue("The parameter MasterUserPassword must be provided and must not be blank.")
            if kwargs.get("manage_master_user_password") and kwargs.get("master_user_password"):
                raise InvalidParameterCombination(
                    "Cannot specify both MasterUserPassword and ManageMasterUserPassword."
                )
        orig_cluster_init(self, backend, db_cluster_identifier, engine, *args, **kwargs)
        if engine == ENGINE:
            if not kwargs.get("db_cluster_parameter_group_name"):
                self.parameter_group = f"default.{family_of(self.engine_version)}"
            self.option_group_name = None
            # a cluster's zones are its subnet group's (moto: REGIONa-c always)
            group = backend.subnet_groups.get(self.db_subnet_group_name or "") if not kwargs.get("availability_zones") else None
            subnets = getattr(group, "_subnets", None) or []
            zones = sorted({s.availability_zone for s in subnets if getattr(s, "availability_zone", None)})
            if zones:
                self.availability_zones = zones

    DBCluster.__init__ = _cluster_init

    # DocumentDB endpoints: <id>.cluster-<x>.<region>.docdb.amazonaws.com
    orig_endpoint = DBCluster.endpoint
    orig_reader = DBCluster.reader_endpoint

    def _docdb_host(value: str, engine: str) -> str:
        return value.replace(".rds.amazonaws.com", ".docdb.amazonaws.com") if engine == ENGINE else value

    DBCluster.endpoint = property(lambda self: _docdb_host(orig_endpoint.fget(self), self.engine))
    DBCluster.reader_endpoint = property(lambda self: _docdb_host(orig_reader.fget(self), self.engine))
    orig_address = DBInstance.address
    DBInstance.address = property(lambda self: _docdb_host(orig_address.fget(self), self.engine))

    orig_instance_init = DBInstance.__init__

    def _instance_init(self, backend, db_instance_identifier, db_instance_class, engine, *args, **kwargs):  # type: ignore[no-untyped-def]
        if engine == ENGINE and not isinstance(self, DBInstanceClustered):
            # DocumentDB has no stand-alone instances
            raise InvalidParameterValue("The parameter DBClusterIdentifier must be provided and must not be blank.")
        orig_instance_init(self, backend, db_instance_identifier, db_instance_class, engine, *args, **kwargs)

    DBInstance.__init__ = _instance_init

    # Gap: DeleteGlobalCluster ignores DeletionProtection.
    Backend = rds_models.RDSBackend
    orig_delete_global = Backend.delete_global_cluster

    def _delete_global_cluster(self, global_cluster_identifier):  # type: ignore[no-untyped-def]
        gc = self.global_clusters.get(global_cluster_identifier)
        if gc is not None and gc.deletion_protection:
            raise InvalidParameterCombination(
                "Cannot delete protected Global Cluster, please disable deletion protection and try again."
            )
        return orig_delete_global(self, global_cluster_identifier)

    Backend.delete_global_cluster = _delete_global_cluster


def _backend(account_id: str, region_name: str) -> Any:
    from moto.rds.models import rds_backends

    return rds_backends[account_id][region_name]


def _global_backend(account_id: str) -> Any:
    """moto keeps global clusters in us-east-1's backend (its responses do)."""
    from moto.rds.models import rds_backends

    return rds_backends[account_id]["us-east-1"]


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in props.get("Tags") or []]


def _define_models() -> list[type]:
    from moto.core.common_models import CloudFormationModel
    from moto.ec2.models import ec2_backends
    from moto.rds.exceptions import (
        DBClusterNotFoundError,
        DBClusterParameterGroupNotFoundError,
        DBSubnetGroupNotFoundError,
        InvalidParameterCombination,
        InvalidParameterValue,
        RDSClientError,
    )

    class CfnDocDBSubnetGroup(Handle, CloudFormationModel):
        """AWS::DocDB::DBSubnetGroup: Ref = name (lower case)."""

        __module__ = _MODULE
        RTYPE = "AWS::DocDB::DBSubnetGroup"
        NAME_PROP = "DBSubnetGroupName"
        NAME_CASE_INSENSITIVE = True

        @staticmethod
        def _subnets(props: dict[str, Any], account_id: str, region_name: str) -> list[Any]:
            ec2 = ec2_backends[account_id][region_name]
            subnets = [ec2.get_subnet(s) for s in props.get("SubnetIds") or []]
            zones = {s.availability_zone for s in subnets}
            if len(zones) < 2:
                # AWS: a DocumentDB subnet group covers at least two AZs
                raise RDSClientError(
                    "DBSubnetGroupDoesNotCoverEnoughAZs",
                    "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. "
                    f"Current AZ coverage: {', '.join(sorted(zones)) or 'none'}. Add subnets to cover at least 2 AZs.",
                )
            return subnets

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"DBSubnetGroupName", "DBSubnetGroupDescription", "SubnetIds", "Tags"})
            name = (props.get("DBSubnetGroupName") or generated_id(resource_name, 255)).lower()
            if not props.get("DBSubnetGroupDescription"):
                raise InvalidParameterValue("The parameter DBSubnetGroupDescription must be provided and must not be blank.")
            subnets = cls._subnets(props, account_id, region_name)
            _backend(account_id, region_name).create_subnet_group(name, props["DBSubnetGroupDescription"], subnets, _tags(props))
            return cls(account_id, region_name, name, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            backend = _backend(self.account_id, self.region_name)
            group = backend.subnet_groups[self.name]
            if "SubnetIds" in changed:
                subnets = self._subnets(props, self.account_id, self.region_name)
                group.subnets = subnets
                group.vpc_id = subnets[0].vpc_id
            if "DBSubnetGroupDescription" in changed:
                group.description = props.get("DBSubnetGroupDescription")
            if "Tags" in changed:
                group.tags = _tags(props)

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = _backend(self.account_id, self.region_name)
            users = [c.db_cluster_identifier for c in backend.clusters.values() if c.db_subnet_group_name == self.name]
            if users:  # the stack delete retries once the cluster is gone
                raise RDSClientError(
                    "InvalidDBSubnetGroupStateFault",
                    f"Cannot delete the subnet group '{self.name}' because at least one database cluster: {users[0]} is still using it.",
                )
            backend.subnet_groups.pop(self.name, None)

    class CfnDocDBClusterParameterGroup(Handle, CloudFormationModel):
        """AWS::DocDB::DBClusterParameterGroup: Ref = name."""

        __module__ = _MODULE
        RTYPE = "AWS::DocDB::DBClusterParameterGroup"
        NAME_PROP = "Name"
        NAME_CASE_INSENSITIVE = True

        @staticmethod
        def _parameters(props: dict[str, Any]) -> list[dict[str, Any]]:
            params = props.get("Parameters") or {}
            if isinstance(params, str):
                params = json.loads(params)
            return [
                {"ParameterName": k, "ParameterValue": str(v).lower() if isinstance(v, bool) else str(v), "ApplyMethod": "pending-reboot"}
                for k, v in params.items()
            ]

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"Name", "Description", "Family", "Parameters", "Tags"})
            family = props.get("Family")
            if family not in FAMILIES:
                raise InvalidParameterValue(f"Invalid or unsupported DBParameterGroupFamily: {family}")
            name = (props.get("Name") or generated_id(resource_name, 255)).lower()
            backend = _backend(account_id, region_name)
            group = backend.create_db_cluster_parameter_group(name, family, props.get("Description"), _tags(props))
            group.update_cluster_parameters(cls._parameters(props))
            return cls(account_id, region_name, name, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            group = _backend(self.account_id, self.region_name).db_cluster_parameter_groups[self.name]
            if "Parameters" in changed:
                group.parameters.clear()
                group.update_cluster_parameters(self._parameters(props))
            if "Tags" in changed:
                group.tags = _tags(props)

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = _backend(self.account_id, self.region_name)
            if any(c.parameter_group == self.name for c in backend.clusters.values()):
                raise RDSClientError(
                    "InvalidDBParameterGroupState",
                    f"One or more database clusters are still members of this parameter group {self.name}, so the group cannot be deleted",
                )
            backend.db_cluster_parameter_groups.pop(self.name, None)

    CLUSTER_PROPS = {
        "AvailabilityZones", "BackupRetentionPeriod", "CopyTagsToSnapshot", "DBClusterIdentifier",
        "DBClusterParameterGroupName", "DBSubnetGroupName", "DeletionProtection", "EnableCloudwatchLogsExports",
        "EngineVersion", "GlobalClusterIdentifier", "KmsKeyId", "ManageMasterUserPassword", "MasterUsername",
        "MasterUserPassword", "MasterUserSecretKmsKeyId", "NetworkType", "Port", "PreferredBackupWindow",
        "PreferredMaintenanceWindow", "RotateMasterUserPassword", "StorageEncrypted", "StorageType", "Tags",
        "VpcSecurityGroupIds",
    }

    class CfnDocDBCluster(Handle, CloudFormationModel):
        """AWS::DocDB::DBCluster: Ref = cluster identifier; GetAtt
        ClusterResourceId, Endpoint, Port, ReadEndpoint."""

        __module__ = _MODULE
        RTYPE = "AWS::DocDB::DBCluster"
        NAME_PROP = "DBClusterIdentifier"
        NAME_CASE_INSENSITIVE = True
        ATTRS = ("ClusterResourceId", "Endpoint", "Port", "ReadEndpoint")

        def _live(self) -> Any:
            return _backend(self.account_id, self.region_name).clusters.get(self.name)

        cluster = property(_live)

        def _live_attribute(self, cluster: Any, attribute_name: str) -> Any:
            return {
                "ClusterResourceId": cluster.db_cluster_resource_id,
                "Endpoint": cluster.endpoint,
                "ReadEndpoint": cluster.reader_endpoint,
                "Port": str(cluster.port),
            }[attribute_name]

        @staticmethod
        def _validate(props: dict[str, Any], backend: Any) -> None:
            refuse_unmodelled(CfnDocDBCluster.RTYPE, props, CLUSTER_PROPS)
            group = props.get("DBClusterParameterGroupName")
            version = props.get("EngineVersion") or DEFAULT_VERSION
            if version not in VERSIONS:
                raise InvalidParameterCombination(f"Cannot find version {version} for {ENGINE}")
            if group:
                if group.lower().startswith("default.docdb"):
                    family = group.lower()[len("default."):]
                elif group.lower() in backend.db_cluster_parameter_groups:
                    family = backend.db_cluster_parameter_groups[group.lower()].db_parameter_group_family
                else:
                    raise DBClusterParameterGroupNotFoundError(group)
                if family != family_of(version):
                    raise InvalidParameterCombination(
                        f"The parameter group {group} with DBParameterGroupFamily {family} can't be used for this "
                        f"cluster. Use a parameter group with DBParameterGroupFamily {family_of(version)}."
                    )
            subnet_group = props.get("DBSubnetGroupName")
            if subnet_group and subnet_group.lower() not in backend.subnet_groups:
                raise DBSubnetGroupNotFoundError(subnet_group)
            if props.get("KmsKeyId") and not to_bool(props.get("StorageEncrypted")):
                raise InvalidParameterCombination("The KmsKeyId parameter is only valid when StorageEncrypted is true.")
            for log_type in props.get("EnableCloudwatchLogsExports") or []:
                if log_type not in LOG_EXPORTS:
                    raise InvalidParameterValue(f"Invalid log type {log_type} for engine {ENGINE}; valid types: audit, profiler.")
            retention = to_int(props.get("BackupRetentionPeriod"))
            if retention is not None and not 1 <= retention <= 35:
                raise InvalidParameterValue("Invalid backup retention period: must be between 1 and 35 days.")

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            backend = _backend(account_id, region_name)
            cls._validate(props, backend)
            ident = (props.get("DBClusterIdentifier") or generated_id(resource_name, 63)).lower()
            global_id = props.get("GlobalClusterIdentifier")
            if global_id:
                from moto.rds.models import rds_backends

                if not any(global_id in b.global_clusters for b in rds_backends[account_id].values()):
                    raise RDSClientError("GlobalClusterNotFoundFault", f"Global cluster {global_id} not found.")
            kwargs: dict[str, Any] = {
                "db_cluster_identifier": ident,
                "engine": ENGINE,
                "engine_version": props.get("EngineVersion") or DEFAULT_VERSION,
                "availability_zones": props.get("AvailabilityZones"),
                "backup_retention_period": to_int(props.get("BackupRetentionPeriod")) or 1,
                "copy_tags_to_snapshot": bool(to_bool(props.get("CopyTagsToSnapshot"))),
                "db_cluster_parameter_group_name": (props.get("DBClusterParameterGroupName") or "").lower() or None,
                "db_subnet_group_name": (props.get("DBSubnetGroupName") or "").lower() or None,
                "deletion_protection": bool(to_bool(props.get("DeletionProtection"))),
                "enable_cloudwatch_logs_exports": list(props.get("EnableCloudwatchLogsExports") or []),
                "kms_key_id": props.get("KmsKeyId"),
                "master_username": props.get("MasterUsername"),
                "master_user_password": props.get("MasterUserPassword"),
                "manage_master_user_password": bool(to_bool(props.get("ManageMasterUserPassword"))),
                "master_user_secret_kms_key_id": props.get("MasterUserSecretKmsKeyId"),
                "network_type": props.get("NetworkType"),
                "port": to_int(props.get("Port")),
                "storage_encrypted": bool(to_bool(props.get("StorageEncrypted"))),
                "storage_type": props.get("StorageType") or "standard",
                "tags": _tags(props),
                "vpc_security_group_ids": list(props.get("VpcSecurityGroupIds") or []),
                "global_cluster_identifier": global_id or None,
            }
            for key, prop in (("preferred_backup_window", "PreferredBackupWindow"), ("preferred_maintenance_window", "PreferredMaintenanceWindow")):
                if props.get(prop):
                    kwargs[key] = props[prop]
            backend.create_db_cluster(kwargs)
            cluster = backend.clusters[ident]
            cluster.status = "available"
            return cls(account_id, region_name, ident, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            backend = _backend(self.account_id, self.region_name)
            cluster = backend.clusters[self.name]
            self._validate(props, backend)
            if "GlobalClusterIdentifier" in changed:
                from moto.cloudformation.exceptions import ValidationError

                raise ValidationError(
                    message=f"{self.RTYPE}: the streamscale moto harness does not model adding or removing "
                    "an existing cluster to or from a global cluster by an update"
                )
            if "EngineVersion" in changed:
                new = props.get("EngineVersion") or DEFAULT_VERSION
                if tuple(map(int, new.split("."))) < tuple(map(int, cluster.engine_version.split("."))):
                    raise InvalidParameterCombination(
                        f"Cannot upgrade {ENGINE} from {cluster.engine_version} to {new}"
                    )
                cluster.engine_version = new
                if not props.get("DBClusterParameterGroupName"):
                    cluster.parameter_group = f"default.{family_of(new)}"
            if "DBClusterParameterGroupName" in changed:
                cluster.parameter_group = (props.get("DBClusterParameterGroupName") or "").lower() or f"default.{family_of(cluster.engine_version)}"
            simple = {
                "BackupRetentionPeriod": ("backup_retention_period", lambda v: to_int(v) or 1),
                "CopyTagsToSnapshot": ("copy_tags_to_snapshot", lambda v: bool(to_bool(v))),
                "DeletionProtection": ("deletion_protection", lambda v: bool(to_bool(v))),
                "EnableCloudwatchLogsExports": ("enabled_cloudwatch_logs_exports", lambda v: list(v or [])),
                "Port": ("port", lambda v: to_int(v) or PORT),
                "PreferredBackupWindow": ("preferred_backup_window", lambda v: v or cluster.preferred_backup_window),
                "PreferredMaintenanceWindow": ("preferred_maintenance_window", lambda v: v or cluster.preferred_maintenance_window),
                "StorageType": ("storage_type", lambda v: v or "standard"),
                "Tags": ("tags", lambda v: _tags({"Tags": v})),
                "VpcSecurityGroupIds": ("vpc_security_group_ids", lambda v: list(v or [])),
                "NetworkType": ("network_type", lambda v: v or "IPV4"),
            }
            for prop, (attr, convert) in simple.items():
                if prop in changed:
                    setattr(cluster, attr, convert(props.get(prop)))
            managed = bool(to_bool(props.get("ManageMasterUserPassword")))
            if managed and props.get("MasterUserPassword"):
                raise InvalidParameterCombination("Cannot specify both MasterUserPassword and ManageMasterUserPassword.")
            if "ManageMasterUserPassword" in changed or "MasterUserSecretKmsKeyId" in changed:
                kwargs: dict[str, Any] = {"db_cluster_identifier": self.name, "manage_master_user_password": managed}
                if managed:
                    kwargs["master_user_secret_kms_key_id"] = props.get("MasterUserSecretKmsKeyId")
                    if getattr(cluster, "manage_master_user_password", False):
                        cluster.master_user_secret.delete_secret()
                backend.modify_db_cluster(kwargs)
                cluster = backend.clusters[self.name]
            if "MasterUserPassword" in changed and not managed:
                cluster.master_user_password = props.get("MasterUserPassword") or ""
            if to_bool(props.get("RotateMasterUserPassword")) and managed:
                cluster.master_user_secret.rotate_secret()
            cluster.status = "available"

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = _backend(self.account_id, self.region_name)
            if self.name in backend.clusters:
                # refuses (and the stack delete retries) while instances
                # remain; refuses for good under DeletionProtection
                cluster = backend.clusters[self.name]
                backend.delete_db_cluster(self.name)
                # moto only detaches a member from a global cluster kept in
                # its own region's backend; they all live in us-east-1's
                for gc in _global_backend(self.account_id).global_clusters.values():
                    if cluster in gc.members:
                        gc.members.remove(cluster)

    INSTANCE_PROPS = {
        "AutoMinorVersionUpgrade", "AvailabilityZone", "CACertificateIdentifier", "CertificateRotationRestart",
        "DBClusterIdentifier", "DBInstanceClass", "DBInstanceIdentifier", "EnablePerformanceInsights",
        "PreferredMaintenanceWindow", "Tags",
    }

    class CfnDocDBInstance(Handle, CloudFormationModel):
        """AWS::DocDB::DBInstance: Ref = instance identifier; GetAtt Endpoint, Port."""

        __module__ = _MODULE
        RTYPE = "AWS::DocDB::DBInstance"
        NAME_PROP = "DBInstanceIdentifier"
        NAME_CASE_INSENSITIVE = True
        ATTRS = ("Endpoint", "Port")

        def _live(self) -> Any:
            return _backend(self.account_id, self.region_name).databases.get(self.name)

        instance = property(_live)

        def _live_attribute(self, db: Any, attribute_name: str) -> Any:
            return db.address if attribute_name == "Endpoint" else str(db.port)

        @staticmethod
        def _check_class(value: Any) -> str:
            if not value or not str(value).startswith("db."):
                raise InvalidParameterValue(f"Invalid DB Instance class: {value}")
            return str(value)

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, INSTANCE_PROPS)
            backend = _backend(account_id, region_name)
            cluster_id = (props.get("DBClusterIdentifier") or "").lower()
            if not cluster_id:
                raise InvalidParameterValue("The parameter DBClusterIdentifier must be provided and must not be blank.")
            if cluster_id not in backend.clusters:
                raise DBClusterNotFoundError(cluster_id)
            cluster = backend.clusters[cluster_id]
            ident = (props.get("DBInstanceIdentifier") or generated_id(resource_name, 63)).lower()
            zone = props.get("AvailabilityZone")
            if zone and cluster.availability_zones and zone not in cluster.availability_zones:
                raise InvalidParameterCombination(f"Availability zone '{zone}' is unavailable in this region, please choose another zone set.")
            kwargs: dict[str, Any] = {
                "db_instance_identifier": ident,
                "db_instance_class": cls._check_class(props.get("DBInstanceClass")),
                "engine": ENGINE,
                "db_cluster_identifier": cluster_id,
                "availability_zone": zone,
                "auto_minor_version_upgrade": to_bool(props.get("AutoMinorVersionUpgrade")) is not False,
                "tags": _tags(props),
                "port": cluster.port,
                "db_subnet_group_name": cluster.db_subnet_group_name,
                "storage_encrypted": cluster.storage_encrypted,
            }
            if props.get("PreferredMaintenanceWindow"):
                kwargs["preferred_maintenance_window"] = props["PreferredMaintenanceWindow"]
            db = backend.create_db_instance(kwargs)
            db.ca_certificate_identifier = props.get("CACertificateIdentifier") or "rds-ca-rsa2048-g1"
            db.performance_insights_enabled = bool(to_bool(props.get("EnablePerformanceInsights")))
            return cls(account_id, region_name, ident, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            refuse_unmodelled(self.RTYPE, props, INSTANCE_PROPS)
            db = _backend(self.account_id, self.region_name).databases[self.name]
            if "DBInstanceClass" in changed:  # in place (some interruption), same identifier and endpoint
                db.db_instance_class = self._check_class(props.get("DBInstanceClass"))
            if "AutoMinorVersionUpgrade" in changed:
                db.auto_minor_version_upgrade = to_bool(props.get("AutoMinorVersionUpgrade")) is not False
            if "PreferredMaintenanceWindow" in changed and props.get("PreferredMaintenanceWindow"):
                db.preferred_maintenance_window = props["PreferredMaintenanceWindow"]
            if "CACertificateIdentifier" in changed:
                db.ca_certificate_identifier = props.get("CACertificateIdentifier") or "rds-ca-rsa2048-g1"
            if "EnablePerformanceInsights" in changed:
                db.performance_insights_enabled = bool(to_bool(props.get("EnablePerformanceInsights")))
            if "Tags" in changed:
                db.tags = _tags(props)

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = _backend(self.account_id, self.region_name)
            if self.name in backend.databases:
                backend.delete_db_instance(self.name)

    class CfnDocDBGlobalCluster(Handle, CloudFormationModel):
        """AWS::DocDB::GlobalCluster: Ref = global cluster identifier."""

        __module__ = _MODULE
        RTYPE = "AWS::DocDB::GlobalCluster"
        NAME_PROP = "GlobalClusterIdentifier"
        NAME_CASE_INSENSITIVE = True

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(
                cls.RTYPE,
                props,
                {"DeletionProtection", "Engine", "EngineVersion", "GlobalClusterIdentifier", "SourceDBClusterIdentifier", "StorageEncrypted", "Tags"},
            )
            ident = props.get("GlobalClusterIdentifier")
            if not ident:
                raise InvalidParameterValue("The parameter GlobalClusterIdentifier must be provided and must not be blank.")
            backend = _backend(account_id, region_name)
            source = props.get("SourceDBClusterIdentifier")
            if ident in _global_backend(account_id).global_clusters:
                raise RDSClientError("GlobalClusterAlreadyExistsFault", f"Global cluster {ident} already exists")
            if source and not source.startswith("arn:"):
                if source.lower() not in backend.clusters:
                    raise DBClusterNotFoundError(source)
                source = backend.clusters[source.lower()].db_cluster_arn
            engine = None if source else (props.get("Engine") or ENGINE)
            if engine is not None and engine != ENGINE:
                raise InvalidParameterValue(f"Invalid engine {engine}: AWS::DocDB::GlobalCluster allows docdb only")
            version = props.get("EngineVersion")
            if version and version not in VERSIONS:
                raise InvalidParameterCombination(f"Cannot find version {version} for {ENGINE}")
            _global_backend(account_id).create_global_cluster(
                global_cluster_identifier=ident,
                source_db_cluster_identifier=source,
                engine=engine,
                engine_version=None if source else (version or DEFAULT_VERSION),
                storage_encrypted=to_bool(props.get("StorageEncrypted")),
                deletion_protection=to_bool(props.get("DeletionProtection")),
            )
            return cls(account_id, region_name, ident, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            gc = _global_backend(self.account_id).global_clusters[self.name]
            if "DeletionProtection" in changed:
                gc.deletion_protection = bool(to_bool(props.get("DeletionProtection")))

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = _global_backend(self.account_id)
            if self.name in backend.global_clusters:
                backend.delete_global_cluster(self.name)  # refused while it has member clusters

    return [CfnDocDBSubnetGroup, CfnDocDBClusterParameterGroup, CfnDocDBCluster, CfnDocDBInstance, CfnDocDBGlobalCluster]


REPLACEMENTS = {
    "AWS::DocDB::DBSubnetGroup": {"DBSubnetGroupName"},
    "AWS::DocDB::DBClusterParameterGroup": {"Name", "Description", "Family"},
    "AWS::DocDB::DBCluster": {
        "AvailabilityZones", "DBClusterIdentifier", "DBSubnetGroupName", "KmsKeyId", "MasterUsername",
        "RestoreToTime", "RestoreType", "SnapshotIdentifier", "SourceDBClusterIdentifier", "StorageEncrypted",
        "UseLatestRestorableTime",
    },
    "AWS::DocDB::DBInstance": {"AvailabilityZone", "DBClusterIdentifier", "DBInstanceIdentifier"},
    "AWS::DocDB::GlobalCluster": {"Engine", "EngineVersion", "GlobalClusterIdentifier", "SourceDBClusterIdentifier", "StorageEncrypted"},
}


def _patch_modify_global_cluster() -> None:
    """ModifyGlobalCluster (moto 5.2.5: not implemented): DeletionProtection
    in place, as the DocumentDB API does
    (https://docs.aws.amazon.com/documentdb/latest/developerguide/API_ModifyGlobalCluster.html);
    EngineVersion and NewGlobalClusterIdentifier are refused loudly."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import RDSClientError
    from moto.rds.responses import RDSResponse

    def modify_global_cluster(self):  # type: ignore[no-untyped-def]
        params = self.params
        ident = params.get("GlobalClusterIdentifier")
        cluster = self.global_backend.global_clusters.get(ident)
        if cluster is None:
            raise RDSClientError("GlobalClusterNotFoundFault", f"Global cluster {ident} not found.")
        for unmodelled in ("EngineVersion", "NewGlobalClusterIdentifier", "AllowMajorVersionUpgrade"):
            if params.get(unmodelled) is not None:
                raise RDSClientError("InvalidParameterValue", f"the test harness does not model ModifyGlobalCluster {unmodelled}")
        if params.get("DeletionProtection") is not None:
            cluster.deletion_protection = to_bool(params["DeletionProtection"])
        return ActionResult({"GlobalCluster": cluster})

    RDSResponse.modify_global_cluster = modify_global_cluster

    # ModifyDBSubnetGroup (moto 5.2.5) takes the group out of the backend and
    # never puts it back: the group vanished after any modification.
    from moto.rds.exceptions import DBSubnetGroupNotFoundError
    from moto.rds.models import RDSBackend

    def modify_db_subnet_group(self, subnet_name, description, subnets):  # type: ignore[no-untyped-def]
        subnet_group = self.subnet_groups.get(subnet_name)
        if subnet_group is None:
            raise DBSubnetGroupNotFoundError(subnet_name)
        subnet_group.subnets = subnets
        if description is not None:
            subnet_group.description = description
        return subnet_group

    RDSBackend.modify_db_subnet_group = modify_db_subnet_group


@install_once
def install() -> None:
    _patch_rds()
    _patch_modify_global_cluster()
    _define_models()
    register_types(REPLACEMENTS)
