"""Extensions to moto 5.2.5's CloudFormation for the streamscale test harness.

moto's CloudFormation silently skips several resource types that streamscale's
per-region stack uses, and gets a few stack-level behaviours wrong.  Everything
here *extends* moto so that it behaves more like real AWS: each patch is small,
says which moto gap it fills, and never makes moto accept something that real
AWS would refuse.

Call ``install()`` once, before the server handles requests.  It is idempotent.

Gaps filled (moto 5.2.5):

Stack level
  * ``Fn::GetAZs`` ignores its argument's value (``{"Ref": "AWS::Region"}`` is
    formatted as a dict) and "" always means us-east-1       -> _clean_json
  * a resource removed by an update stays listed and, added back later, is
    never created again                                         -> _resource_map_update
  * LastUpdatedTime is never set on UpdateStack/ExecuteChangeSet -> _stack_update,
                                                                   _execute_change_set
  * ExecuteChangeSet keeps the outputs/template/exports of the old template
                                                                -> _execute_change_set
  * change sets have no PhysicalResourceId/Replacement/Scope/Details, ignore
    changed parameters and report resources without Properties as modified
                                                                -> _change_set_diff
  * CreateChangeSet without changes answers ValidationError instead of a
    FAILED change set ("didn't contain changes")               -> _create_change_set
  * CreateChangeSet of a name the stack already has a change set of is
    accepted (AWS: AlreadyExistsException)                     -> _backend_create_change_set
  * a stack update where a resource's *resolved* properties change only through
    Ref/GetAtt (e.g. LaunchTemplate.LatestVersionNumber -> ASG) never updates
    the dependent resource                                      -> _resource_map_update
  * a Modify on a type without update support sets the resource to None, so it
    vanishes from the stack and is never deleted               -> _parse_and_update_resource
  * ``Fn::GetAtt`` in Outputs on an unsupported type is an HTTP 500 (fixed by
    registering the types below)

Resource types
  * AWS::AutoScaling::ScalingPolicy      not registered      -> CfnScalingPolicy
  * AWS::CloudWatch::Alarm               not registered      -> CfnAlarm
  * AWS::ElastiCache::SubnetGroup        not registered      -> CfnCacheSubnetGroup
  * AWS::ElastiCache::ReplicationGroup   not registered      -> CfnReplicationGroup
  * AWS::AutoScaling::AutoScalingGroup   replaced (new name) on every update
                                                             -> _asg_update
  * AWS::AutoScaling::ScheduledAction    no physical id, no update, no delete,
                                         named after the logical id (collides
                                         across stacks)      -> _scheduled_action_*
  * AWS::EC2::Subnet                     GetAtt AvailabilityZone raises
                                                             -> _subnet_get_cfn_attribute
  * AWS::EC2::SecurityGroup              replaced (new id) on every update; an
                                         update of SecurityGroupIngress/Egress
                                         does not add/revoke the rules that
                                         differ between old and new template
                                                             -> _sg_update
  * AWS::EC2::SecurityGroupIngress       ignores CidrIpv6 / SourcePrefixListId,
                                         no physical id, never revoked
                                                             -> _sg_ingress_*
  * AWS::AutoScaling::AutoScalingGroup   MetricsCollection ignored -> _asg_create
  * AWS::EC2::NatGateway, AWS::EC2::EIP, AWS::ElasticLoadBalancingV2::TargetGroup,
    AWS::EC2::Route, AWS::EC2::RouteTable, AWS::EC2::InternetGateway,
    AWS::EC2::VPCGatewayAttachment       never deleted with the stack (the VPC
                                         delete then fails: DependencyViolation)
                                                             -> _nat_delete, _eip_delete,
                                                                _tg_delete, _route_delete,
                                                                _route_table_delete,
                                                                _igw_delete, _attachment_delete
  * AWS::EC2::SubnetRouteTableAssociation  kept in a side table: the route table
                                         shows no association; Ref gives the
                                         route table id      -> _assoc_*
  * EC2 types without update support     Tags changes lost   -> _retag
  * AWS::EC2::RouteTable, AWS::EC2::NatGateway, AWS::EC2::EIP
                                         template Tags dropped -> _with_template_tags
  * security-group rules from a group    Description dropped; SecurityGroupRule
    (UserIdGroupPairs)                   .description read-only -> _rule_eq,
                                                                _set_rule_description
  * AWS::ElasticLoadBalancingV2::LoadBalancer  ignores Type, IpAddressType,
                                         LoadBalancerAttributes, Tags; GetAtt
                                         LoadBalancerFullName refused -> _lb_*
  * AWS::ElasticLoadBalancingV2::TargetGroup   ignores TargetGroupAttributes,
                                         Tags, HealthCheckEnabled; no GetAtt at all
                                         (TargetGroupFullName: HTTP 500); no update
                                                             -> _tg_*
  * AWS::EC2::EIP                        GetAtt PublicIp refused -> _eip_get_cfn_attribute
Service APIs (used by the types above, also visible through the API)
  * DeleteAutoScalingGroup leaves the group's scaling policies and scheduled
    actions behind (AWS deletes them)                        -> _asg_backend_delete
  * CreateReplicationGroup ignores NumCacheClusters (cluster mode disabled),
    puts every node in us-east-1a/b and every endpoint in "use1"
                                                             -> _create_replication_group
  * DescribeCacheSubnetGroups gives "SubnetAvailabilityZone": {} -> _cache_subnet_group_init
  * CreateLaunchTemplateVersion ignores SourceVersion (AWS copies the source
    version's data; the given data overrides it)   -> _create_launch_template_version

  * a failing resource makes CreateStack/UpdateStack/ExecuteChangeSet answer
    an error and leaves the stack half-done; AWS accepts the call and rolls back
    (ROLLBACK_COMPLETE / UPDATE_ROLLBACK_COMPLETE, reason in the events)
                                                   -> _rollback_create, _rollback_update
  * an undeletable resource drops the stack from the list; AWS: DELETE_FAILED
                                                   -> _stack_delete, _backend_delete_stack
  * describing a deleted stack by id (Outputs) or listing its resources
    re-creates its resources (moto creates them lazily)         -> _freeze

  * a stack update asking for a change moto cannot perform on a type without
    update support (VPC, subnet, route table, gateways, NAT, EIP) or on the
    load balancer succeeds doing nothing; AWS performs it: UPDATE_FAILED and
    a rollback instead                       -> refuse_unperformed_update
  * the ASG update ignores UpdatePolicy AutoScalingScheduledAction
    IgnoreUnmodifiedGroupSizeProperties       -> _asg_sizes
  * a replication group's NumNodeGroups changes in place without
    UpdatePolicy UseOnlineResharding          -> CfnReplicationGroup.update

In sibling modules, installed from install():
  ext_strict.py    past scheduled-action StartTime refused, Decrease/
                   IncreaseReplicaCount, test AMIs (STREAMSCALE_MOTO_AMIS)
  ext_drift.py     DetectStackDrift and its companions (HTTP 500 in moto)
  ext_validation.py  pre-deployment property validation of change sets
                   (FAILED, AWS::EarlyValidation::PropertyValidation); a
                   FAILED change set cannot be executed
  ext_switches.py  opt-in: throttling, asynchronous CloudFormation (per-resource
                   events), drift not implemented (HTTP 501)

Not supported (left alone): per-resource statuses (ListStackResources always
says CREATE_COMPLETE).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from ext_base import changed_properties as _changed_properties
from ext_base import Handle, custom_name_error
from ext_base import generated_id as _generated_id
from ext_base import to_bool as _to_bool
from ext_base import to_int as _to_int

logger = logging.getLogger("streamscale.moto_ext")

_INSTALLED = False

# Properties whose change requires replacement in real CloudFormation, for the
# types streamscale renders.  Used for change-set details and to decide between
# in-place update and replacement in the resource types implemented here.
REPLACEMENT_PROPERTIES: dict[str, set[str]] = {
    "AWS::EC2::VPC": {"CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength"},
    "AWS::EC2::Subnet": {
        "AvailabilityZone",
        "AvailabilityZoneId",
        "CidrBlock",
        "VpcId",
        "Ipv4IpamPoolId",
        "Ipv4NetmaskLength",
        "Ipv6Native",
        "OutpostArn",
    },
    "AWS::EC2::RouteTable": {"VpcId"},
    "AWS::EC2::Route": {
        "RouteTableId",
        "DestinationCidrBlock",
        "DestinationIpv6CidrBlock",
        "DestinationPrefixListId",
    },
    "AWS::EC2::SubnetRouteTableAssociation": {"SubnetId"},
    "AWS::EC2::EIP": {"Domain", "NetworkBorderGroup", "PublicIpv4Pool", "TransferAddress", "IpamPoolId"},
    "AWS::EC2::NatGateway": {"AllocationId", "ConnectivityType", "SubnetId", "PrivateIpAddress"},
    "AWS::EC2::SecurityGroup": {"GroupDescription", "GroupName", "VpcId"},
    "AWS::EC2::SecurityGroupIngress": {
        "CidrIp",
        "CidrIpv6",
        "FromPort",
        "ToPort",
        "GroupId",
        "GroupName",
        "IpProtocol",
        "SourcePrefixListId",
        "SourceSecurityGroupId",
        "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId",
    },
    "AWS::EC2::LaunchTemplate": {"LaunchTemplateName"},
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"Name", "Scheme", "Type"},
    "AWS::ElasticLoadBalancingV2::TargetGroup": {
        "Name",
        "Port",
        "Protocol",
        "ProtocolVersion",
        "TargetType",
        "VpcId",
        "IpAddressType",
    },
    "AWS::ElasticLoadBalancingV2::Listener": {"LoadBalancerArn"},
    "AWS::AutoScaling::AutoScalingGroup": {"AutoScalingGroupName", "InstanceId"},
    "AWS::AutoScaling::ScheduledAction": {"AutoScalingGroupName"},
    "AWS::AutoScaling::ScalingPolicy": set(),
    "AWS::CloudWatch::Alarm": {"AlarmName"},
    "AWS::ElastiCache::SubnetGroup": {"CacheSubnetGroupName"},
    "AWS::ElastiCache::ReplicationGroup": {
        "ReplicationGroupId",
        "AtRestEncryptionEnabled",
        "CacheSubnetGroupName",
        "DataTieringEnabled",
        "GlobalReplicationGroupId",
        "KmsKeyId",
        "NetworkType",
        "Port",
        "PreferredCacheClusterAZs",
        "ReplicasPerNodeGroup",
        "SnapshotArns",
        "SnapshotName",
    },
}


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _to_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _replacing_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
    """An update that replaces (for types whose every updatable property
    requires replacement): delete the old resource, create the new one."""
    original_resource.delete(account_id, region_name)
    return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)


def _is_abstract(method: Any) -> bool:
    return hasattr(method, "__isabstractmethod__")


def _requires_replacement(resource_type: str, changed: list[str]) -> bool:
    return bool(REPLACEMENT_PROPERTIES.get(resource_type, set()) & set(changed))


def _region_short(region: str) -> str:
    """eu-west-1 -> euw1, ap-southeast-2 -> apse2 (ElastiCache endpoint style)."""
    parts = region.split("-")
    if len(parts) < 3:
        return region
    words = {"northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}
    middle = "".join(words.get(p, p[:1]) for p in parts[1:-1])
    return f"{parts[0]}{middle}{parts[-1]}"


def _patch_parsing() -> None:
    from moto.cloudformation import parsing
    from moto.ec2.models import ec2_backends

    orig_clean_json = parsing.clean_json

    # Gap: Fn::GetAZs formats an unresolved {"Ref": "AWS::Region"} into the AZ
    # names and maps "" to us-east-1 whatever the stack's region.  AWS resolves
    # the argument and "" means the stack's region; the AZs are the region's.
    def _clean_json(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, dict) and "Fn::GetAZs" in resource_json:
            region = orig_clean_json(resource_json["Fn::GetAZs"], resources_map)
            if not region:
                region = resources_map["AWS::Region"]
            account = resources_map["AWS::AccountId"]
            zones = ec2_backends[account][region].describe_availability_zones()
            return sorted(z.name for z in zones if getattr(z, "zone_type", "availability-zone") == "availability-zone")
        return orig_clean_json(resource_json, resources_map)

    parsing.clean_json = _clean_json  # recursive calls resolve the module global

    orig_create = parsing.parse_and_create_resource
    orig_update = parsing.parse_and_update_resource

    def _snapshot(resource: Any, resource_json: dict[str, Any], resources_map: Any) -> None:
        # Remember the resolved properties so that a later stack update can tell
        # whether a Ref/GetAtt-only change alters this resource.
        if resource is None:
            return
        try:
            props = parsing.clean_json(copy.deepcopy(resource_json.get("Properties") or {}), resources_map)
            resource._ext_props = props
        except Exception:  # noqa: BLE001 - a snapshot is best effort
            pass

    def _marked(parse, logical_id, resource_json, resources_map, account_id, region_name):  # type: ignore[no-untyped-def]
        """moto's ``parse``: a failure is marked on the resource, a success
        snapshots its properties."""
        try:
            resource = parse(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as exc:
            _mark_failure(exc, logical_id, resource_json.get("Type"))
            raise
        _snapshot(resource, resource_json, resources_map)
        return resource

    def _parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):  # type: ignore[no-untyped-def]
        return _marked(orig_create, logical_id, resource_json, resources_map, account_id, region_name)

    # Gap: for types without update_from_cloudformation_json moto returns None,
    # which replaces the live resource in the stack by None (it disappears from
    # ListStackResources and is never deleted).  Keep the existing resource.
    def _parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):  # type: ignore[no-untyped-def]
        resource_class = parsing.resource_class_from_type(resource_json["Type"])
        if resource_class is not None and _is_abstract(resource_class.update_from_cloudformation_json):
            original = resources_map._parsed_resources.get(logical_id)
            if original is not None:
                resolved = parsing.clean_json(copy.deepcopy(resource_json.get("Properties") or {}), resources_map)
                old_props = getattr(original, "_ext_props", None)
                extra, apply_extra = IN_PLACE.get(resource_json["Type"], (set(), None))
                if old_props is not None:
                    try:
                        refuse_unperformed_update(resource_json["Type"], old_props, resolved, {"Tags"} | extra)
                    except HarnessCannotUpdate as exc:
                        _mark_failure(exc, logical_id, resource_json.get("Type"))
                        raise
                if apply_extra is not None and extra & set(_changed_properties(old_props, resolved)):
                    apply_extra(original, resolved, account_id, region_name)
                logger.info(
                    "moto cannot update %s (%s) in place; only its tags changed: kept, tags updated",
                    logical_id,
                    resource_json["Type"],
                )
                if _RETAG is not None:
                    _RETAG(original, resolved, account_id, region_name)
                _snapshot(original, resource_json, resources_map)
                return original
        return _marked(orig_update, logical_id, resource_json, resources_map, account_id, region_name)

    parsing.parse_and_create_resource = _parse_and_create_resource
    parsing.parse_and_update_resource = _parse_and_update_resource

    ResourceMap = parsing.ResourceMap
    orig_diff = ResourceMap.build_resource_diff
    orig_rm_update = ResourceMap.update

    def _normalize(resources: dict[str, Any]) -> None:
        # moto adds "Properties": {} to the stored template of resources without
        # Properties while creating them, so the next diff reports them modified.
        for resource in resources.values():
            if isinstance(resource, dict) and "Properties" not in resource:
                resource["Properties"] = {}

    def _build_resource_diff(self, other_template, parameters=None):  # type: ignore[no-untyped-def]
        _normalize(self._resource_json_map)
        _normalize(other_template.get("Resources", {}))
        diff = orig_diff(self, other_template, parameters)
        # moto only sees parameters used through Ref; Fn::Sub "${Param}" counts too
        if parameters:
            changed = {p for p in parameters if self.input_parameters.get(p) != parameters[p]}
            for name, rjson in other_template.get("Resources", {}).items():
                if name in diff["Modify"] or name not in self._resource_json_map:
                    continue
                if any(target in changed for target, _ in _template_refs(rjson)):
                    diff["Modify"].append(name)
        return diff

    def _resource_map_update(self, template, parameters=None):  # type: ignore[no-untyped-def]
        before = set(self._resource_json_map)
        orig_rm_update(self, template, parameters)
        # Gap: a resource removed by an update is deleted but stays in the
        # parsed map, so it is still listed (ListStackResources) and adding
        # it back later never creates it.  AWS forgets it.
        for name in before - set(template.get("Resources", {})):
            self._parsed_resources.pop(name, None)
        _propagate(self)

    def _propagate(rmap: Any) -> None:
        # Gap: moto only updates resources whose template text changed.  AWS also
        # updates resources whose resolved values change through Ref/GetAtt (an
        # ASG whose LaunchTemplate.Version is GetAtt LatestVersionNumber).
        for _ in range(parsing.MAX_UPDATE_ATTEMPTS):
            changed = False
            for name, rjson in list(rmap._resource_json_map.items()):
                resource = rmap._parsed_resources.get(name)
                if resource is None or not hasattr(resource, "_ext_props"):
                    continue
                condition = rjson.get("Condition")
                if condition and not rmap.lazy_condition_map[condition]:
                    continue
                resource_class = parsing.resource_class_from_type(rjson["Type"])
                if resource_class is None or _is_abstract(resource_class.update_from_cloudformation_json):
                    continue
                try:
                    resolved = parsing.clean_json(copy.deepcopy(rjson.get("Properties") or {}), rmap)
                except Exception:  # noqa: BLE001
                    continue
                if resolved == resource._ext_props:
                    continue
                updated = parsing.parse_and_update_resource(
                    name, rjson, rmap, account_id=rmap._account_id, region_name=rmap._region_name
                )
                if updated is not None:
                    rmap._parsed_resources[name] = updated
                    changed = True
            if not changed:
                return

    ResourceMap.build_resource_diff = _build_resource_diff
    ResourceMap.update = _resource_map_update


class HarnessCannotUpdate(Exception):
    """A stack update asks for a change moto cannot perform.  AWS would
    perform it (in place or by replacement); succeeding while doing nothing
    would be kinder than AWS, so the resource fails (UPDATE_FAILED, the stack
    rolls back) with this reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refuse_unperformed_update(resource_type: str, old: dict[str, Any], new: dict[str, Any], performed: set[str]) -> None:
    """Raise HarnessCannotUpdate when a property outside ``performed`` changed."""
    changed = [p for p in _changed_properties(old, new) if p not in performed]
    if not changed:
        return
    replace = _requires_replacement(resource_type, changed)
    raise HarnessCannotUpdate(
        f"NotImplemented: the moto test harness cannot change {', '.join(changed)} of {resource_type} "
        f"({'AWS replaces the resource' if replace else 'AWS updates it in place'}); "
        "the update fails here instead of succeeding without doing it"
    )


