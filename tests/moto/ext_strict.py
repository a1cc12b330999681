"""Service-API behaviours that moto 5.2.5 lacks or makes kinder than AWS.

Installed by ``moto_ext.install()``.  Each patch copies AWS's documented
behaviour (the page is named above it and in docs/moto.md):

  * PutScheduledUpdateGroupAction (and AWS::AutoScaling::ScheduledAction, which
    goes through the same backend call) accepts a StartTime in the past; AWS
    answers ``ValidationError: Given start time is in the past``
                                                  -> _patch_scheduled_action_start
  * DecreaseReplicaCount / IncreaseReplicaCount (ElastiCache) are not
    implemented (HTTP 500)                        -> _patch_replica_count
  * DescribeImages only knows moto's bundled AMIs: test AMIs (the plans' ids)
    can be registered per region, optionally deprecated
    (STREAMSCALE_MOTO_AMIS)                       -> _patch_amis
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import re
from typing import Any

# --------------------------------------------------------------------------
# Auto Scaling: a scheduled action may not start in the past
# --------------------------------------------------------------------------

#: AWS's answer (ValidationError, HTTP 400), e.g. as quoted in
#: hashicorp/terraform-provider-aws#3033.
PAST_START_MESSAGE = "Given start time is in the past"


def _parse_time(value: Any) -> _dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = _dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed


def _patch_scheduled_action_start() -> None:
    from moto.autoscaling import models as as_models
    from moto.autoscaling.exceptions import ValidationError

    Backend = as_models.AutoScalingBackend
    orig_put = Backend.put_scheduled_update_group_action

    # https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html
    # StartTime: "If you try to schedule your action in the past, Amazon EC2
    # Auto Scaling returns an error message."
    def _put(self, name, desired_capacity, max_size, min_size, scheduled_action_name, start_time, end_time, recurrence, timezone):  # type: ignore[no-untyped-def]
        start = _parse_time(start_time)
        if start is not None and start < _dt.datetime.now(_dt.timezone.utc):
            raise ValidationError(PAST_START_MESSAGE)
        return orig_put(
            self, name, desired_capacity, max_size, min_size, scheduled_action_name, start_time, end_time, recurrence, timezone
        )

    Backend.put_scheduled_update_group_action = _put


# --------------------------------------------------------------------------
# ElastiCache: DecreaseReplicaCount / IncreaseReplicaCount
# --------------------------------------------------------------------------

# AWS's limits (DecreaseReplicaCount / IncreaseReplicaCount API reference):
# at most 5 replicas per shard; at least 1 replica in a cluster-mode-disabled
# group with Multi-AZ (automatic failover) enabled, else 0.
MAX_REPLICAS = 5


def _replica_members(node_group: dict[str, Any]) -> list[dict[str, Any]]:
    members = node_group["node_group_members"]
    return [m for i, m in enumerate(members) if i > 0 and m.get("current_role", "replica") != "primary"]


def _new_member(group: Any, node_group: dict[str, Any], index: int, az: str | None) -> dict[str, Any]:
    template = copy.deepcopy(node_group["node_group_members"][-1])
    old_id = template["cache_cluster_id"]
    if group.cluster_enabled:
        new_id = f"{group.replication_group_id}-{node_group['node_group_id']}-{index:0>3}"
    else:
        new_id = f"{group.replication_group_id}-{index:0>3}"
    template["cache_cluster_id"] = new_id
    if "read_endpoint" in template:
        template["read_endpoint"]["address"] = template["read_endpoint"]["address"].replace(old_id, new_id, 1)
    if "current_role" in template:
        template["current_role"] = "replica"
    if az:
        template["preferred_availability_zone"] = az
    return template


def _change_replicas(backend: Any, params: dict[str, Any], increase: bool) -> Any:
    from moto.elasticache.exceptions import (
        InvalidParameterCombinationException,
        InvalidParameterValueException,
        ReplicationGroupNotFound,
    )

    group_id = params.get("ReplicationGroupId")
    group = backend.replication_groups.get(group_id)
    if group is None:
        raise ReplicationGroupNotFound(group_id)
    op = "IncreaseReplicaCount" if increase else "DecreaseReplicaCount"
    if params.get("ApplyImmediately") is not True:
        raise InvalidParameterValueException(f"{op}: ApplyImmediately=false is not currently supported.")
    new_count = params.get("NewReplicaCount")
    per_shard = {c["NodeGroupId"]: c for c in params.get("ReplicaConfiguration") or []}
    to_remove = list(params.get("ReplicasToRemove") or [])
    if new_count is None and not per_shard and not to_remove:
        raise InvalidParameterValueException(
            f"{op}: one of NewReplicaCount, ReplicaConfiguration"
            + ("" if increase else " or ReplicasToRemove")
            + " is required."
        )
    if group.status != "available":
        from moto.elasticache.exceptions import ElastiCacheException

        raise ElastiCacheException(
            "InvalidReplicationGroupState", f"Replication group {group_id} is not in available state."
        )
    minimum = 1 if (not group.cluster_enabled and group.automatic_failover == "enabled") else 0
    known = {m["cache_cluster_id"] for ng in group.node_groups for m in _replica_members(ng)}
    for cluster_id in to_remove:
        if cluster_id not in known:
            raise InvalidParameterValueException(f"Cache cluster {cluster_id} is not a replica of {group_id}.")
    plans: list[tuple[dict[str, Any], int, list[str]]] = []
    for node_group in group.node_groups:
        replicas = _replica_members(node_group)
        current = len(replicas)
        config = per_shard.get(node_group["node_group_id"])
        if config is not None:
            wanted = int(config["NewReplicaCount"])
            azs = list(config.get("PreferredAvailabilityZones") or [])
        elif new_count is not None:
            wanted = int(new_count)
            azs = []
        elif to_remove:
            wanted = current - len([r for r in replicas if r["cache_cluster_id"] in to_remove])
            azs = []
        else:
            continue
        if increase and wanted <= current:
            raise InvalidParameterValueException(
                f"The new replica count ({wanted}) must be greater than the current replica count ({current}) "
                f"of node group {node_group['node_group_id']}."
            )
        if not increase and wanted >= current:
            raise InvalidParameterValueException(
                f"The new replica count ({wanted}) must be less than the current replica count ({current}) "
                f"of node group {node_group['node_group_id']}."
            )
        if wanted > MAX_REPLICAS:
            raise InvalidParameterValueException(f"The replica count can be at most {MAX_REPLICAS} per node group.")
        if wanted < minimum:
            raise InvalidParameterCombinationException(
                f"A replication group with automatic failover enabled needs at least {minimum} replica."
            )
        plans.append((node_group, wanted, azs))
    for node_group, wanted, azs in plans:
        members = node_group["node_group_members"]
        replicas = _replica_members(node_group)
        if increase:
            used = {m["cache_cluster_id"] for m in members}
            zones = [m.get("preferred_availability_zone") for m in members if m.get("preferred_availability_zone")]
            index, added = 2, 0
            while len(replicas) + added < wanted:
                candidate = _new_member(group, node_group, index, None)
                index += 1
                if candidate["cache_cluster_id"] in used:
                    continue
                position = len(replicas) + added
                if position < len(azs):
                    candidate["preferred_availability_zone"] = azs[position]
                elif zones:
                    candidate["preferred_availability_zone"] = zones[(position + 1) % len(zones)]
                members.append(candidate)
                group.member_clusters.append(candidate["cache_cluster_id"])
                added += 1
        else:
            victims = [r for r in replicas if r["cache_cluster_id"] in to_remove]
            for replica in reversed(replicas):
                if len(replicas) - len(victims) <= wanted:
                    break
                if replica not in victims:
                    victims.append(replica)
            for replica in victims:
                members.remove(replica)
                if replica["cache_cluster_id"] in group.member_clusters:
                    group.member_clusters.remove(replica["cache_cluster_id"])
    return group


def _patch_replica_count() -> None:
    from moto.core.responses import ActionResult
    from moto.elasticache.responses import ElastiCacheResponse

    def _params(self: Any) -> dict[str, Any]:
        return {
            "ReplicationGroupId": self._get_param("ReplicationGroupId"),
            "NewReplicaCount": self._get_int_param("NewReplicaCount"),
            "ReplicaConfiguration": self._get_param("ReplicaConfiguration") or [],
            "ReplicasToRemove": self._get_param("ReplicasToRemove") or [],
            "ApplyImmediately": self._get_bool_param("ApplyImmediately"),
        }

    # https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DecreaseReplicaCount.html
    def decrease_replica_count(self):  # type: ignore[no-untyped-def]
        group = _change_replicas(self.elasticache_backend, _params(self), increase=False)
        return ActionResult({"ReplicationGroup": group})

    # https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_IncreaseReplicaCount.html
    def increase_replica_count(self):  # type: ignore[no-untyped-def]
        group = _change_replicas(self.elasticache_backend, _params(self), increase=True)
        return ActionResult({"ReplicationGroup": group})

    ElastiCacheResponse.decrease_replica_count = decrease_replica_count
    ElastiCacheResponse.increase_replica_count = increase_replica_count


# --------------------------------------------------------------------------
# EC2: test AMIs
# --------------------------------------------------------------------------

AMI_ID = re.compile(r"^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
#: the owner of the registered AMIs: another account, as a public AMI would be
AMI_OWNER = "137112412989"
#: an AMI deprecated at this time
DEPRECATED_AT = "2024-01-01T00:00:00.000Z"


def parse_ami_spec(spec: str) -> list[tuple[str, str, bool]]:
    """``STREAMSCALE_MOTO_AMIS`` -> [(region or "*", ami id, deprecated)].

    Entries are separated by commas or white space; each is ``AMI``,
    ``REGION=AMI`` or either with a ``:deprecated`` suffix, e.g.
    ``us-east-1=ami-0aaaaaaaaaaaaaaa1 ami-0123456789abcdef0:deprecated``.
    """
    out = []
    for entry in re.split(r"[\s,]+", spec.strip()):
        if not entry:
            continue
        deprecated = entry.endswith(":deprecated")
        if deprecated:
            entry = entry[: -len(":deprecated")]
        region, _, ami = entry.rpartition("=")
        if not AMI_ID.match(ami):
            raise ValueError(f"STREAMSCALE_MOTO_AMIS: {ami!r} is not an AMI id (ami- and 8 or 17 hex digits)")
        out.append((region or "*", ami, deprecated))
    return out


def amis_from_plans(paths: list[str]) -> list[tuple[str, str, bool]]:
    """Every AMI id in the given plan files (environments/*.toml): a
    ``[regions.R] ami`` registers in R, a ``[defaults] ami`` in every region."""
    import tomllib

    out = []
    for path in paths:
        with open(path, "rb") as handle:
            doc = tomllib.load(handle)
        default = (doc.get("defaults") or {}).get("ami")
        if isinstance(default, str) and AMI_ID.match(default):
            out.append(("*", default, False))
        for region, table in (doc.get("regions") or {}).items():
            ami = (table or {}).get("ami") if isinstance(table, dict) else None
            if isinstance(ami, str) and AMI_ID.match(ami):
                out.append((region, ami, False))
    return out


def _patch_amis() -> None:
    from moto.ec2.models.amis import Ami, AmiBackend
    from moto.ec2.responses.amis import AmisResponse

    spec = os.environ.get("STREAMSCALE_MOTO_AMIS", "")
    wanted = parse_ami_spec(spec) if spec.strip() else []

    orig_load = AmiBackend._load_amis

    def _load_amis(self):  # type: ignore[no-untyped-def]
        orig_load(self)
        region = getattr(self, "region_name", "")
        for where, ami_id, deprecated in wanted:
            if where not in ("*", region):
                continue
            ami = Ami(
                self,
                ami_id,
                name=f"streamscale-test-{ami_id}",
                description="test AMI registered by the streamscale moto harness",
                owner_id=AMI_OWNER,
                public=True,
                virtualization_type="hvm",
                architecture="x86_64",
                hypervisor="xen",
                root_device_type="ebs",
                root_device_name="/dev/xvda",
                region_name=f"{region}a",
            )
            if deprecated:
                ami.deprecation_time = DEPRECATED_AT
            self.amis[ami_id] = ami

    AmiBackend._load_amis = _load_amis

    # https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html
    # "the deprecated AMI does not appear in DescribeImages API calls unless
    # you specify its ID or specify that deprecated AMIs must appear. AMI
    # owners continue to see deprecated AMIs."
    orig_describe = AmisResponse.describe_images

    def describe_images(self):  # type: ignore[no-untyped-def]
        if self._get_param("ImageIds") or self._get_bool_param("IncludeDeprecated"):
            return orig_describe(self)
        from moto.core.responses import ActionResult

        self.error_on_dryrun()
        backend = self.ec2_backend
        images = backend.describe_images(
            ami_ids=[],
            filters=self._filters_from_querystring(),
            exec_users=self._get_param("ExecutableUsers", []),
            owners=self._get_param("Owners", []),
        )
        now = _dt.datetime.now(_dt.timezone.utc)

        def visible(ami: Any) -> bool:
            when = _parse_time(getattr(ami, "deprecation_time", None))
            return when is None or when > now or ami.owner_id == backend.account_id

        return ActionResult({"Images": [ami for ami in images if visible(ami)]})

    AmisResponse.describe_images = describe_images


def install() -> None:
    _patch_scheduled_action_start()
    _patch_replica_count()
    _patch_amis()