def _mark_failure(exc: BaseException, logical_id: str, resource_type: str | None) -> None:
    # remember the innermost resource whose create/update failed
    if not hasattr(exc, "_ext_logical_id"):
        try:
            exc._ext_logical_id = logical_id  # type: ignore[attr-defined]
            exc._ext_resource_type = resource_type  # type: ignore[attr-defined]
        except AttributeError:
            pass


def _template_refs(value: Any) -> list[tuple[str, str | None]]:
    """(logical id, attribute or None) referenced by Ref / GetAtt / Sub."""
    found: list[tuple[str, str | None]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.append((inner, None))
            elif key == "Fn::GetAtt":
                if isinstance(inner, list) and len(inner) >= 2:
                    found.append((str(inner[0]), str(inner[1])))
                elif isinstance(inner, str) and "." in inner:
                    head, _, attr = inner.partition(".")
                    found.append((head, attr))
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                if isinstance(text, str):
                    for ref in re.findall(r"\$\{([^!}][^}]*)\}", text):
                        head, _, attr = ref.partition(".")
                        found.append((head, attr or None))
                if isinstance(inner, list) and len(inner) > 1:
                    found.extend(_template_refs(inner[1]))
            else:
                found.extend(_template_refs(inner))
    elif isinstance(value, list):
        for item in value:
            found.extend(_template_refs(item))
    return found


def _patch_cloudformation_models() -> None:
    from moto.cloudformation import exceptions as cfn_exceptions
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation import parsing
    from moto.core.utils import utcnow

    Stack = cfn_models.Stack
    Backend = cfn_models.CloudFormationBackend
    ChangeSet = cfn_models.ChangeSet
    Change = cfn_models.Change

    def _sync_exports(backend: Any, stack: Any) -> None:
        for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
            backend.exports.pop(name)
        backend._validate_export_uniqueness(stack)
        for export in stack.exports:
            backend.exports[export.name] = export

    def _event(stack: Any, logical_id: str, resource_type: str | None, status: str, reason: str | None) -> None:
        resource = stack.resource_map._parsed_resources.get(logical_id)
        stack.events.append(
            cfn_models.Event(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id=logical_id,
                physical_resource_id=getattr(resource, "physical_resource_id", "") or "",
                resource_type=resource_type or "",
                resource_status=status,
                resource_status_reason=reason,
                resource_properties=None,
            )
        )

    def _reason(exc: BaseException) -> str:
        return getattr(exc, "message", None) or str(exc) or type(exc).__name__

    def _freeze(stack: Any) -> None:
        # A deleted / rolled-back stack has no resources and no outputs.  moto
        # creates resources lazily on access, so describing a deleted stack by
        # id (Outputs) or listing its resources brought them back to life.
        stack.resource_map._resource_json_map = {}
        stack.output_map = parsing.OutputMap(stack.resource_map, {}, stack.stack_id)

    # Gap: a resource that fails to create makes CreateStack/ExecuteChangeSet
    # answer an error and leaves the stack CREATE_IN_PROGRESS (or
    # REVIEW_IN_PROGRESS) with whatever was created.  AWS accepts the call,
    # marks the resource CREATE_FAILED, deletes what it created and ends in
    # ROLLBACK_COMPLETE (the reason is in DescribeStackEvents).
    def _rollback_create(stack: Any, exc: BaseException) -> None:
        logical_id = getattr(exc, "_ext_logical_id", None)
        reason = _reason(exc)
        if logical_id:
            _event(stack, logical_id, getattr(exc, "_ext_resource_type", None), "CREATE_FAILED", reason)
        stack.status = "ROLLBACK_IN_PROGRESS"
        stack._add_stack_event(
            "ROLLBACK_IN_PROGRESS",
            resource_status_reason=f"The following resource(s) failed to create: [{logical_id or 'unknown'}]. Rollback requested by user.",
        )
        _end_rollback(stack, stack.resource_map.delete, "ROLLBACK")
        _freeze(stack)

    def _end_rollback(stack: Any, revert: Any, phase: str) -> None:
        """Run ``revert``: the stack ends ``<phase>_COMPLETE``, or
        ``<phase>_FAILED`` with the reason."""
        try:
            revert()
        except Exception as exc:  # noqa: BLE001
            stack.status = f"{phase}_FAILED"
            stack._add_stack_event(stack.status, resource_status_reason=_reason(exc))
        else:
            stack.status = f"{phase}_COMPLETE"
            stack._add_stack_event(stack.status)

    # Gap: a resource that fails to update makes UpdateStack/ExecuteChangeSet
    # answer an error, leaving the stack half-updated.  AWS accepts the call,
    # rolls back to the previous template and ends in UPDATE_ROLLBACK_COMPLETE.
    def _rollback_update(stack: Any, exc: BaseException, old_template: Any, old_parameters: dict[str, Any]) -> None:
        logical_id = getattr(exc, "_ext_logical_id", None)
        if logical_id:
            _event(stack, logical_id, getattr(exc, "_ext_resource_type", None), "UPDATE_FAILED", _reason(exc))
        stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=f"The following resource(s) failed to update: [{logical_id or 'unknown'}].")
        stack.template = old_template
        stack._parse_template()
        _end_rollback(
            stack, lambda: stack.resource_map.update(copy.deepcopy(stack.template_dict), old_parameters or None), "UPDATE_ROLLBACK"
        )
        stack.output_map = stack._create_output_map()
        stack.last_updated_time = utcnow()

    orig_create_resources = Stack.create_resources

    def _create_resources(self):  # type: ignore[no-untyped-def]
        try:
            orig_create_resources(self)
        except Exception as exc:  # noqa: BLE001 - see _rollback_create
            _rollback_create(self, exc)

    Stack.create_resources = _create_resources

    # Gap: UpdateStack never sets LastUpdatedTime.
    orig_stack_update = Stack.update

    def _stack_update(self, template, role_arn=None, parameters=None, tags=None):  # type: ignore[no-untyped-def]
        old_template = self.template
        old_parameters = dict(self.resource_map.input_parameters or {})
        try:
            orig_stack_update(self, template, role_arn, parameters, tags)
        except Exception as exc:  # noqa: BLE001 - see _rollback_update
            _rollback_update(self, exc, old_template, old_parameters)
            return
        self.last_updated_time = utcnow()

    Stack.update = _stack_update

    # Gap: a resource that cannot be deleted makes DeleteStack answer an error
    # and drops the stack from the list.  AWS accepts the call and leaves the
    # stack in DELETE_FAILED.  A deleted stack is frozen (see _freeze).
    orig_stack_delete = Stack.delete

    def _stack_delete(self):  # type: ignore[no-untyped-def]
        try:
            orig_stack_delete(self)
        except Exception as exc:  # noqa: BLE001
            self.status = "DELETE_FAILED"
            self._add_stack_event("DELETE_FAILED", resource_status_reason=_reason(exc))
            return
        _freeze(self)

    Stack.delete = _stack_delete

    orig_backend_delete_stack = Backend.delete_stack

    def _backend_delete_stack(self, name_or_stack_id):  # type: ignore[no-untyped-def]
        orig_backend_delete_stack(self, name_or_stack_id)
        for stack_id, stack in list(self.deleted_stacks.items()):
            if stack.status == "DELETE_FAILED":
                self.deleted_stacks.pop(stack_id)
                self.stacks[stack_id] = stack
                for export in stack.exports:
                    self.exports[export.name] = export

    Backend.delete_stack = _backend_delete_stack

    orig_backend_update_stack = Backend.update_stack

    def _backend_update_stack(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        stack = orig_backend_update_stack(self, *args, **kwargs)
        _sync_exports(self, stack)  # Gap: exports were never refreshed on update
        return stack

    Backend.update_stack = _backend_update_stack

    # Gap: ExecuteChangeSet leaves the stack's parsed template, description,
    # outputs and exports as they were (for a CREATE change set: empty), and
    # never sets LastUpdatedTime.
    orig_execute = Backend.execute_change_set

    def _execute_change_set(self, change_set_name, stack_name=None):  # type: ignore[no-untyped-def]
        change_set = None
        try:
            change_set = self.describe_change_set(change_set_name)
        except Exception:  # noqa: BLE001 - let moto raise its own error below
            pass
        if change_set is None:
            return orig_execute(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        old_parameters = dict(stack.resource_map.input_parameters or {})
        try:
            orig_execute(self, change_set_name, stack_name)
        except Exception as exc:  # noqa: BLE001 - AWS fails asynchronously: the call succeeds
            change_set.execution_status = "EXECUTE_FAILED"
            stack.last_updated_time = utcnow()
            if change_set.change_set_type == "CREATE":
                stack.template = change_set.template
                stack._parse_template()
                _rollback_create(stack, exc)
            else:
                _rollback_update(stack, exc, stack.template, old_parameters)
            return
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        if change_set.parameters:
            stack.parameters = change_set.parameters
        stack.last_updated_time = utcnow()
        _sync_exports(self, stack)
        # Gap: the stack's other change sets stay executable.  AWS: "After you
        # execute a change, CloudFormation removes all change sets that are
        # associated with the stack because they aren't applicable to the
        # updated stack" (another apply's change set is then ChangeSetNotFound).
        for cs_id in [i for i, cs in self.change_sets.items() if cs.stack_id == stack.stack_id and cs is not change_set]:
            self.change_sets.pop(cs_id)

    Backend.execute_change_set = _execute_change_set

    # Gap: a CREATE change set for a name that already has a stack makes a
    # second stack of that name.  AWS refuses (unless the existing stack is
    # REVIEW_IN_PROGRESS, i.e. only has change sets: then it is reused).
    orig_create_change_set_backend = Backend.create_change_set

    def _backend_create_change_set(self, stack_name, change_set_name, *args, **kwargs):  # type: ignore[no-untyped-def]
        change_set_type = kwargs.get("change_set_type", args[3] if len(args) > 3 else "CREATE")
        # Gap: a second change set of a name the stack already has is
        # accepted (two of one name).  AWS refuses it: AlreadyExistsException.
        for cs in self.change_sets.values():
            if cs.stack_name == stack_name and cs.change_set_name == change_set_name:
                raise cfn_exceptions.AlreadyExistsException(
                    f"ChangeSet {change_set_name} already exists for stack {stack_name}"
                )
        if change_set_type == "CREATE":
            for stack_id, stack in list(self.stacks.items()):
                if stack.name != stack_name:
                    continue
                if stack.status != "REVIEW_IN_PROGRESS":
                    raise cfn_exceptions.ValidationError(
                        stack_name,
                        message=f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [{change_set_name}].",
                    )
                self.stacks.pop(stack_id)
                for cs_id in [i for i, cs in self.change_sets.items() if cs.stack_id == stack_id]:
                    self.change_sets.pop(cs_id)
        return orig_create_change_set_backend(self, stack_name, change_set_name, *args, **kwargs)

    Backend.create_change_set = _backend_create_change_set

    # Gap: change sets carry only Action/LogicalResourceId/ResourceType, ignore
    # parameter changes and never list resources affected through Ref/GetAtt.
    def _change_set_diff(self):  # type: ignore[no-untyped-def]
        rmap = self.stack.resource_map
        new_resources = self.template_dict.get("Resources", {}) or {}
        old_resources = rmap._resource_json_map
        params = self.parameters if self.change_set_type == "UPDATE" else None
        by_action = rmap.build_resource_diff(self.template_dict, params)
        changed_params = [
            p for p in (params or {}) if rmap.input_parameters.get(p) != params[p]
        ]

        def physical_id(name: str) -> str | None:
            resource = rmap._parsed_resources.get(name)
            return getattr(resource, "physical_resource_id", None) if resource is not None else None

        changes = []
        for name in by_action["Add"]:
            change = Change("Add", name, new_resources[name]["Type"])
            change.scope, change.details = [], []
            changes.append(change)

        modified: set[str] = set(by_action["Modify"])
        replaced: set[str] = set()

        def static_details(name: str) -> list[dict[str, Any]]:
            rtype = new_resources[name]["Type"]
            old_props = (old_resources.get(name) or {}).get("Properties") or {}
            new_props = new_resources[name].get("Properties") or {}
            details = []
            for prop in _changed_properties(old_props, new_props):
                recreate = "Always" if prop in REPLACEMENT_PROPERTIES.get(rtype, set()) else "Never"
                details.append(
                    {
                        "Target": {"Attribute": "Tags" if prop == "Tags" else "Properties", "Name": prop, "RequiresRecreation": recreate},
                        "Evaluation": "Static",
                        "ChangeSource": "DirectModification",
                    }
                )
            if old_props == new_props:
                # unchanged text: modified through a changed parameter
                for prop, value in new_props.items():
                    for param in changed_params:
                        if (param, None) in _template_refs(value):
                            recreate = "Always" if prop in REPLACEMENT_PROPERTIES.get(rtype, set()) else "Never"
                            details.append(
                                {
                                    "Target": {"Attribute": "Properties", "Name": prop, "RequiresRecreation": recreate},
                                    "Evaluation": "Static",
                                    "ChangeSource": "ParameterReference",
                                    "CausingEntity": param,
                                }
                            )
            return details

        def dynamic_details(name: str, skip: set[str]) -> list[dict[str, Any]]:
            # properties that reference (GetAtt) a modified resource, or (Ref) a
            # replaced one: their value is only known at execution (Dynamic)
            rtype = new_resources[name]["Type"]
            details = []
            for prop, value in (new_resources[name].get("Properties") or {}).items():
                if prop in skip:
                    continue
                for target, attr in _template_refs(value):
                    if target == name:
                        continue
                    if attr is not None and target in modified:
                        source, entity = "ResourceAttribute", f"{target}.{attr}"
                    elif attr is None and target in replaced:
                        source, entity = "ResourceReference", target
                    else:
                        continue
                    recreate = "Conditional" if prop in REPLACEMENT_PROPERTIES.get(rtype, set()) else "Never"
                    details.append(
                        {
                            "Target": {"Attribute": "Properties", "Name": prop, "RequiresRecreation": recreate},
                            "Evaluation": "Dynamic",
                            "ChangeSource": source,
                            "CausingEntity": entity,
                        }
                    )
            return details

        statics = {name: static_details(name) for name in by_action["Modify"]}
        replaced = {
            name for name, details in statics.items() if any(d["Target"]["RequiresRecreation"] == "Always" for d in details)
        }
        for name in new_resources:
            if name not in old_resources:
                continue
            details = list(statics.get(name, []))
            details += dynamic_details(name, {d["Target"]["Name"] for d in details})
            if name not in modified and not details:
                continue
            change = Change("Modify", name, new_resources[name]["Type"])
            change.physical_resource_id = physical_id(name)
            change.details = details
            change.scope = sorted({d["Target"]["Attribute"] for d in details})
            recreation = {d["Target"]["RequiresRecreation"] for d in details}
            change.replacement = "True" if "Always" in recreation else "Conditional" if "Conditional" in recreation else "False"
            changes.append(change)

        for name in by_action["Remove"]:
            change = Change("Remove", name, old_resources[name]["Type"])
            change.physical_resource_id = physical_id(name)
            change.scope, change.details = [], []
            changes.append(change)
        return changes

    ChangeSet.diff = _change_set_diff

    # Gap: "no changes" is decided on the raw Parameters of the calls, so a
    # change set that passes a default explicitly (or a stack whose create left
    # it out) counts as a change.  Compare the effective values instead.
    orig_has_parameters = Stack.has_parameters

    def _norm(value: Any) -> str:
        return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)

    def _has_parameters(self, other_parameters):  # type: ignore[no-untyped-def]
        if orig_has_parameters(self, other_parameters):
            return True
        declared = self.template_dict.get("Parameters") or {}
        effective = {k: _norm(p.get("Default")) for k, p in declared.items() if p.get("Default") is not None}
        effective.update({k: _norm(v) for k, v in (other_parameters or {}).items()})
        current = {k: _norm(v) for k, v in (self.resource_map.resolved_parameters or {}).items()}
        return effective == current

    Stack.has_parameters = _has_parameters

    # Gap: CreateChangeSet for a change set without changes is refused with
    # "ValidationError: No updates are to be performed." (that is UpdateStack's
    # answer).  AWS creates the change set with Status FAILED and StatusReason
    # "The submitted information didn't contain changes…", which moto's backend
    # already models; skip the UpdateStack check for change sets.
    from moto.cloudformation.responses import CloudFormationResponse

    orig_create_change_set = CloudFormationResponse.create_change_set
    orig_validate_different_update = CloudFormationResponse._validate_different_update

    def _create_change_set(self):  # type: ignore[no-untyped-def]
        self._ext_creating_change_set = True
        try:
            return orig_create_change_set(self)
        finally:
            self._ext_creating_change_set = False

    def _validate_different_update(self, incoming_params, stack_body, old_stack):  # type: ignore[no-untyped-def]
        if getattr(self, "_ext_creating_change_set", False):
            return None
        orig_validate_different_update(self, incoming_params, stack_body, old_stack)
        # Gap: without Parameters an identical UpdateStack is accepted (and
        # does nothing); AWS answers "No updates are to be performed."
        if (
            not incoming_params
            and stack_body
            and not self._get_param("Tags")
            and not old_stack.resource_map.input_parameters
            and Stack.parse_template(stack_body) == Stack.parse_template(old_stack.template)
        ):
            raise cfn_exceptions.ValidationError(old_stack.name, message="No updates are to be performed.")

    CloudFormationResponse.create_change_set = _create_change_set

    # Gap: ListChangeSets ignores its (required) StackName and lists the change
    # sets of every stack.
    from moto.core.responses import ActionResult

    def _list_change_sets(self):  # type: ignore[no-untyped-def]
        stack_name = self._get_param("StackName")
        summaries = [
            cs
            for cs in self.cloudformation_backend.list_change_sets()
            if not stack_name or stack_name in (cs.stack_name, cs.stack_id)
        ]
        return ActionResult({"Summaries": summaries})

    CloudFormationResponse.list_change_sets = _list_change_sets
    CloudFormationResponse._validate_different_update = _validate_different_update
    _ = parsing  # imported for side effects (model registration)


# --------------------------------------------------------------------------
# AutoScaling
# --------------------------------------------------------------------------


# All the group metrics AWS enables when MetricsCollection names none.
_ASG_METRICS = [
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
    "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances",
    "GroupInServiceCapacity", "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity",
    "GroupTotalCapacity", "WarmPoolDesiredCapacity", "WarmPoolWarmedCapacity", "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity", "WarmPoolTotalCapacity", "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
]


def _asg_metrics(group: Any, props: dict[str, Any]) -> None:
    metrics: list[str] = []
    for entry in props.get("MetricsCollection") or []:
        metrics.extend(entry.get("Metrics") or _ASG_METRICS)
    group.metrics = list(dict.fromkeys(metrics))


def _asg_sizes(group: Any, props: dict[str, Any], update_policy: dict[str, Any] | None) -> dict[str, int | None]:
    """The MinSize / MaxSize / DesiredCapacity a stack update sets (None: left
    as it is live).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html
    (AutoScalingScheduledAction policy): without the policy "CloudFormation
    always sets the group size property values of your Auto Scaling group to
    the values that are defined in the AWS::AutoScaling::AutoScalingGroup
    resource of your template"; with IgnoreUnmodifiedGroupSizeProperties true
    it does not change "the MinSize, MaxSize, or DesiredCapacity properties
    unless you have modified these values in your template".  The bounds are
    then checked as UpdateAutoScalingGroup checks them.
    """
    from moto.autoscaling.exceptions import ValidationError

    policy = ((update_policy or {}).get("AutoScalingScheduledAction") or {})
    ignore_unmodified = bool(_to_bool(policy.get("IgnoreUnmodifiedGroupSizeProperties")))
    old = getattr(group, "_ext_props", None)
    out: dict[str, int | None] = {}
    for key in ("MinSize", "MaxSize", "DesiredCapacity"):
        value = _to_int(props.get(key))
        if ignore_unmodified and old is not None and _to_int(old.get(key)) == value:
            value = None  # unmodified in the template: the live value stays
        out[key] = value
    low = out["MinSize"] if out["MinSize"] is not None else group.min_size
    high = out["MaxSize"] if out["MaxSize"] is not None else group.max_size
    if low is not None and high is not None and low > high:
        raise ValidationError(f"Max bound, {high}, must be greater than or equal to min bound, {low}")
    desired = out["DesiredCapacity"]
    if desired is not None and low is not None and high is not None and not low <= desired <= high:
        raise ValidationError(
            f"Desired capacity:{desired} must be between the specified min size:{low} and max size:{high}"
        )
    return out


def _patch_autoscaling() -> None:
    from moto.autoscaling import models as as_models
    from moto.autoscaling.models import autoscaling_backends, make_int

    Group = as_models.FakeAutoScalingGroup
    Backend = as_models.AutoScalingBackend
    ScheduledAction = as_models.FakeScheduledAction

    orig_group_update = Group.update_from_cloudformation_json.__func__

    # Gap: every stack update deletes the ASG and creates a new one with a new
    # generated name.  AWS updates MinSize/MaxSize/LaunchTemplate/… in place and
    # replaces only when AutoScalingGroupName changes.
    def _asg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        wanted_name = props.get("AutoScalingGroupName")
        if wanted_name and wanted_name != original_resource.name:
            return orig_group_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend = autoscaling_backends[account_id][region_name]
        sizes = _asg_sizes(original_resource, props, cloudformation_json.get("UpdatePolicy"))
        group = backend.update_auto_scaling_group(
            name=original_resource.name,
            availability_zones=props.get("AvailabilityZones", []),
            desired_capacity=sizes["DesiredCapacity"],
            max_size=sizes["MaxSize"],
            min_size=sizes["MinSize"],
            launch_config_name=props.get("LaunchConfigurationName"),
            launch_template=props.get("LaunchTemplate", {}),
            vpc_zone_identifier=",".join(props.get("VPCZoneIdentifier", [])) or None,
            health_check_period=make_int(props.get("HealthCheckGracePeriod")),
            health_check_type=props.get("HealthCheckType"),
            new_instances_protected_from_scale_in=_to_bool(props.get("NewInstancesProtectedFromScaleIn")),
            mixed_instances_policy=props.get("MixedInstancesPolicy") or None,
        )
        _asg_metrics(group, props)
        if props.get("Cooldown") is not None:
            group.default_cooldown = make_int(props["Cooldown"])
        if props.get("TerminationPolicies"):
            group.termination_policies = props["TerminationPolicies"]
        group.tags = copy.deepcopy(props.get("Tags", []))
        wanted_tgs = list(props.get("TargetGroupARNs", []))
        removed = [arn for arn in group.target_group_arns if arn not in wanted_tgs]
        added = [arn for arn in wanted_tgs if arn not in group.target_group_arns]
        if removed:
            backend.detach_load_balancer_target_groups(group.name, removed)
        if added:
            backend.attach_load_balancer_target_groups(group.name, added)
        return group

    Group.update_from_cloudformation_json = classmethod(_asg_update)

    # Gap: MetricsCollection is ignored (DescribeAutoScalingGroups shows no
    # EnabledMetrics).
    orig_group_create = Group.create_from_cloudformation_json.__func__

    def _asg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        group = orig_group_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        _asg_metrics(group, cloudformation_json["Properties"])
        return group

    Group.create_from_cloudformation_json = classmethod(_asg_create)

    # Gap: DeleteAutoScalingGroup leaves the group's policies and scheduled
    # actions behind; AWS deletes them with the group.
    orig_backend_delete = Backend.delete_auto_scaling_group

    def _asg_backend_delete(self, group_name):  # type: ignore[no-untyped-def]
        orig_backend_delete(self, group_name)
        for name in [n for n, p in self.policies.items() if p.auto_scaling_group_name == group_name]:
            self.policies.pop(name, None)
        for name in [n for n, a in self.scheduled_actions.items() if a.auto_scaling_group_name == group_name]:
            self.scheduled_actions.pop(name, None)

    Backend.delete_auto_scaling_group = _asg_backend_delete

    # Gap: ScheduledAction has no physical id (Ref gives ""), is named after its
    # logical id (two stacks collide), cannot be updated (moto drops it) and is
    # never deleted with the stack.
    def _scheduled_action_put(backend: Any, name: str, props: dict[str, Any]) -> Any:
        asg_name = props.get("AutoScalingGroupName")
        if asg_name not in backend.autoscaling_groups:
            from moto.autoscaling.exceptions import ValidationError

            raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{asg_name}' not found")
        return backend.put_scheduled_update_group_action(
            name=asg_name,
            desired_capacity=props.get("DesiredCapacity"),
            max_size=props.get("MaxSize"),
            min_size=props.get("MinSize"),
            scheduled_action_name=name,
            start_time=props.get("StartTime"),
            end_time=props.get("EndTime"),
            recurrence=props.get("Recurrence"),
            timezone=props.get("TimeZone"),
        )

    def _scheduled_action_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        backend = autoscaling_backends[account_id][region_name]
        return _scheduled_action_put(backend, resource_name, cloudformation_json["Properties"])

    def _scheduled_action_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = autoscaling_backends[account_id][region_name]
        props = cloudformation_json["Properties"]
        if props.get("AutoScalingGroupName") != original_resource.auto_scaling_group_name:
            original_resource.delete(account_id, region_name)
            return _scheduled_action_put(backend, new_resource_name, props)
        return _scheduled_action_put(backend, original_resource.scheduled_action_name, props)

    def _scheduled_action_delete_from(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        autoscaling_backends[account_id][region_name].scheduled_actions.pop(resource_name, None)

    def _scheduled_action_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        autoscaling_backends[account_id][region_name].scheduled_actions.pop(self.scheduled_action_name, None)

    ScheduledAction.cloudformation_name_type = staticmethod(lambda: "")
    ScheduledAction.create_from_cloudformation_json = classmethod(_scheduled_action_create)
    ScheduledAction.update_from_cloudformation_json = classmethod(_scheduled_action_update)
    ScheduledAction.delete_from_cloudformation_json = classmethod(_scheduled_action_delete_from)
    ScheduledAction.delete = _scheduled_action_delete
    ScheduledAction.physical_resource_id = property(lambda self: self.scheduled_action_name)


# --------------------------------------------------------------------------
# EC2 / ELBv2
# --------------------------------------------------------------------------


def _patch_ec2_elbv2() -> None:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.security_groups import SecurityGroupIngress
    from moto.ec2.models.subnets import Subnet
    from moto.elbv2.models import FakeTargetGroup, elbv2_backends

    # Gap: Subnet GetAtt AvailabilityZone raises NotImplementedError (the output
    # becomes the raw {"Fn::GetAtt": …}); the other documented attributes are
    # refused.
    subnet_attrs = {
        "AvailabilityZone": lambda s: s.availability_zone,
        "AvailabilityZoneId": lambda s: s.availability_zone_id,
        "CidrBlock": lambda s: s.cidr_block,
        "SubnetId": lambda s: s.id,
        "VpcId": lambda s: s.vpc_id,
        "Ipv6CidrBlocks": lambda s: [
            a.get("ipv6CidrBlock") for a in getattr(s, "ipv6_cidr_block_associations", {}).values()
        ],
    }

    def _subnet_get_cfn_attribute(self, attribute_name):  # type: ignore[no-untyped-def]
        if attribute_name in subnet_attrs:
            return subnet_attrs[attribute_name](self)
        raise UnformattedGetAttTemplateException()

    Subnet.has_cfn_attr = classmethod(lambda cls, attr: attr in subnet_attrs)
    Subnet.get_cfn_attribute = _subnet_get_cfn_attribute

    # Gap: NatGateway is never deleted with the stack (and AWS disassociates
    # the Elastic IP when a NAT gateway is deleted).
    def _nat_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        if self.id not in backend.nat_gateways or self.state == "deleted":
            return
        backend.delete_nat_gateway(self.id)  # state "deleted", still listed (as AWS does for a while)
        for address in self.address_set:
            assoc = address.get("associationId") or address.get("AssociationId")
            if assoc:
                try:
                    backend.disassociate_address(association_id=assoc)
                except Exception:  # noqa: BLE001 - already gone
                    pass
        eni = getattr(self, "_eni", None)
        if eni is not None:
            try:
                backend.delete_network_interface(eni.id)
            except Exception:  # noqa: BLE001 - already gone
                pass

    NatGateway.delete = _nat_delete

    # Gap: EIP is never released with the stack.  AWS refuses to release an
    # address still in use, and so does this (the delete loop retries once the
    # NAT gateway is gone).
    def _eip_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        if self not in backend.addresses:
            return
        if self.association_id:
            from moto.ec2.exceptions import EC2ClientError

            raise EC2ClientError("InvalidIPAddress.InUse", f"Address {self.public_ip} is in use.")
        backend.release_address(allocation_id=self.allocation_id) if self.allocation_id else backend.release_address(address=self.public_ip)

    ElasticAddress.delete = _eip_delete
    ElasticAddress.has_cfn_attr = classmethod(lambda cls, attr: attr in ("AllocationId", "PublicIp"))
    orig_eip_attr = ElasticAddress.get_cfn_attribute

    def _eip_get_cfn_attribute(self, attribute_name):  # type: ignore[no-untyped-def]
        if attribute_name == "PublicIp":
            return self.public_ip
        return orig_eip_attr(self, attribute_name)

    ElasticAddress.get_cfn_attribute = _eip_get_cfn_attribute

    # Gap: TargetGroup is never deleted with the stack.  AWS refuses while a
    # listener uses it; so does moto's delete_target_group (the delete loop
    # retries after the listener/load balancer is gone).
    def _tg_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = elbv2_backends[account_id][region_name]
        if self.arn in backend.target_groups:
            backend.delete_target_group(self.arn)

    FakeTargetGroup.delete = _tg_delete

    # Gap: SecurityGroupIngress ignores CidrIpv6 and SourcePrefixListId, has no
    # physical id and is never revoked.
    def _sg_ingress_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        group_id = props.get("GroupId")
        if group_id:
            group = backend.describe_security_groups(group_ids=[group_id])[0]
        else:
            group = backend.describe_security_groups(groupnames=[props.get("GroupName")])[0]
        ip_ranges = []
        if props.get("CidrIp"):
            ip_ranges.append({"CidrIp": props["CidrIp"], "Description": props.get("Description")})
        if props.get("CidrIpv6"):
            ip_ranges.append({"CidrIpv6": props["CidrIpv6"], "Description": props.get("Description")})
        source_group = {}
        if props.get("SourceSecurityGroupId"):
            source_group["GroupId"] = props["SourceSecurityGroupId"]
        if props.get("SourceSecurityGroupName"):
            source_group["GroupName"] = props["SourceSecurityGroupName"]
        if props.get("SourceSecurityGroupOwnerId") and source_group:
            source_group["UserId"] = props["SourceSecurityGroupOwnerId"]
        if props.get("Description") and source_group:
            source_group["Description"] = props["Description"]
        prefix_lists = (
            [{"PrefixListId": props["SourcePrefixListId"], **({"Description": props["Description"]} if props.get("Description") else {})}]
            if props.get("SourcePrefixListId")
            else []
        )
        if not (ip_ranges or source_group or prefix_lists):
            from moto.ec2.exceptions import EC2ClientError

            raise EC2ClientError(
                "InvalidParameterValue", "Either CIDR or source security group or prefix list must be specified"
            )
        rules, _ = backend.authorize_security_group_ingress(
            group_name_or_id=group.id,
            ip_protocol=str(props.get("IpProtocol")),
            from_port=props.get("FromPort"),
            to_port=props.get("ToPort"),
            ip_ranges=ip_ranges,
            source_groups=[source_group] if source_group else [],
            prefix_list_ids=prefix_lists,
        )
        ingress = cls(group, props)
        ingress.rule_ids = [r.id for r in rules]
        return ingress

    def _sg_ingress_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        group = backend.get_security_group_from_id(self.security_group.id)
        if group is None:
            return  # the group (and its rules) is already gone
        present = {r.id for r in group.ingress_rules}
        ids = [i for i in getattr(self, "rule_ids", []) if i in present]
        if ids:
            backend.revoke_security_group_ingress(
                group_name_or_id=group.id, ip_protocol=None, from_port=None, to_port=None, ip_ranges=[], security_rule_ids=ids
            )

    SecurityGroupIngress.create_from_cloudformation_json = classmethod(_sg_ingress_create)
    SecurityGroupIngress.update_from_cloudformation_json = classmethod(_replacing_update)  # every property but Description replaces
    SecurityGroupIngress.delete = _sg_ingress_delete
    SecurityGroupIngress.physical_resource_id = property(lambda self: (getattr(self, "rule_ids", None) or [""])[0])

    # Gap: every update of an AWS::EC2::SecurityGroup deletes the group and
    # creates a new one (a new id).  AWS replaces the group only when
    # GroupDescription, GroupName or VpcId change; otherwise it updates in
    # place: an update of SecurityGroupIngress / SecurityGroupEgress revokes
    # the rules the old template declared and the new one does not, and
    # authorizes the new ones.  Rules opened outside CloudFormation are never
    # seen, so never revoked.
    from moto.ec2.models.security_groups import SecurityGroup

    orig_sg_update = SecurityGroup.update_from_cloudformation_json.__func__
    protocols = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}

    def _rule_key(proto: Any, from_port: Any, to_port: Any, source: tuple[str, str]) -> tuple[Any, ...]:
        proto = protocols.get(str(proto).lower(), str(proto).lower())
        if proto == "-1":
            return (proto, None, None, source)
        return (proto, _to_int(from_port), _to_int(to_port), source)

    def _declared(rules: list[dict[str, Any]], egress: bool) -> dict[tuple[Any, ...], dict[str, Any]]:
        group_key = "DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"
        prefix_key = "DestinationPrefixListId" if egress else "SourcePrefixListId"
        out = {}
        for rule in rules or []:
            for key, kind in (("CidrIp", "cidr"), ("CidrIpv6", "cidr6"), (group_key, "group"), (prefix_key, "prefix")):
                if rule.get(key):
                    out[_rule_key(rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort"), (kind, rule[key]))] = rule
        return out

    def _live_key(rule: Any) -> tuple[Any, ...]:
        if rule.ip_range.get("CidrIp"):
            source = ("cidr", rule.ip_range["CidrIp"])
        elif rule.ip_range.get("CidrIpv6"):
            source = ("cidr6", rule.ip_range["CidrIpv6"])
        elif rule.source_group.get("GroupId"):
            source = ("group", rule.source_group["GroupId"])
        elif rule.prefix_list_id:
            source = ("prefix", rule.prefix_list_id)
        else:
            source = ("other", "")
        return _rule_key(rule.ip_protocol, rule.from_port, rule.to_port, source)

    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    # "When you specify a VPC security group, Amazon EC2 creates a default
    # egress rule that allows egress traffic on all ports and IP protocols to
    # any location. The default rule is removed only when you specify one or
    # more egress rules in the SecurityGroupEgress property."
    default_egress = [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]

    def _effective(props: dict[str, Any], egress: bool) -> list[dict[str, Any]]:
        if egress:
            return props.get("SecurityGroupEgress") or default_egress
        return props.get("SecurityGroupIngress") or []

    # Gap: a rule whose source is a security group (UserIdGroupPairs) loses its
    # Description, and SecurityGroupRule.description is read-only and reads
    # the CIDR range only.  EC2 keeps a description on every kind of rule
    # (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html)
    # and a description is not part of a rule's identity: revoking or
    # re-authorizing a rule matches it without its description
    # (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html).
    from moto.ec2.models.security_groups import SecurityGroupRule

    def _rule_description(self: Any) -> Any:
        return self.ip_range.get("Description") or self.source_group.get("Description") or getattr(self, "prefix_list_description", None)

    def _set_rule_description(rule: Any, description: Any) -> None:
        if rule.prefix_list_id and not rule.ip_range and not rule.source_group:
            rule.prefix_list_description = description or None
            return
        target = rule.ip_range if rule.ip_range else rule.source_group
        if description:
            target["Description"] = description
        else:
            target.pop("Description", None)

    orig_rule_eq = SecurityGroupRule.__eq__

    def _rule_eq(self: Any, other: Any) -> bool:
        if not isinstance(other, SecurityGroupRule):
            return NotImplemented
        mine = {k: v for k, v in self.source_group.items() if k != "Description"}
        theirs = {k: v for k, v in other.source_group.items() if k != "Description"}
        if mine != theirs:
            return False
        saved = (self.source_group, other.source_group)
        try:
            self.source_group, other.source_group = mine, theirs
            return orig_rule_eq(self, other)
        finally:
            self.source_group, other.source_group = saved

    # Gap: a rule whose source is a prefix list loses its Description too
    # (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrefixListId.html
    # has one): keep it on the rule and show it in DescribeSecurityGroups.
    orig_rule_init = SecurityGroupRule.__init__

    def _rule_init(self: Any, *args: Any, **kwargs: Any) -> None:
        orig_rule_init(self, *args, **kwargs)
        prefix = kwargs.get("prefix_list_id") if "prefix_list_id" in kwargs else (args[7] if len(args) > 7 else None)
        self.prefix_list_description = (prefix or {}).get("Description") if isinstance(prefix, dict) else None

    orig_flattened = SecurityGroup._flattened_rules

    def _flattened_rules(self: Any, rules: list[Any]) -> list[Any]:
        views = orig_flattened(self, rules)
        described = {
            (r.ip_protocol, r.from_port, r.to_port, r.prefix_list_id): r.prefix_list_description
            for r in rules
            if r.prefix_list_id and getattr(r, "prefix_list_description", None)
        }
        for view in views:
            for entry in view.prefix_list_ids:
                text = described.get((view.ip_protocol, view.from_port, view.to_port, entry.get("PrefixListId")))
                if text:
                    entry["Description"] = text
        return views

    SecurityGroupRule.__init__ = _rule_init
    SecurityGroup._flattened_rules = _flattened_rules
    SecurityGroupRule.description = property(_rule_description)
    SecurityGroupRule.__eq__ = _rule_eq
    SecurityGroupRule.__hash__ = None  # type: ignore[assignment]

    def _apply_rule_diff(backend: Any, group: Any, old_rules: list[dict[str, Any]], new_rules: list[dict[str, Any]], egress: bool) -> None:
        # CloudFormation compares the old template's rules with the new
        # template's: it revokes the rules that were declared and no longer
        # are, authorizes the newly declared ones, and never looks at rules it
        # did not declare (a rule opened by hand stays open).
        before, after = _declared(old_rules, egress), _declared(new_rules, egress)
        live = list(group.egress_rules if egress else group.ingress_rules)
        present = {_live_key(r): r for r in live}
        stale = [present[key].id for key in before if key not in after and key in present]
        revoke = backend.revoke_security_group_egress if egress else backend.revoke_security_group_ingress
        authorize = backend.authorize_security_group_egress if egress else backend.authorize_security_group_ingress
        if stale:
            revoke(group_name_or_id=group.id, ip_protocol=None, from_port=None, to_port=None, ip_ranges=[], security_rule_ids=stale)
        for key, rule in after.items():
            if key in before and key in present:
                if rule.get("Description") != before[key].get("Description"):
                    _set_rule_description(present[key], rule.get("Description"))  # UpdateSecurityGroupRuleDescriptions*
                continue
            if key in present:
                continue  # already open (by hand): EC2 would answer InvalidPermission.Duplicate; CloudFormation leaves it
            kind, value = key[3]
            ip_ranges, groups, prefixes = [], [], []
            if kind == "cidr":
                ip_ranges = [{"CidrIp": value, "Description": rule.get("Description")}]
            elif kind == "cidr6":
                ip_ranges = [{"CidrIpv6": value, "Description": rule.get("Description")}]
            elif kind == "group":
                groups = [{"GroupId": value, **({"Description": rule["Description"]} if rule.get("Description") else {})}]
            else:
                prefixes = [{"PrefixListId": value, **({"Description": rule["Description"]} if rule.get("Description") else {})}]
            authorize(
                group_name_or_id=group.id,
                ip_protocol=str(rule.get("IpProtocol")),
                from_port=rule.get("FromPort"),
                to_port=rule.get("ToPort"),
                ip_ranges=ip_ranges,
                source_groups=groups,
                prefix_list_ids=prefixes,
            )

    def _sg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        old = getattr(original_resource, "_ext_props", None)
        if old is None or any(
            props.get(k) != old.get(k) for k in ("GroupDescription", "GroupName", "VpcId")
        ):
            return orig_sg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend = ec2_backends[account_id][region_name]
        group = backend.get_security_group_from_id(original_resource.id)
        if group is None:
            return orig_sg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        if props.get("SecurityGroupIngress") != old.get("SecurityGroupIngress"):
            _apply_rule_diff(backend, group, _effective(old, False), _effective(props, False), egress=False)
        if props.get("SecurityGroupEgress") != old.get("SecurityGroupEgress"):
            _apply_rule_diff(backend, group, _effective(old, True), _effective(props, True), egress=True)
        if props.get("Tags") != old.get("Tags") and _RETAG is not None:
            _RETAG(group, props, account_id, region_name)
        return group

    SecurityGroup.update_from_cloudformation_json = classmethod(_sg_update)

    # Gap: creating an AWS::EC2::SecurityGroup drops each rule's Description,
    # CidrIpv6 and SourcePrefixListId, and ignores SecurityGroupEgress (the
    # default allow-all egress rule stays).  Create the group, then set the
    # declared rules as CloudFormation does.
    orig_sg_create = SecurityGroup.create_from_cloudformation_json.__func__

    def _sg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        bare = dict(cloudformation_json, Properties={k: v for k, v in props.items() if k not in ("SecurityGroupIngress", "SecurityGroupEgress")})
        group = orig_sg_create(cls, resource_name, bare, account_id, region_name, **kwargs)
        backend = ec2_backends[account_id][region_name]
        _apply_rule_diff(backend, group, [], _effective(props, False), egress=False)
        if props.get("SecurityGroupEgress") and props.get("VpcId"):
            _apply_rule_diff(backend, group, default_egress, _effective(props, True), egress=True)
        return group

    SecurityGroup.create_from_cloudformation_json = classmethod(_sg_create)

    # Gap: CreateLaunchTemplateVersion ignores SourceVersion.  AWS starts the
    # new version from the source version's data, and the parameters given
    # override it.
    from moto.ec2.responses.launch_templates import LaunchTemplates

    orig_create_version = LaunchTemplates.create_launch_template_version

    def _create_launch_template_version(self):  # type: ignore[no-untyped-def]
        source = self._get_param("SourceVersion")
        if source:
            name = self._get_param("LaunchTemplateName")
            template_id = self._get_param("LaunchTemplateId")
            template = (
                self.ec2_backend.get_launch_template(template_id)
                if template_id
                else self.ec2_backend.get_launch_template_by_name(name)
            )
            base = copy.deepcopy(template.get_version(source).data)
            base.update(self._get_param("LaunchTemplateData", {}) or {})
            orig_get_param = self._get_param

            def _get_param(param_name, if_none=None):  # type: ignore[no-untyped-def]
                if param_name == "LaunchTemplateData":
                    return base
                return orig_get_param(param_name, if_none)

            self._get_param = _get_param
            try:
                return orig_create_version(self)
            finally:
                del self._get_param
        return orig_create_version(self)

    LaunchTemplates.create_launch_template_version = _create_launch_template_version



def _patch_ec2_network() -> None:
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.models.internet_gateways import InternetGateway
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment

    # Gap: VPC ignores EnableDnsSupport / EnableDnsHostnames and
    # InternetGateway ignores Tags (drift detection then reports them).
    from moto.ec2.models.vpcs import VPC

    orig_vpc_create = VPC.create_from_cloudformation_json.__func__

    def _vpc_dns(vpc: Any, props: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        for prop, attr in (("EnableDnsSupport", "enable_dns_support"), ("EnableDnsHostnames", "enable_dns_hostnames")):
            if props.get(prop) is not None:
                backend.modify_vpc_attribute(vpc.id, attr, bool(_to_bool(props[prop])))

    def _vpc_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        vpc = orig_vpc_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        _vpc_dns(vpc, cloudformation_json["Properties"], account_id, region_name)
        return vpc

    VPC.create_from_cloudformation_json = classmethod(_vpc_create)
    IN_PLACE["AWS::EC2::VPC"] = ({"EnableDnsSupport", "EnableDnsHostnames"}, _vpc_dns)

    orig_igw_create = InternetGateway.create_from_cloudformation_json.__func__

    def _igw_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        igw = orig_igw_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        tags = {t["Key"]: t["Value"] for t in cloudformation_json["Properties"].get("Tags") or []}
        if tags:
            ec2_backends[account_id][region_name].create_tags([igw.id], tags)
        return igw

    InternetGateway.create_from_cloudformation_json = classmethod(_igw_create)

    # Gap: RouteTable, NatGateway and EIP drop the template's Tags (moto's EIP
    # says "TODO: support tags from cloudformation template"); AWS creates
    # them with their tags
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-routetable.html,
    # .../aws-resource-ec2-natgateway.html, .../aws-resource-ec2-eip.html).
    # An address is tagged by its allocation id.
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.nat_gateways import NatGateway

    def _with_template_tags(model: Any) -> None:
        orig = model.create_from_cloudformation_json.__func__

        def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
            resource = orig(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
            tags = {t["Key"]: t["Value"] for t in (cloudformation_json.get("Properties") or {}).get("Tags") or []}
            if tags:
                resource_id = getattr(resource, "allocation_id", None) or getattr(resource, "id", None) or resource.physical_resource_id
                ec2_backends[account_id][region_name].create_tags([resource_id], tags)
            return resource

        model.create_from_cloudformation_json = classmethod(create)

    for _model in (RouteTable, NatGateway, ElasticAddress):
        _with_template_tags(_model)

    # Gap: SubnetRouteTableAssociation is recorded in a side table, so the
    # route table shows no association (DescribeRouteTables), its Ref is the
    # route table id instead of the association id, and it is never removed.
    def _assoc_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        association_id = backend.associate_route_table(props["RouteTableId"], subnet_id=props["SubnetId"])
        assoc = cls(props["RouteTableId"], props["SubnetId"])
        assoc.association_id = association_id
        return assoc

    def _assoc_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        try:
            backend.disassociate_route_table(self.association_id)
        except Exception:  # noqa: BLE001 - already gone
            pass

    SubnetRouteTableAssociation.create_from_cloudformation_json = classmethod(_assoc_create)
    SubnetRouteTableAssociation.update_from_cloudformation_json = classmethod(_replacing_update)
    SubnetRouteTableAssociation.delete = _assoc_delete
    SubnetRouteTableAssociation.physical_resource_id = property(
        lambda self: getattr(self, "association_id", None) or self.route_table_id
    )

    # Gap: Route and RouteTable are never deleted with the stack (the VPC then
    # cannot be deleted: DependencyViolation), and cannot be updated.
    def _route_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        if self.route_table.id not in backend.route_tables:
            return
        try:
            backend.delete_route(
                self.route_table.id,
                self.destination_cidr_block,
                destination_ipv6_cidr_block=self.destination_ipv6_cidr_block,
                destination_prefix_list_id=getattr(self.destination_prefix_list, "id", None),
            )
        except Exception:  # noqa: BLE001 - already gone
            pass

    Route.delete = _route_delete
    Route.update_from_cloudformation_json = classmethod(_replacing_update)

    def _route_table_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        if self.id in backend.route_tables:
            backend.delete_route_table(self.id)  # DependencyViolation while associated: retried

    RouteTable.delete = _route_table_delete

    # Gap: the InternetGateway is never deleted and the VPCGatewayAttachment
    # never detached.
    def _igw_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        if self.id in backend.internet_gateways:
            backend.delete_internet_gateway(self.id)  # DependencyViolation while attached: retried

    InternetGateway.delete = _igw_delete

    def _attachment_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        try:
            if self.gateway_id.startswith("igw-"):
                backend.detach_internet_gateway(self.gateway_id, self.vpc_id)
            else:
                backend.detach_vpn_gateway(self.gateway_id, self.vpc_id)
        except Exception:  # noqa: BLE001 - already detached
            pass

    VPCGatewayAttachment.delete = _attachment_delete

    # Gap: for EC2 types without update support a Tags-only change is lost
    # (AWS updates tags in place).  Hooked into the keep-the-resource fallback.
    def _retag(resource: Any, props: dict[str, Any], account_id: str, region_name: str) -> None:
        if not isinstance(resource, TaggedEC2Resource) or "Tags" not in props and not resource.get_tags():
            return
        backend = ec2_backends[account_id][region_name]
        resource_id = getattr(resource, "id", None) or resource.physical_resource_id
        wanted = {t["Key"]: t["Value"] for t in props.get("Tags", [])}
        current = {t["key"]: t["value"] for t in resource.get_tags()}
        stale = [k for k in current if k not in wanted and not k.startswith("aws:")]
        if stale:
            backend.delete_tags([resource_id], {k: None for k in stale})
        if wanted:
            backend.create_tags([resource_id], wanted)

    global _RETAG
    _RETAG = _retag


_RETAG: Any = None
# type -> (properties the harness changes in place for a type moto cannot
# update, the function that applies them: (resource, props, account, region))
IN_PLACE: dict[str, tuple[set[str], Any]] = {}


def _install_cfn(model: Any, create: Any, update: Any, attrs: dict[str, Any]) -> None:
    """Give a moto model the harness's CloudFormation create and update and
    the GetAtt table ``attrs`` (attribute -> function of the object); any
    other attribute is refused."""
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    def get_cfn_attribute(self, attribute_name):  # type: ignore[no-untyped-def]
        if attribute_name in attrs:
            return attrs[attribute_name](self)
        raise UnformattedGetAttTemplateException()

    model.create_from_cloudformation_json = classmethod(create)
    model.update_from_cloudformation_json = classmethod(update)
    model.has_cfn_attr = classmethod(lambda cls, attr: attr in attrs)
    model.get_cfn_attribute = get_cfn_attribute


def _patch_elbv2_more() -> None:
    from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup, elbv2_backends

    def _attrs(items: list[dict[str, Any]] | None) -> dict[str, str]:
        return {a["Key"]: str(a["Value"]) for a in items or []}

    # Gap: LoadBalancer ignores Type (a network LB became an application LB),
    # IpAddressType, SubnetMappings, LoadBalancerAttributes and Tags; GetAtt
    # LoadBalancerFullName/CanonicalHostedZoneID/SecurityGroups are refused.
    def _lb_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        lb = backend.create_load_balancer(
            resource_name,
            props.get("SecurityGroups") or [],
            props.get("Subnets") or [],
            subnet_mappings=props.get("SubnetMappings"),
            scheme=props.get("Scheme", "internet-facing"),
            loadbalancer_type=props.get("Type", "application"),
            ip_address_type=props.get("IpAddressType", "ipv4"),
            tags=props.get("Tags") or None,
        )
        if props.get("LoadBalancerAttributes"):
            backend.modify_load_balancer_attributes(lb.arn, _attrs(props["LoadBalancerAttributes"]))
        return lb

    def _lb_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        old = getattr(original_resource, "_ext_props", None)
        if old is not None:
            # Name/Scheme/Type (replacement) and the rest: not performed here
            refuse_unperformed_update(
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                old,
                props,
                {"LoadBalancerAttributes", "SecurityGroups", "Tags", "Subnets", "IpAddressType"},
            )
            if props.get("Subnets") != old.get("Subnets") and props.get("Subnets"):
                backend.set_subnets(original_resource.arn, list(props["Subnets"]), [])
            if props.get("IpAddressType") != old.get("IpAddressType"):
                backend.set_ip_address_type(original_resource.arn, props.get("IpAddressType") or "ipv4")
        if props.get("LoadBalancerAttributes"):
            backend.modify_load_balancer_attributes(original_resource.arn, _attrs(props["LoadBalancerAttributes"]))
        if props.get("SecurityGroups") is not None:
            original_resource.security_groups = list(props["SecurityGroups"])
        if props.get("Tags"):
            backend.add_tags([original_resource.arn], props["Tags"])
        return original_resource

    lb_attrs = {
        "DNSName": lambda lb: lb.dns_name,
        "LoadBalancerName": lambda lb: lb.name,
        "LoadBalancerFullName": lambda lb: lb.arn.split(":loadbalancer/", 1)[1],
        "CanonicalHostedZoneID": lambda lb: lb.canonical_hosted_zone_id,
        "SecurityGroups": lambda lb: list(lb.security_groups or []),
        "LoadBalancerArn": lambda lb: lb.arn,
    }

    _install_cfn(FakeLoadBalancer, _lb_create, _lb_update, lb_attrs)

    # Gap: TargetGroup ignores TargetGroupAttributes, Tags, HealthCheckEnabled,
    # ProtocolVersion and IpAddressType, has no GetAtt at all (GetAtt
    # TargetGroupFullName is an HTTP 500) and cannot be updated.
    orig_tg_create = FakeTargetGroup.create_from_cloudformation_json.__func__

    def _tg_apply(tg: Any, props: dict[str, Any], backend: Any) -> None:
        if props.get("TargetGroupAttributes"):
            backend.modify_target_group_attributes(tg.arn, _attrs(props["TargetGroupAttributes"]))
        if props.get("Tags"):
            backend.add_tags([tg.arn], props["Tags"])

    def _tg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        tg = orig_tg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        if props.get("ProtocolVersion") and tg.protocol in ("HTTP", "HTTPS"):
            tg.protocol_version = props["ProtocolVersion"]
        if props.get("IpAddressType"):
            tg.ip_address_type = props["IpAddressType"]
        if props.get("HealthCheckEnabled") is not None:
            tg.health_check_enabled = bool(_to_bool(props["HealthCheckEnabled"]))
        _tg_apply(tg, props, backend)
        return tg

    def _tg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        props = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        wanted_name = props.get("Name")
        replace = (wanted_name and wanted_name != original_resource.name) or any(
            props.get(k) is not None and str(props.get(k)) != str(v)
            for k, v in (
                ("Port", original_resource.port),
                ("Protocol", original_resource.protocol),
                ("TargetType", original_resource.target_type),
                ("VpcId", original_resource.vpc_id),
            )
        )
        if replace:
            new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            try:
                original_resource.delete(account_id, region_name)
            except Exception:  # noqa: BLE001 - still used by a listener: AWS deletes it after the update
                logger.warning("old target group %s still in use; left in place", original_resource.arn)
            return new
        matcher = props.get("Matcher") or {}
        backend.modify_target_group(
            original_resource.arn,
            health_check_proto=props.get("HealthCheckProtocol"),
            health_check_port=props.get("HealthCheckPort"),
            health_check_path=props.get("HealthCheckPath"),
            health_check_interval=_to_int(props.get("HealthCheckIntervalSeconds")),
            health_check_timeout=_to_int(props.get("HealthCheckTimeoutSeconds")),
            healthy_threshold_count=props.get("HealthyThresholdCount"),
            unhealthy_threshold_count=props.get("UnhealthyThresholdCount"),
            http_codes=matcher.get("HttpCode"),
            health_check_enabled=_to_bool(props.get("HealthCheckEnabled")),
        )
        _tg_apply(original_resource, props, backend)
        return original_resource

    tg_attrs = {
        "TargetGroupArn": lambda tg: tg.arn,
        "TargetGroupName": lambda tg: tg.name,
        "TargetGroupFullName": lambda tg: tg.arn.split(":", 5)[5],
        "LoadBalancerArns": lambda tg: list(tg.load_balancer_arns),
    }

    _install_cfn(FakeTargetGroup, _tg_create, _tg_update, tg_attrs)

# --------------------------------------------------------------------------
# ElastiCache backend fixes
# --------------------------------------------------------------------------


def _patch_elasticache_backend() -> None:
    from moto.elasticache.models import CacheSubnetGroup, ElastiCacheBackend

    # Gap: DescribeCacheSubnetGroups returns "SubnetAvailabilityZone": {} - moto
    # stores the AZ as a bare string (or under a misspelt key) where the API
    # shape is {"Name": az}.
    orig_subnet_group_init = CacheSubnetGroup.__init__

    def _cache_subnet_group_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        orig_subnet_group_init(self, *args, **kwargs)
        for subnet in self.subnets:
            az = subnet.pop("Subnet_availability_zone", None) or subnet.get("subnet_availability_zone")
            if isinstance(az, str):
                az = {"Name": az}
            subnet["subnet_availability_zone"] = az

    CacheSubnetGroup.__init__ = _cache_subnet_group_init

    orig_create = ElastiCacheBackend.create_replication_group

    # Gaps in CreateReplicationGroup: NumCacheClusters is ignored when cluster
    # mode is disabled (only ReplicasPerNodeGroup counts); every node is put in
    # us-east-1a/us-east-1b whatever the region and subnet group; every
    # endpoint is "….use1.cache.amazonaws.com".
    def _create_replication_group(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if (
            (kwargs.get("cluster_mode") or "disabled") != "enabled"
            and kwargs.get("num_cache_clusters")
            and not kwargs.get("replicas_per_node_group")
        ):
            kwargs["replicas_per_node_group"] = int(kwargs["num_cache_clusters"]) - 1
        group = orig_create(self, *args, **kwargs)
        _fix_replication_group_region(self, group, kwargs)
        return group

    ElastiCacheBackend.create_replication_group = _create_replication_group


def _fix_replication_group_region(backend: Any, group: Any, kwargs: dict[str, Any]) -> None:
    region = backend.region_name
    azs: list[str] = []
    subnet_group = backend.cache_subnet_groups.get(kwargs.get("cache_subnet_group_name") or "")
    if subnet_group is not None:
        for subnet in subnet_group.subnets:
            az = subnet.get("subnet_availability_zone")
            if isinstance(az, dict):
                az = az.get("Name")
            if isinstance(az, str) and az not in azs:
                azs.append(az)
    if not azs:
        azs = [f"{region}a", f"{region}b"]
    explicit = bool(kwargs.get("preferred_cache_cluster_azs")) or any(
        c.get("PrimaryAvailabilityZone") or c.get("ReplicaAvailabilityZones")
        for c in (kwargs.get("node_group_configuration") or [])
    )
    if not explicit:
        for ng_index, node_group in enumerate(group.node_groups):
            for member_index, member in enumerate(node_group["node_group_members"]):
                member["preferred_availability_zone"] = azs[(ng_index + member_index) % len(azs)]
    if region == "us-east-1":
        return
    old, new = ".use1.cache.amazonaws.com", f".{_region_short(region)}.cache.amazonaws.com"
    group.node_groups = _replace_in(group.node_groups, old, new)
    if hasattr(group, "configuration_endpoint"):
        group.configuration_endpoint = _replace_in(group.configuration_endpoint, old, new)


def _replace_in(obj: Any, old: str, new: str) -> Any:
    """``obj`` with ``old`` replaced by ``new`` in every string it holds."""
    if isinstance(obj, str):
        return obj.replace(old, new)
    if isinstance(obj, dict):
        return {k: _replace_in(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_replace_in(v, old, new) for v in obj]
    return obj


# --------------------------------------------------------------------------
# New resource types
# --------------------------------------------------------------------------


def _define_models() -> list[type]:
    from moto.autoscaling.models import autoscaling_backends
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
    from moto.core.common_models import CloudFormationModel
    from moto.elasticache.exceptions import InvalidParameterCombinationException
    from moto.elasticache.models import CacheSubnetGroup, elasticache_backends

    # moto's model metaclass files classes under the service named by their
    # module ("moto.<service>…").
    _MODEL_MODULE = "moto.cloudformation.streamscale_ext"

    class _Handle(Handle):
        """Mixin: the stack keeps this handle, the service backend keeps the
        real object (what the APIs return).  (Each type must subclass
        CloudFormationModel directly: moto finds types by __subclasses__().)
        ext_base.Handle gives RTYPE, NAME_PROP, ATTRS and the name as physical
        id; these types create through ``_put``, update and delete themselves."""

        @classmethod
        def _put(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
            raise NotImplementedError

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
            return cls._put(resource_name, cloudformation_json["Properties"], account_id, region_name)

        @classmethod
        def _put_or_replace(cls, replace: bool, original_resource: Any, new_resource_name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
            """Put again under the same name, or (``replace``) delete and put
            under the new name."""
            if replace:
                original_resource.delete(account_id, region_name)
                return cls._put(new_resource_name, props, account_id, region_name)
            return cls._put(original_resource.name, props, account_id, region_name)

    # Gap: AWS::AutoScaling::ScalingPolicy is not registered in moto, so the
    # policy (and its TargetTrackingConfiguration) never exists.
    class CfnScalingPolicy(_Handle, CloudFormationModel):
        __module__ = _MODEL_MODULE

        RTYPE = "AWS::AutoScaling::ScalingPolicy"
        ATTRS = ("Arn", "PolicyName")

        @property
        def policy(self) -> Any:
            return autoscaling_backends[self.account_id][self.region_name].policies.get(self.name)

        @property
        def physical_resource_id(self) -> str:
            policy = self.policy
            return policy.arn if policy is not None else ""

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "Arn":
                return self.physical_resource_id
            if attribute_name == "PolicyName":
                return self.name
            raise UnformattedGetAttTemplateException()

        @classmethod
        def _put(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> "CfnScalingPolicy":
            backend = autoscaling_backends[account_id][region_name]
            asg_name = props.get("AutoScalingGroupName")
            if asg_name not in backend.autoscaling_groups:
                from moto.autoscaling.exceptions import ValidationError as AsValidationError

                raise AsValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{asg_name}' not found")
            ttc = copy.deepcopy(props.get("TargetTrackingConfiguration"))
            if ttc:
                ttc["TargetValue"] = _to_float(ttc.get("TargetValue"))
                if "DisableScaleIn" in ttc:
                    ttc["DisableScaleIn"] = _to_bool(ttc["DisableScaleIn"])
            steps = copy.deepcopy(props.get("StepAdjustments"))
            for step in steps or []:
                for key in ("MetricIntervalLowerBound", "MetricIntervalUpperBound"):
                    if key in step:
                        step[key] = _to_float(step[key])
                if "ScalingAdjustment" in step:
                    step["ScalingAdjustment"] = _to_int(step["ScalingAdjustment"])
            backend.put_scaling_policy(
                name=name,
                policy_type=props.get("PolicyType") or "SimpleScaling",
                metric_aggregation_type=props.get("MetricAggregationType"),
                adjustment_type=props.get("AdjustmentType"),
                as_name=asg_name,
                min_adjustment_magnitude=_to_int(props.get("MinAdjustmentMagnitude")),
                scaling_adjustment=_to_int(props.get("ScalingAdjustment")),
                cooldown=_to_int(props.get("Cooldown")),
                target_tracking_config=ttc,
                step_adjustments=steps,
                estimated_instance_warmup=_to_int(props.get("EstimatedInstanceWarmup")),
                predictive_scaling_configuration=props.get("PredictiveScalingConfiguration"),
            )
            return cls(account_id, region_name, name, props)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            props = cloudformation_json["Properties"]
            replace = props.get("AutoScalingGroupName") != original_resource.props.get("AutoScalingGroupName")
            return cls._put_or_replace(replace, original_resource, new_resource_name, props, account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            autoscaling_backends[account_id][region_name].policies.pop(self.name, None)

    # Gap: AWS::CloudWatch::Alarm is not registered in moto: no alarm exists.
    class CfnAlarm(_Handle, CloudFormationModel):
        __module__ = _MODEL_MODULE

        RTYPE = "AWS::CloudWatch::Alarm"
        NAME_PROP = "AlarmName"
        ATTRS = ("Arn",)

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "Arn":
                alarm = cloudwatch_backends[self.account_id][self.region_name].alarms.get(self.name)
                return alarm.alarm_arn if alarm is not None else None
            raise UnformattedGetAttTemplateException()

        @staticmethod
        def _metrics(metrics: list[dict[str, Any]] | None) -> list[Any] | None:
            if not metrics:
                return None
            queries = []
            for metric in metrics:
                stat = metric.get("MetricStat")
                metric_stat = None
                if stat:
                    inner = stat.get("Metric", {})
                    metric_stat = MetricStat(
                        metric=Metric(
                            metric_name=inner.get("MetricName"),
                            namespace=inner.get("Namespace"),
                            dimensions=[Dimension(d.get("Name"), d.get("Value")) for d in inner.get("Dimensions", [])],
                        ),
                        period=_to_int(stat.get("Period")),
                        stat=stat.get("Stat"),
                        unit=stat.get("Unit"),
                    )
                queries.append(
                    MetricDataQuery(
                        query_id=metric.get("Id"),
                        label=metric.get("Label"),
                        period=_to_int(metric.get("Period")),
                        return_data=_to_bool(metric.get("ReturnData")),
                        expression=metric.get("Expression"),
                        metric_stat=metric_stat,
                    )
                )
            return queries

        @classmethod
        def _put(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> "CfnAlarm":
            backend = cloudwatch_backends[account_id][region_name]
            actions_enabled = _to_bool(props.get("ActionsEnabled"))
            backend.put_metric_alarm(
                name=name,
                namespace=props.get("Namespace"),
                metric_name=props.get("MetricName"),
                comparison_operator=props.get("ComparisonOperator"),
                evaluation_periods=_to_int(props.get("EvaluationPeriods")),
                period=_to_int(props.get("Period")),
                threshold=_to_float(props.get("Threshold")),
                statistic=props.get("Statistic"),
                description=props.get("AlarmDescription"),
                dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in props.get("Dimensions", [])],
                alarm_actions=list(props.get("AlarmActions", [])),
                metric_data_queries=cls._metrics(props.get("Metrics")),
                datapoints_to_alarm=_to_int(props.get("DatapointsToAlarm")),
                extended_statistic=props.get("ExtendedStatistic"),
                ok_actions=list(props.get("OKActions", [])),
                insufficient_data_actions=list(props.get("InsufficientDataActions", [])),
                unit=props.get("Unit"),
                actions_enabled=True if actions_enabled is None else actions_enabled,
                treat_missing_data=props.get("TreatMissingData"),
                evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
                threshold_metric_id=props.get("ThresholdMetricId"),
                tags=props.get("Tags") or None,
            )
            return cls(account_id, region_name, name, props)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            props = cloudformation_json["Properties"]
            replace = bool(props.get("AlarmName")) and props["AlarmName"] != original_resource.name
            return cls._put_or_replace(replace, original_resource, new_resource_name, props, account_id, region_name)

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            cloudwatch_backends[account_id][region_name].delete_alarms([resource_name])

        def delete(self, account_id: str, region_name: str) -> None:
            cloudwatch_backends[account_id][region_name].delete_alarms([self.name])

    # Gap: AWS::ElastiCache::SubnetGroup is not registered in moto.
    class CfnCacheSubnetGroup(_Handle, CloudFormationModel):
        __module__ = _MODEL_MODULE

        RTYPE = "AWS::ElastiCache::SubnetGroup"
        NAME_PROP = "CacheSubnetGroupName"
        # Ref only: no attribute

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
            props = cloudformation_json["Properties"]
            name = props.get("CacheSubnetGroupName") or resource_name
            name = name.lower()  # ElastiCache stores subnet group names in lower case
            elasticache_backends[account_id][region_name].create_cache_subnet_group(
                cache_subnet_group_name=name,
                cache_subnet_group_description=props.get("Description"),
                subnet_ids=list(props.get("SubnetIds", [])),
                tags=props.get("Tags") or None,
            )
            return cls(account_id, region_name, name, props)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            props = cloudformation_json["Properties"]
            wanted = props.get("CacheSubnetGroupName")
            if wanted and wanted.lower() != original_resource.name:
                original_resource.delete(account_id, region_name)
                return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            backend = elasticache_backends[account_id][region_name]
            backend.cache_subnet_groups[original_resource.name] = CacheSubnetGroup(
                account_id=account_id,
                region_name=region_name,
                cache_subnet_group_name=original_resource.name,
                cache_subnet_group_description=props.get("Description"),
                subnet_ids=list(props.get("SubnetIds", [])),
                tags=props.get("Tags") or None,
            )
            original_resource.props = props
            return original_resource

        def delete(self, account_id: str, region_name: str) -> None:
            backend = elasticache_backends[account_id][region_name]
            in_use = [
                g.replication_group_id
                for g in backend.replication_groups.values()
                if g.cache_subnet_group_name == self.name
            ]
            if in_use:  # AWS: CacheSubnetGroupInUse; the stack delete retries later
                from moto.elasticache.exceptions import ElastiCacheException

                raise ElastiCacheException(
                    "CacheSubnetGroupInUse", f"Cache subnet group {self.name} is currently in use by {in_use[0]}."
                )
            backend.cache_subnet_groups.pop(self.name, None)

    # Gap: AWS::ElastiCache::ReplicationGroup is not registered in moto, so the
    # group never exists and GetAtt on it in Outputs is an HTTP 500.
    class CfnReplicationGroup(_Handle, CloudFormationModel):
        __module__ = _MODEL_MODULE

        RTYPE = "AWS::ElastiCache::ReplicationGroup"
        NAME_PROP = "ReplicationGroupId"

        ATTRS = (
            "ConfigurationEndPoint.Address",
            "ConfigurationEndPoint.Port",
            "PrimaryEndPoint.Address",
            "PrimaryEndPoint.Port",
            "ReaderEndPoint.Address",
            "ReaderEndPoint.Port",
            "ReadEndPoint.Addresses",
            "ReadEndPoint.Addresses.List",
            "ReadEndPoint.Ports",
            "ReadEndPoint.Ports.List",
        )

        @property
        def group(self) -> Any:
            return elasticache_backends[self.account_id][self.region_name].replication_groups.get(self.name)

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            group = self.group
            if group is None or attribute_name not in self.ATTRS:
                raise UnformattedGetAttTemplateException()
            port = str(group.port)
            if group.cluster_enabled:
                # cluster mode enabled: only the configuration endpoint exists
                if attribute_name == "ConfigurationEndPoint.Address":
                    return group.configuration_endpoint["address"]
                if attribute_name == "ConfigurationEndPoint.Port":
                    return port
                raise UnformattedGetAttTemplateException()
            node_group = group.node_groups[0]
            replicas = [
                m["read_endpoint"]["address"]
                for m in node_group["node_group_members"]
                if m.get("current_role") == "replica"
            ]
            values = {
                "PrimaryEndPoint.Address": node_group["primary_endpoint_address"],
                "PrimaryEndPoint.Port": port,
                "ReaderEndPoint.Address": node_group["reader_endpoint_address"],
                "ReaderEndPoint.Port": port,
                "ReadEndPoint.Addresses": ",".join(replicas),
                "ReadEndPoint.Addresses.List": replicas,
                "ReadEndPoint.Ports": ",".join(port for _ in replicas),
                "ReadEndPoint.Ports.List": [port for _ in replicas],
            }
            if attribute_name not in values:
                raise UnformattedGetAttTemplateException()
            return values[attribute_name]

        @classmethod
        def _put(cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str) -> "CfnReplicationGroup":
            group_id = props.get("ReplicationGroupId") or _generated_id(resource_name, 40)
            group_id = group_id.lower()
            num_node_groups = _to_int(props.get("NumNodeGroups"))
            node_group_configuration = props.get("NodeGroupConfiguration") or []
            cluster_mode = props.get("ClusterMode")
            if not cluster_mode:
                parameter_group = props.get("CacheParameterGroupName") or ""
                enabled = (num_node_groups or 1) > 1 or len(node_group_configuration) > 1 or "cluster.on" in parameter_group
                cluster_mode = "enabled" if enabled else "disabled"
            failover = _to_bool(props.get("AutomaticFailoverEnabled"))
            multi_az = _to_bool(props.get("MultiAZEnabled"))
            # Refuse what AWS refuses (InvalidParameterCombination).
            if multi_az and not failover:
                raise InvalidParameterCombinationException(
                    "When multiAZ is enabled, automatic failover must also be enabled."
                )
            if cluster_mode == "enabled" and failover is False:
                raise InvalidParameterCombinationException(
                    "Automatic failover must be enabled for Redis (cluster mode enabled) replication groups."
                )
            backend = elasticache_backends[account_id][region_name]
            backend.create_replication_group(
                replication_group_id=group_id,
                replication_group_description=props.get("ReplicationGroupDescription"),
                global_replication_group_id=props.get("GlobalReplicationGroupId"),
                primary_cluster_id=props.get("PrimaryClusterId"),
                automatic_failover_enabled=bool(failover) or cluster_mode == "enabled",
                multi_az_enabled=bool(multi_az),
                num_cache_clusters=_to_int(props.get("NumCacheClusters")),
                preferred_cache_cluster_azs=list(props.get("PreferredCacheClusterAZs", [])),
                num_node_groups=num_node_groups,
                replicas_per_node_group=_to_int(props.get("ReplicasPerNodeGroup")),
                node_group_configuration=node_group_configuration,
                cache_node_type=props.get("CacheNodeType"),
                engine=props.get("Engine"),
                engine_version=props.get("EngineVersion"),
                cache_parameter_group_name=props.get("CacheParameterGroupName"),
                cache_subnet_group_name=props.get("CacheSubnetGroupName"),
                cache_security_group_names=props.get("CacheSecurityGroupNames"),
                security_group_ids=props.get("SecurityGroupIds"),
                tags=props.get("Tags") or [],
                snapshot_arns=props.get("SnapshotArns"),
                snapshot_name=props.get("SnapshotName"),
                preferred_maintenance_window=props.get("PreferredMaintenanceWindow"),
                port=_to_int(props.get("Port")),
                notification_topic_arn=props.get("NotificationTopicArn"),
                auto_minor_version_upgrade=_to_bool(props.get("AutoMinorVersionUpgrade")),
                snapshot_retention_limit=_to_int(props.get("SnapshotRetentionLimit")),
                snapshot_window=props.get("SnapshotWindow"),
                auth_token=props.get("AuthToken"),
                transit_encryption_enabled=_to_bool(props.get("TransitEncryptionEnabled")),
                at_rest_encryption_enabled=_to_bool(props.get("AtRestEncryptionEnabled")),
                kms_key_id=props.get("KmsKeyId"),
                user_group_ids=props.get("UserGroupIds"),
                log_delivery_configurations=props.get("LogDeliveryConfigurations") or [],
                data_tiering_enabled=_to_bool(props.get("DataTieringEnabled")),
                network_type=props.get("NetworkType"),
                ip_discovery=props.get("IpDiscovery"),
                transit_encryption_mode=props.get("TransitEncryptionMode"),
                cluster_mode=cluster_mode,
                serverless_cache_snapshot_name=None,
            )
            return cls(account_id, region_name, group_id, props)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
            props = cloudformation_json["Properties"]
            changed = _changed_properties(original_resource.props, props)
            backend = elasticache_backends[account_id][region_name]
            # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-useonlineresharding
            # With UseOnlineResharding true, NumNodeGroups and
            # NodeGroupConfiguration are updated in place; "When
            # UseOnlineResharding is set to false, or not specified, updating the
            # NumNodeGroups and NodeGroupConfiguration properties results in
            # CloudFormation replacing the entire
            # AWS::ElastiCache::ReplicationGroup resource."
            online = bool(_to_bool((cloudformation_json.get("UpdatePolicy") or {}).get("UseOnlineResharding")))
            reshard = {"NumNodeGroups", "NodeGroupConfiguration"} & set(changed)
            if _requires_replacement(cls.cloudformation_type(), changed) or (reshard and not online):
                if props.get("ReplicationGroupId") and props["ReplicationGroupId"].lower() == original_resource.name:
                    raise custom_name_error(original_resource.name)
                original_resource.delete(account_id, region_name)
                return cls._put(new_resource_name, props, account_id, region_name)
            group = backend.replication_groups[original_resource.name]
            resize = {"NumCacheClusters", "NumNodeGroups", "NodeGroupConfiguration", "ClusterMode", "CacheParameterGroupName"}
            if resize & set(changed):
                # online resharding / replica change: rebuild the node layout,
                # keep the id and the endpoints' domain
                old_domain = _rg_domain(group)
                backend.replication_groups.pop(original_resource.name)
                try:
                    cls._put(original_resource.name, dict(props, ReplicationGroupId=original_resource.name), account_id, region_name)
                except Exception:
                    backend.replication_groups[original_resource.name] = group
                    raise
                new_group = backend.replication_groups[original_resource.name]
                _rg_set_domain(new_group, old_domain)
                new_group.replication_group_create_time = group.replication_group_create_time
                original_resource.props = props
                return original_resource
            backend.modify_replication_group(
                replication_group_id=original_resource.name,
                replication_group_description=props.get("ReplicationGroupDescription"),
                engine=props.get("Engine"),
                cache_node_type=props.get("CacheNodeType"),
                automatic_failover_enabled=_to_bool(props.get("AutomaticFailoverEnabled")),
                multi_az_enabled=_to_bool(props.get("MultiAZEnabled")),
                snapshot_retention_limit=_to_int(props.get("SnapshotRetentionLimit")),
            )
            if "TransitEncryptionEnabled" in changed:
                group.transit_encryption_enabled = bool(_to_bool(props.get("TransitEncryptionEnabled")))
            if "TransitEncryptionMode" in changed:
                group.transit_encryption_mode = props.get("TransitEncryptionMode")
            if "EngineVersion" in changed:
                group.engine_version = props.get("EngineVersion")
            if "SecurityGroupIds" in changed:
                group.security_group_ids = props.get("SecurityGroupIds")
            if "Tags" in changed:
                group.tags = props.get("Tags") or []
                backend.tagging_service.tag_resource(group.arn, group.tags)
            original_resource.props = props
            return original_resource

        def delete(self, account_id: str, region_name: str) -> None:
            # moto leaves a deleted group "deleting" forever; CloudFormation
            # waits until it is gone, so the stack delete removes it.
            backend = elasticache_backends[account_id][region_name]
            if self.name in backend.replication_groups:
                backend.delete_replication_group(self.name, retain_primary_cluster=False)
                backend.replication_groups.pop(self.name, None)

    return [CfnScalingPolicy, CfnAlarm, CfnCacheSubnetGroup, CfnReplicationGroup]


def _rg_domain(group: Any) -> str | None:
    address = None
    if getattr(group, "configuration_endpoint", None):
        address = group.configuration_endpoint.get("address")
    elif group.node_groups and group.node_groups[0].get("primary_endpoint_address"):
        address = group.node_groups[0]["primary_endpoint_address"]
    if not address:
        return None
    return address.split(".", 1)[1]


def _rg_set_domain(group: Any, domain: str | None) -> None:
    new_domain = _rg_domain(group)
    if not domain or not new_domain or domain == new_domain:
        return
    group.node_groups = _replace_in(group.node_groups, new_domain, domain)
    if getattr(group, "configuration_endpoint", None):
        group.configuration_endpoint = _replace_in(group.configuration_endpoint, new_domain, domain)


# --------------------------------------------------------------------------


def _sibling(name: str) -> Any:
    """Import a module that lives next to this one (tests/moto/)."""
    import importlib
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module(name)


def install() -> None:
    """Apply every extension (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudformation import parsing

    _patch_parsing()
    _patch_cloudformation_models()
    _patch_autoscaling()
    _patch_ec2_elbv2()
    _patch_ec2_network()
    _patch_elbv2_more()
    _patch_elasticache_backend()
    _define_models()
    _sibling("ext_strict").install()
    _sibling("ext_drift").install()
    _sibling("ext_switches").install()
    _sibling("ext_validation").install()
    # moto builds its type map from CloudFormationModel.__subclasses__() and
    # caches it: forget the cache so that the new types are seen.
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    model_map = parsing.get_model_map()
    for rtype in (
        "AWS::AutoScaling::ScalingPolicy",
        "AWS::CloudWatch::Alarm",
        "AWS::ElastiCache::SubnetGroup",
        "AWS::ElastiCache::ReplicationGroup",
    ):
        assert rtype in model_map, rtype
    _INSTALLED = True
