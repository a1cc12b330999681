"""CloudFormation drift detection for the streamscale moto harness.

moto 5.2.5 has no DetectStackDrift: the call ends in NotImplementedError, which
the server answers with an HTTP 500 HTML page.  This module adds

  * DetectStackDrift, DescribeStackDriftDetectionStatus,
    DescribeStackResourceDrifts and DetectStackResourceDrift, comparing each
    resource's template properties (resolved as moto resolved them when it
    created / last updated the resource) with the live state read back
    through the service APIs, the way AWS documents it:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDrift.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_PropertyDifference.html

      - only the properties set in the template are checked (no defaults:
        a property, or a key of a nested object, the template leaves out is
        never compared);
      - Tags is a set keyed by Key; the aws:cloudformation:* tags and the
        stack-level tags CloudFormation propagates are not template
        properties and are left out (a stack-level tag only while it keeps
        the stack's value and the template does not set that key):
        https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html
      - a resource that is gone is DELETED, one that differs MODIFIED, else
        IN_SYNC; a type AWS does not check for drift (DRIFT_UNSUPPORTED) is
        NOT_CHECKED; a resource type this harness cannot read is UNKNOWN (with a
        DriftStatusReason) and makes the detection DETECTION_FAILED, as AWS
        does when it cannot check a resource: never a silent IN_SYNC;
      - PropertyDifferences carry PropertyPath (/MaxSize, /Tags/1, …),
        ExpectedValue, ActualValue and DifferenceType ADD (an element added to
        a list), REMOVE (a property or list element gone) or NOT_EQUAL;
      - detection is asynchronous: the first DescribeStackDriftDetectionStatus
        of a run answers DETECTION_IN_PROGRESS, a later one DETECTION_COMPLETE
        (the results of a run are what DescribeStackResourceDrifts returns
        once it has completed);
      - the stack must be in CREATE_COMPLETE, UPDATE_COMPLETE,
        UPDATE_ROLLBACK_COMPLETE, UPDATE_ROLLBACK_FAILED, IMPORT_COMPLETE or
        IMPORT_ROLLBACK_COMPLETE (else ValidationError).

  * a switch, STREAMSCALE_MOTO_DRIFT=not-implemented (launcher flag
    --drift-not-implemented), that answers the three calls as an endpoint
    without the API does: HTTP 501, error code NotImplemented.

The live state is read with boto3 through the server itself (marked with the
x-streamscale-internal header, so the throttling / latency switches leave those
reads alone): that is what the service APIs show, in their documented shapes.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import threading
import uuid
from typing import Any, Callable
from urllib.parse import urlsplit

DRIFT_ENV = "STREAMSCALE_MOTO_DRIFT"
INTERNAL_HEADER = "x-streamscale-internal"

DETECTABLE_STATUSES = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}

# Lists whose order does not matter (compared as sets of elements).
UNORDERED = {
    "SecurityGroupIngress", "SecurityGroupEgress", "Tags", "VPCZoneIdentifier", "TargetGroupARNs",
    "SecurityGroupIds", "SecurityGroups", "Subnets", "SubnetIds", "Metrics", "MetricsCollection",
    "LoadBalancerAttributes", "TargetGroupAttributes", "Dimensions", "AlarmActions", "OKActions",
    "InsufficientDataActions", "AvailabilityZones", "Certificates", "TagSpecifications",
}

# Tag lists: [{"Key": ..., "Value": ...}], compared as sets keyed by Key.
TAG_LISTS = {"Tags"}


def _is_tag_list(items: list[Any]) -> bool:
    return all(isinstance(t, dict) and "Key" in t for t in items)


def _own_tags(expected: Any, actual: Any, stack_tags: dict[str, str]) -> Any:
    """The live tags drift detection compares with the template's Tags.

    CloudFormation adds the aws:cloudformation:{logical-id,stack-id,stack-name}
    tags and propagates the stack-level tags to the resources it creates
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html);
    neither is a property "explicitly defined in the stack template"
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html),
    so neither is drift.  A stack-level tag is left out only while it still
    has the stack's value and the template does not set that key itself: a
    tag added by hand, or a stack-level tag changed by hand, is still found."""
    if not isinstance(actual, list) or not isinstance(expected, list) or not _is_tag_list(actual):
        return actual
    declared = {str(t.get("Key")) for t in expected if isinstance(t, dict)}
    out = []
    for tag in actual:
        key = str(tag.get("Key"))
        if key.lower().startswith("aws:"):
            continue
        if key not in declared and key in stack_tags and str(tag.get("Value")) == str(stack_tags[key]):
            continue
        out.append(tag)
    return out


_LOCK = threading.Lock()
_DETECTIONS: dict[str, dict[str, Any]] = {}
_RESULTS: dict[str, list[dict[str, Any]]] = {}  # stack id -> the last completed run


def not_implemented() -> bool:
    return os.environ.get(DRIFT_ENV, "").strip().lower() in ("not-implemented", "notimplemented", "501", "off")


# --------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _norm(value: Any) -> Any:
    """Scalars as AWS compares them: "10" == 10, "true" == True, the same
    instant in two time formats is equal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return text.lower()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None and re.fullmatch(r"-?\d+(\.\d+)?", text):
            return _norm(number)
        if _TIME.match(text):
            try:
                parsed = _dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
                return _norm(parsed)
            except ValueError:
                pass
        return value
    return value


def _text(value: Any) -> str:
    # ExpectedValue and ActualValue are required members: absent is "null"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return str(_norm(value))


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        unused = list(actual)
        for item in expected:
            hit = next((i for i, a in enumerate(unused) if _matches(item, a)), None)
            if hit is None:
                return False
            unused.pop(hit)
        return True
    return actual is not None and _norm(expected) == _norm(actual)


def compare(expected: Any, actual: Any, path: str = "", key: str = "") -> list[dict[str, Any]]:
    """The PropertyDifferences between the expected (template) and actual
    values; only what the template sets is compared."""
    diffs: list[dict[str, Any]] = []

    def diff(p: str, exp: Any, act: Any, kind: str) -> None:
        diffs.append({"PropertyPath": p, "ExpectedValue": _text(exp), "ActualValue": _text(act), "DifferenceType": kind})

    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            diff(path, expected, actual, "NOT_EQUAL")
            return diffs
        for k, v in expected.items():
            if actual.get(k) is None:
                if v is not None:
                    diff(f"{path}/{k}", v, None, "REMOVE")
                continue
            diffs.extend(compare(v, actual[k], f"{path}/{k}", k))
        return diffs
    if isinstance(expected, list):
        if not isinstance(actual, list):
            diff(path, expected, actual, "NOT_EQUAL")
            return diffs
        if key in TAG_LISTS and _is_tag_list(expected) and _is_tag_list(actual):
            # a tag list is a set keyed by Key (insertionOrder false in the
            # resource schemas): order is no drift; a tag gone is REMOVE, a
            # tag added ADD, a changed value NOT_EQUAL on that tag
            live = {str(t["Key"]): (j, t) for j, t in enumerate(actual)}
            wanted = {str(t["Key"]) for t in expected}
            for i, tag in enumerate(expected):
                hit = live.get(str(tag["Key"]))
                if hit is None:
                    diff(f"{path}/{i}", tag, None, "REMOVE")
                else:
                    diffs.extend(compare({k: v for k, v in tag.items() if k != "Key"}, hit[1], f"{path}/{i}", ""))
            for j, tag in enumerate(actual):
                if str(tag["Key"]) not in wanted:
                    diff(f"{path}/{j}", None, tag, "ADD")
            return diffs
        if key in UNORDERED:
            unused = list(range(len(actual)))
            missing = []
            for i, item in enumerate(expected):
                hit = next((j for j in unused if _matches(item, actual[j])), None)
                if hit is None:
                    missing.append(i)
                else:
                    unused.remove(hit)
            for i in missing:
                diff(f"{path}/{i}", expected[i], None, "REMOVE")
            for j in unused:
                diff(f"{path}/{j}", None, actual[j], "ADD")
            return diffs
        for i in range(max(len(expected), len(actual))):
            if i >= len(actual):
                diff(f"{path}/{i}", expected[i], None, "REMOVE")
            elif i >= len(expected):
                diff(f"{path}/{i}", None, actual[i], "ADD")
            else:
                diffs.extend(compare(expected[i], actual[i], f"{path}/{i}", key))
        return diffs
    if actual is None or _norm(expected) != _norm(actual):
        diff(path, expected, actual, "NOT_EQUAL" if actual is not None else "REMOVE")
    return diffs


# --------------------------------------------------------------------------
# live state, in CloudFormation property shape
# --------------------------------------------------------------------------


class Gone(Exception):
    """The resource does not exist any more."""


def _tags(items: list[dict[str, Any]] | None, propagate: bool = False) -> list[dict[str, Any]]:
    out = []
    for tag in items or []:
        if str(tag.get("Key", "")).startswith("aws:"):
            continue
        entry = {"Key": tag.get("Key"), "Value": tag.get("Value")}
        if propagate:
            entry["PropagateAtLaunch"] = tag.get("PropagateAtLaunch")
        out.append(entry)
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _client_error(exc: Exception, *codes: str) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return any(c in code for c in codes)


def _read(call: Callable[[], Any], *gone_codes: str) -> Any:
    """``call()``; a client error with one of ``gone_codes`` is Gone."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001
        if _client_error(exc, *gone_codes):
            raise Gone() from exc
        raise


def _asg(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    groups = c("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[phys])["AutoScalingGroups"]
    if not groups:
        raise Gone()
    g = groups[0]
    metrics: dict[str, list[str]] = {}
    for m in g.get("EnabledMetrics") or []:
        metrics.setdefault(m.get("Granularity", "1Minute"), []).append(m["Metric"])
    lt = g.get("LaunchTemplate")
    return _drop_none({
        "AutoScalingGroupName": g["AutoScalingGroupName"],
        "MinSize": g.get("MinSize"),
        "MaxSize": g.get("MaxSize"),
        "DesiredCapacity": g.get("DesiredCapacity"),
        "LaunchTemplate": _drop_none({"LaunchTemplateId": lt.get("LaunchTemplateId"), "LaunchTemplateName": lt.get("LaunchTemplateName"), "Version": lt.get("Version")}) if lt else None,
        "LaunchConfigurationName": g.get("LaunchConfigurationName"),
        "VPCZoneIdentifier": [s for s in (g.get("VPCZoneIdentifier") or "").split(",") if s],
        "TargetGroupARNs": g.get("TargetGroupARNs") or [],
        "LoadBalancerNames": g.get("LoadBalancerNames") or [],
        "HealthCheckType": g.get("HealthCheckType"),
        "HealthCheckGracePeriod": g.get("HealthCheckGracePeriod"),
        "Cooldown": g.get("DefaultCooldown"),
        "TerminationPolicies": g.get("TerminationPolicies"),
        "AvailabilityZones": g.get("AvailabilityZones"),
        "NewInstancesProtectedFromScaleIn": g.get("NewInstancesProtectedFromScaleIn"),
        "CapacityRebalance": g.get("CapacityRebalance"),
        "MaxInstanceLifetime": g.get("MaxInstanceLifetime"),
        "MetricsCollection": [{"Granularity": k, "Metrics": v} for k, v in metrics.items()],
        "Tags": _tags(g.get("Tags"), propagate=True),
    })


def _policy(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    policies = c("autoscaling").describe_policies(AutoScalingGroupName=expected.get("AutoScalingGroupName"))["ScalingPolicies"]
    hit = [p for p in policies if p.get("PolicyARN") == phys]
    if not hit:
        raise Gone()
    p = hit[0]
    keys = ("AutoScalingGroupName", "PolicyType", "AdjustmentType", "ScalingAdjustment", "Cooldown", "MetricAggregationType",
            "MinAdjustmentMagnitude", "EstimatedInstanceWarmup", "StepAdjustments", "TargetTrackingConfiguration",
            "PredictiveScalingConfiguration")
    return _drop_none({k: p.get(k) for k in keys})


def _scheduled_action(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    actions = c("autoscaling").describe_scheduled_actions(
        AutoScalingGroupName=expected.get("AutoScalingGroupName"), ScheduledActionNames=[phys]
    )["ScheduledUpdateGroupActions"]
    if not actions:
        raise Gone()
    a = actions[0]
    keys = ("AutoScalingGroupName", "MinSize", "MaxSize", "DesiredCapacity", "StartTime", "EndTime", "Recurrence", "TimeZone")
    return _drop_none({k: a.get(k) for k in keys})


def _launch_template(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    ec2 = c("ec2")
    lt = _read(lambda: ec2.describe_launch_templates(LaunchTemplateIds=[phys])["LaunchTemplates"][0], "NotFound", "Malformed")
    version = _read(
        lambda: ec2.describe_launch_template_versions(LaunchTemplateId=phys, Versions=["$Latest"])["LaunchTemplateVersions"][0],
        "NotFound",
        "Malformed",
    )
    tags = _tags(lt.get("Tags"))
    return _drop_none({
        "LaunchTemplateName": lt.get("LaunchTemplateName"),
        "LaunchTemplateData": version.get("LaunchTemplateData") or {},
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": tags}] if tags else None,
    })


def _rules(permissions: list[dict[str, Any]], egress: bool) -> list[dict[str, Any]]:
    group_key = "DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"
    prefix_key = "DestinationPrefixListId" if egress else "SourcePrefixListId"
    out = []
    for perm in permissions or []:
        base = {"IpProtocol": perm.get("IpProtocol")}
        if perm.get("IpProtocol") not in ("-1", -1):
            base.update({"FromPort": perm.get("FromPort"), "ToPort": perm.get("ToPort")})
        for r in perm.get("IpRanges") or []:
            out.append(_drop_none(dict(base, CidrIp=r.get("CidrIp"), Description=r.get("Description"))))
        for r in perm.get("Ipv6Ranges") or []:
            out.append(_drop_none(dict(base, CidrIpv6=r.get("CidrIpv6"), Description=r.get("Description"))))
        for r in perm.get("UserIdGroupPairs") or []:
            out.append(_drop_none(dict(base, **{group_key: r.get("GroupId")}, Description=r.get("Description"))))
        for r in perm.get("PrefixListIds") or []:
            out.append(_drop_none(dict(base, **{prefix_key: r.get("PrefixListId")}, Description=r.get("Description"))))
    return out


_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}


def _normalize_rules(rules: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if rules is None:
        return None
    out = []
    for rule in rules:
        rule = dict(rule)
        proto = _PROTOCOLS.get(str(rule.get("IpProtocol")).lower(), str(rule.get("IpProtocol")).lower())
        rule["IpProtocol"] = proto
        if proto == "-1":
            rule.pop("FromPort", None)
            rule.pop("ToPort", None)
        out.append(rule)
    return out


def _security_group(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    g = _read(lambda: c("ec2").describe_security_groups(GroupIds=[phys])["SecurityGroups"][0], "NotFound", "Malformed")
    return _drop_none({
        "GroupDescription": g.get("Description"),
        "GroupName": g.get("GroupName"),
        "VpcId": g.get("VpcId"),
        "SecurityGroupIngress": _normalize_rules(_rules(g.get("IpPermissions"), egress=False)),
        "SecurityGroupEgress": _normalize_rules(_rules(g.get("IpPermissionsEgress"), egress=True)),
        "Tags": _tags(g.get("Tags")),
    })


def _sg_ingress(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    group_id = expected.get("GroupId")
    g = _read(lambda: c("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0], "NotFound", "Malformed")
    wanted = _normalize_rules([{k: v for k, v in expected.items() if k != "GroupId"}])[0]
    source_keys = ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId")
    for rule in _normalize_rules(_rules(g.get("IpPermissions"), egress=False)) or []:
        same = all(_norm(rule.get(k)) == _norm(wanted.get(k)) for k in ("IpProtocol", "FromPort", "ToPort") + source_keys)
        if same:
            return dict(rule, GroupId=group_id)
    raise Gone()


def _vpc(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    ec2 = c("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [phys]}])["Vpcs"]
    if not vpcs:
        raise Gone()
    v = vpcs[0]
    out = {"CidrBlock": v.get("CidrBlock"), "InstanceTenancy": v.get("InstanceTenancy"), "Tags": _tags(v.get("Tags"))}
    for prop, attr, key in (("EnableDnsSupport", "enableDnsSupport", "EnableDnsSupport"), ("EnableDnsHostnames", "enableDnsHostnames", "EnableDnsHostnames")):
        if prop in expected:
            out[prop] = ec2.describe_vpc_attribute(VpcId=phys, Attribute=attr)[key]["Value"]
    return _drop_none(out)


def _subnet(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    subnets = c("ec2").describe_subnets(Filters=[{"Name": "subnet-id", "Values": [phys]}])["Subnets"]
    if not subnets:
        raise Gone()
    s = subnets[0]
    return _drop_none({
        "VpcId": s.get("VpcId"), "CidrBlock": s.get("CidrBlock"), "AvailabilityZone": s.get("AvailabilityZone"),
        "AvailabilityZoneId": s.get("AvailabilityZoneId"), "MapPublicIpOnLaunch": s.get("MapPublicIpOnLaunch"),
        "Tags": _tags(s.get("Tags")),
    })


def _route_table(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    tables = c("ec2").describe_route_tables(Filters=[{"Name": "route-table-id", "Values": [phys]}])["RouteTables"]
    if not tables:
        raise Gone()
    return _drop_none({"VpcId": tables[0].get("VpcId"), "Tags": _tags(tables[0].get("Tags"))})


def _route(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    tables = c("ec2").describe_route_tables(Filters=[{"Name": "route-table-id", "Values": [expected.get("RouteTableId")]}])["RouteTables"]
    if not tables:
        raise Gone()
    for route in tables[0].get("Routes") or []:
        if any(route.get(k) and route.get(k) == expected.get(k) for k in ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")):
            keys = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId", "GatewayId", "NatGatewayId",
                    "InstanceId", "NetworkInterfaceId", "TransitGatewayId", "VpcPeeringConnectionId", "EgressOnlyInternetGatewayId")
            return _drop_none(dict({k: route.get(k) for k in keys}, RouteTableId=tables[0]["RouteTableId"]))
    raise Gone()


def _igw(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    igws = c("ec2").describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": [phys]}])["InternetGateways"]
    if not igws:
        raise Gone()
    return {"Tags": _tags(igws[0].get("Tags"))}


def _attachment(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    igw = expected.get("InternetGatewayId")
    if not igw:
        return {k: v for k, v in expected.items()}  # VPN gateway attachments: nothing more to read here
    igws = c("ec2").describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": [igw]}])["InternetGateways"]
    attached = [a.get("VpcId") for a in (igws[0].get("Attachments") if igws else []) or [] if a.get("State") in ("available", "attached")]
    if expected.get("VpcId") not in attached:
        raise Gone()
    return {"VpcId": expected.get("VpcId"), "InternetGatewayId": igw}


def _association(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    tables = c("ec2").describe_route_tables(
        Filters=[{"Name": "association.route-table-association-id", "Values": [phys]}]
    )["RouteTables"]
    for table in tables:
        for assoc in table.get("Associations") or []:
            if assoc.get("RouteTableAssociationId") == phys:
                return _drop_none({"SubnetId": assoc.get("SubnetId"), "RouteTableId": table["RouteTableId"]})
    raise Gone()


def _eip(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    addresses = [a for a in c("ec2").describe_addresses()["Addresses"] if phys in (a.get("PublicIp"), a.get("AllocationId"))]
    if not addresses:
        raise Gone()
    a = addresses[0]
    return _drop_none({"Domain": a.get("Domain"), "InstanceId": a.get("InstanceId"), "PublicIpv4Pool": a.get("PublicIpv4Pool"), "Tags": _tags(a.get("Tags"))})


def _nat(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    nats = [n for n in c("ec2").describe_nat_gateways(NatGatewayIds=[phys])["NatGateways"] if n.get("State") not in ("deleted", "deleting", "failed")]
    if not nats:
        raise Gone()
    n = nats[0]
    addresses = n.get("NatGatewayAddresses") or [{}]
    return _drop_none({
        "SubnetId": n.get("SubnetId"), "AllocationId": addresses[0].get("AllocationId"),
        "ConnectivityType": n.get("ConnectivityType"), "Tags": _tags(n.get("Tags")),
    })


def _elbv2_tags(c: Callable[[str], Any], arn: str) -> list[dict[str, Any]]:
    described = c("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return _tags(described[0].get("Tags")) if described else []


def _attributes(items: list[dict[str, Any]], expected: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    # an attribute list holds every attribute live: compare the keys the template sets
    if expected is None:
        return None
    wanted = {a.get("Key") for a in expected}
    return [{"Key": a["Key"], "Value": a.get("Value")} for a in items if a.get("Key") in wanted]


def _load_balancer(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    elbv2 = c("elbv2")
    lb = _read(lambda: elbv2.describe_load_balancers(LoadBalancerArns=[phys])["LoadBalancers"][0], "NotFound")
    attrs = elbv2.describe_load_balancer_attributes(LoadBalancerArn=phys)["Attributes"]
    return _drop_none({
        "Name": lb.get("LoadBalancerName"), "Scheme": lb.get("Scheme"), "Type": lb.get("Type"),
        "IpAddressType": lb.get("IpAddressType"), "SecurityGroups": lb.get("SecurityGroups") or [],
        "Subnets": [z.get("SubnetId") for z in lb.get("AvailabilityZones") or []],
        "LoadBalancerAttributes": _attributes(attrs, expected.get("LoadBalancerAttributes")),
        "Tags": _elbv2_tags(c, phys),
    })


def _listener(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    listener = _read(lambda: c("elbv2").describe_listeners(ListenerArns=[phys])["Listeners"][0], "NotFound")
    keys = ("LoadBalancerArn", "Port", "Protocol", "SslPolicy", "Certificates", "DefaultActions", "AlpnPolicy")
    return _drop_none({k: listener.get(k) for k in keys})


def _target_group(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    elbv2 = c("elbv2")
    tg = _read(lambda: elbv2.describe_target_groups(TargetGroupArns=[phys])["TargetGroups"][0], "NotFound")
    attrs = elbv2.describe_target_group_attributes(TargetGroupArn=phys)["Attributes"]
    keys = ("Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId", "HealthCheckEnabled", "HealthCheckProtocol",
            "HealthCheckPath", "HealthCheckPort", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
            "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher", "IpAddressType")
    out = {k: tg.get(k) for k in keys}
    out.update({
        "Name": tg.get("TargetGroupName"),
        "TargetGroupAttributes": _attributes(attrs, expected.get("TargetGroupAttributes")),
        "Tags": _elbv2_tags(c, phys),
    })
    return _drop_none(out)


def _cache_subnet_group(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    g = _read(lambda: c("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=phys)["CacheSubnetGroups"][0], "NotFound")
    # DescribeCacheSubnetGroups has no tags: ListTagsForResource on the ARN
    tags = c("elasticache").list_tags_for_resource(ResourceName=g["ARN"])["TagList"] if g.get("ARN") else None
    return _drop_none({
        "CacheSubnetGroupName": g.get("CacheSubnetGroupName"), "Description": g.get("CacheSubnetGroupDescription"),
        "SubnetIds": [s.get("SubnetIdentifier") for s in g.get("Subnets") or []],
        "Tags": _tags(tags) if tags is not None else None,
    })


def _replication_group(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    g = _read(lambda: c("elasticache").describe_replication_groups(ReplicationGroupId=phys)["ReplicationGroups"][0], "NotFound")
    node_groups = g.get("NodeGroups") or []
    replicas = {len(ng.get("NodeGroupMembers") or []) - 1 for ng in node_groups}
    cluster = bool(g.get("ClusterEnabled"))
    port = (g.get("ConfigurationEndpoint") or {}).get("Port") or ((node_groups[0].get("PrimaryEndpoint") or {}).get("Port") if node_groups else None)
    out: dict[str, Any] = {
        "ReplicationGroupId": g.get("ReplicationGroupId"),
        "ReplicationGroupDescription": g.get("Description"),
        "CacheNodeType": g.get("CacheNodeType"),
        "NumNodeGroups": len(node_groups),
        "ReplicasPerNodeGroup": replicas.pop() if len(replicas) == 1 else None,
        "NumCacheClusters": len(g.get("MemberClusters") or []) if not cluster else None,
        "AutomaticFailoverEnabled": g.get("AutomaticFailover") in ("enabled", "enabling"),
        "MultiAZEnabled": g.get("MultiAZ") == "enabled",
        "AtRestEncryptionEnabled": g.get("AtRestEncryptionEnabled"),
        "TransitEncryptionEnabled": g.get("TransitEncryptionEnabled"),
        "TransitEncryptionMode": g.get("TransitEncryptionMode"),
        "SnapshotRetentionLimit": g.get("SnapshotRetentionLimit"),
        "SnapshotWindow": g.get("SnapshotWindow"),
        "ClusterMode": g.get("ClusterMode"),
        "Engine": g.get("Engine"),
        "Port": port,
        "KmsKeyId": g.get("KmsKeyId"),
    }
    # not in the DescribeReplicationGroups shape (AWS reads them from the member clusters)
    group = c("__backend__")("elasticache").replication_groups.get(phys)
    if group is not None:
        out.update({
            "EngineVersion": group.engine_version,
            "CacheParameterGroupName": group.cache_parameter_group_name,
            "CacheSubnetGroupName": group.cache_subnet_group_name,
            "SecurityGroupIds": group.security_group_ids,
            "Tags": _tags(group.tags or []),
        })
    return _drop_none(out)


def _alarm(c: Callable[[str], Any], phys: str, expected: dict[str, Any]) -> dict[str, Any]:
    alarms = c("cloudwatch").describe_alarms(AlarmNames=[phys])["MetricAlarms"]
    if not alarms:
        raise Gone()
    a = alarms[0]
    keys = ("AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic", "ExtendedStatistic", "Period",
            "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "Metrics",
            "AlarmActions", "OKActions", "InsufficientDataActions", "ActionsEnabled", "Unit", "ThresholdMetricId",
            "EvaluateLowSampleCountPercentile")
    out = {k: a.get(k) for k in keys}
    # DescribeAlarms has no tags: ListTagsForResource on the alarm ARN
    out["Tags"] = _tags(c("cloudwatch").list_tags_for_resource(ResourceARN=a["AlarmArn"])["Tags"])
    return _drop_none(out)


READERS: dict[str, Callable[[Callable[[str], Any], str, dict[str, Any]], dict[str, Any]]] = {
    "AWS::AutoScaling::AutoScalingGroup": _asg,
    "AWS::AutoScaling::ScalingPolicy": _policy,
    "AWS::AutoScaling::ScheduledAction": _scheduled_action,
    "AWS::EC2::LaunchTemplate": _launch_template,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::EC2::SecurityGroupIngress": _sg_ingress,
    "AWS::EC2::VPC": _vpc,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::RouteTable": _route_table,
    "AWS::EC2::Route": _route,
    "AWS::EC2::InternetGateway": _igw,
    "AWS::EC2::VPCGatewayAttachment": _attachment,
    "AWS::EC2::SubnetRouteTableAssociation": _association,
    "AWS::EC2::EIP": _eip,
    "AWS::EC2::NatGateway": _nat,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::ElastiCache::SubnetGroup": _cache_subnet_group,
    "AWS::ElastiCache::ReplicationGroup": _replication_group,
    "AWS::CloudWatch::Alarm": _alarm,
}

# Types CloudFormation does not detect drift on (the "Drift detection" column
# of the user guide's "Resource type support" table says No): their resources
# are NOT_CHECKED, as AWS reports them
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDriftInformation.html),
# and do not fail the run.  Every other type without a reader stays UNKNOWN.
DRIFT_UNSUPPORTED = {
    "AWS::CloudFormation::WaitCondition",
    "AWS::CloudFormation::WaitConditionHandle",
}

# Functions (resource type, expected properties) -> expected properties that
# drop nested write-only keys (ext_drift_tiers adds them).
EXPECTED_FILTERS: list[Callable[[str, dict[str, Any]], dict[str, Any]]] = []

# Properties that only exist at create time / write-only: AWS does not compare
# them (they are not returned by the resource's read).
WRITE_ONLY = {
    "AWS::EC2::SecurityGroupIngress": set(),
    "AWS::ElastiCache::ReplicationGroup": {"AuthToken", "SnapshotArns", "SnapshotName", "PreferredCacheClusterAZs",
                                           "NodeGroupConfiguration", "CacheSecurityGroupNames", "LogDeliveryConfigurations",
                                           "NotificationTopicArn", "PreferredMaintenanceWindow", "AutoMinorVersionUpgrade",
                                           "DataTieringEnabled", "NetworkType", "IpDiscovery", "UserGroupIds",
                                           "PrimaryClusterId", "GlobalReplicationGroupId"},
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"SubnetMappings"},
}


# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _clients(endpoint: str, region: str, access_key: str) -> Callable[[str], Any]:
    import boto3
    from botocore.config import Config

    cache: dict[str, Any] = {}

    def add_header(request: Any, **_kwargs: Any) -> None:
        request.headers[INTERNAL_HEADER] = "1"

    def get(service: str) -> Any:
        if service == "__backend__":
            return _backend_getter(region, access_key)
        if service not in cache:
            client = boto3.client(
                service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id=access_key,
                aws_secret_access_key="streamscale-internal",
                config=Config(retries={"max_attempts": 1}),
            )
            client.meta.events.register("before-sign.*.*", add_header)
            cache[service] = client
        return cache[service]

    return get


def _backend_getter(region: str, access_key: str) -> Callable[[str], Any]:
    def get(service: str) -> Any:
        from moto.backends import get_backend
        from moto.core import DEFAULT_ACCOUNT_ID

        account = _ACCOUNT.get(access_key, DEFAULT_ACCOUNT_ID)
        return get_backend(service)[account][region]  # type: ignore[index]

    return get


_ACCOUNT: dict[str, str] = {}


def _expected(resource: Any, rjson: dict[str, Any], rmap: Any) -> dict[str, Any]:
    from moto.cloudformation import parsing

    props = getattr(resource, "_ext_props", None)
    if props is None:
        import copy

        props = parsing.clean_json(copy.deepcopy(rjson.get("Properties") or {}), rmap)
    return props


def _check(stack: Any, logical_id: str, clients: Callable[[str], Any]) -> dict[str, Any] | None:
    rmap = stack.resource_map
    rjson = rmap._resource_json_map.get(logical_id)
    resource = rmap._parsed_resources.get(logical_id)
    condition = (rjson or {}).get("Condition")
    created = condition is None or bool(getattr(rmap, "lazy_condition_map", {}).get(condition, True))
    if rjson is not None and rjson.get("Type") in DRIFT_UNSUPPORTED and created:
        # a type AWS does not check: NOT_CHECKED, and no failure of the run
        return {
            "StackId": stack.stack_id, "LogicalResourceId": logical_id,
            "PhysicalResourceId": getattr(resource, "physical_resource_id", None) or str(resource or logical_id),
            "ResourceType": rjson["Type"], "Timestamp": _now(), "PropertyDifferences": [],
            "StackResourceDriftStatus": "NOT_CHECKED",
        }
    if rjson is None or resource is None or isinstance(resource, (str, list, dict)):
        return None
    rtype = rjson["Type"]
    phys = getattr(resource, "physical_resource_id", None) or ""
    entry: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": phys,
        "ResourceType": rtype,
        "Timestamp": _now(),
        "PropertyDifferences": [],
    }
    reader = READERS.get(rtype)
    if reader is None:
        entry["StackResourceDriftStatus"] = "UNKNOWN"
        entry["DriftStatusReason"] = f"the moto test harness cannot read {rtype}: drift not checked"
        return entry
    expected = {k: v for k, v in _expected(resource, rjson, rmap).items() if k not in WRITE_ONLY.get(rtype, set())}
    for strip in EXPECTED_FILTERS:
        expected = strip(rtype, expected)
    if rtype == "AWS::EC2::SecurityGroup":
        for key in ("SecurityGroupIngress", "SecurityGroupEgress"):
            if key in expected:
                expected[key] = _normalize_rules(expected[key])
    elif rtype == "AWS::EC2::SecurityGroupIngress":
        expected = _normalize_rules([expected])[0]
    try:
        actual = reader(clients, phys, expected)
    except Gone:
        entry["StackResourceDriftStatus"] = "DELETED"
        entry["ExpectedProperties"] = json.dumps(expected, sort_keys=True, default=str)
        return entry
    except Exception as exc:  # noqa: BLE001 - a read failure is not IN_SYNC
        entry["StackResourceDriftStatus"] = "UNKNOWN"
        entry["DriftStatusReason"] = f"reading {rtype} {phys} failed: {exc}"
        return entry
    if "Tags" in expected and "Tags" in actual:
        actual = dict(actual, Tags=_own_tags(expected["Tags"], actual["Tags"], dict(getattr(stack, "tags", None) or {})))
    diffs = compare(expected, actual)
    entry["ExpectedProperties"] = json.dumps(expected, sort_keys=True, default=str)
    entry["ActualProperties"] = json.dumps({k: actual.get(k) for k in expected if k in actual}, sort_keys=True, default=str)
    entry["PropertyDifferences"] = diffs
    entry["StackResourceDriftStatus"] = "MODIFIED" if diffs else "IN_SYNC"
    return entry


def _endpoint(response: Any) -> tuple[str, str]:
    parts = urlsplit(response.uri)
    endpoint = f"{parts.scheme or 'http'}://{parts.netloc}"
    auth = response.headers.get("Authorization", "") or ""
    match = re.search(r"Credential=([^/]+)/", auth)
    access_key = match.group(1) if match else "testing"
    _ACCOUNT.setdefault(access_key, response.current_account)
    return endpoint, access_key


def run_detection(response: Any, stack: Any, logical_ids: list[str] | None) -> dict[str, Any]:
    endpoint, access_key = _endpoint(response)
    clients = _clients(endpoint, response.region, access_key)
    names = [n for n in stack.resource_map._resource_json_map if not logical_ids or n in logical_ids]
    results = [r for r in (_check(stack, n, clients) for n in names) if r is not None]
    return {
        "id": str(uuid.uuid4()),
        "stack_id": stack.stack_id,
        "results": results,
        "polls": 0,
        "timestamp": _now(),
    }


def _summary(detection: dict[str, Any]) -> dict[str, Any]:
    results = detection["results"]
    drifted = [r for r in results if r["StackResourceDriftStatus"] in ("MODIFIED", "DELETED")]
    unknown = [r for r in results if r["StackResourceDriftStatus"] == "UNKNOWN"]
    checked = [r for r in results if r["StackResourceDriftStatus"] not in ("UNKNOWN", "NOT_CHECKED")]
    status = "DRIFTED" if drifted else ("IN_SYNC" if checked else "NOT_CHECKED")
    out = {
        "StackId": detection["stack_id"],
        "StackDriftDetectionId": detection["id"],
        "StackDriftStatus": status,
        "DetectionStatus": "DETECTION_FAILED" if unknown else "DETECTION_COMPLETE",
        "DriftedStackResourceCount": len(drifted),
        "Timestamp": detection["timestamp"],
    }
    if unknown:
        out["DetectionStatusReason"] = "Failed to detect drift on resource(s): " + ", ".join(
            f"[{r['LogicalResourceId']}] ({r.get('DriftStatusReason')})" for r in unknown
        )
    return out


# --------------------------------------------------------------------------
# the API
# --------------------------------------------------------------------------


def _not_implemented_response(action: str) -> tuple[str, dict[str, Any]]:
    body = (
        '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
        "<Error><Type>Sender</Type><Code>NotImplemented</Code>"
        f"<Message>The {action} operation is not implemented by this endpoint</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return body, {"status": 501, "Content-Type": "text/xml"}


def install() -> None:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def _stack(self: Any, name: str) -> Any:
        stack = self.cloudformation_backend.get_stack(name)
        return stack

    def detect_stack_drift(self):  # type: ignore[no-untyped-def]
        if not_implemented():
            return _not_implemented_response("DetectStackDrift")
        name = self._get_param("StackName")
        stack = _stack(self, name)
        if stack.status not in DETECTABLE_STATUSES:
            raise ValidationError(
                name,
                message=f"Stack [{name}] is in {stack.status} state and drift detection cannot be performed on it",
            )
        logical_ids = self._get_param("LogicalResourceIds") or None
        detection = run_detection(self, stack, logical_ids)
        with _LOCK:
            _DETECTIONS[detection["id"]] = detection
        return ActionResult({"StackDriftDetectionId": detection["id"]})

    def describe_stack_drift_detection_status(self):  # type: ignore[no-untyped-def]
        if not_implemented():
            return _not_implemented_response("DescribeStackDriftDetectionStatus")
        detection_id = self._get_param("StackDriftDetectionId")
        with _LOCK:
            detection = _DETECTIONS.get(detection_id)
            if detection is None:
                raise ValidationError(detection_id, message=f"Drift detection [{detection_id}] does not exist")
            detection["polls"] += 1
            if detection["polls"] == 1:
                return ActionResult({
                    "StackId": detection["stack_id"],
                    "StackDriftDetectionId": detection_id,
                    "StackDriftStatus": "NOT_CHECKED",
                    "DetectionStatus": "DETECTION_IN_PROGRESS",
                    "Timestamp": detection["timestamp"],
                })
            summary = _summary(detection)
            if not detection.get("published"):
                detection["published"] = True
                _RESULTS[detection["stack_id"]] = detection["results"]
                _set_stack_drift(self, detection["stack_id"], summary)
        return ActionResult(summary)

    def describe_stack_resource_drifts(self):  # type: ignore[no-untyped-def]
        if not_implemented():
            return _not_implemented_response("DescribeStackResourceDrifts")
        stack = _stack(self, self._get_param("StackName"))
        filters = set(self._get_param("StackResourceDriftStatusFilters") or [])
        with _LOCK:
            results = list(_RESULTS.get(stack.stack_id, []))
        if filters:
            results = [r for r in results if r["StackResourceDriftStatus"] in filters]
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or 100)
        page = results[start : start + size]
        out: dict[str, Any] = {"StackResourceDrifts": page}
        if start + size < len(results):
            out["NextToken"] = str(start + size)
        return ActionResult(out)

    def detect_stack_resource_drift(self):  # type: ignore[no-untyped-def]
        if not_implemented():
            return _not_implemented_response("DetectStackResourceDrift")
        name = self._get_param("StackName")
        logical_id = self._get_param("LogicalResourceId")
        stack = _stack(self, name)
        if logical_id not in stack.resource_map._resource_json_map:
            raise ValidationError(name, message=f"Resource [{logical_id}] does not exist in stack [{name}]")
        detection = run_detection(self, stack, [logical_id])
        if not detection["results"]:
            raise ValidationError(name, message=f"Resource [{logical_id}] does not exist in stack [{name}]")
        return ActionResult({"StackResourceDrift": detection["results"][0]})

    CloudFormationResponse.detect_stack_drift = detect_stack_drift
    CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status
    CloudFormationResponse.describe_stack_resource_drifts = describe_stack_resource_drifts
    CloudFormationResponse.detect_stack_resource_drift = detect_stack_resource_drift


def _set_stack_drift(response: Any, stack_id: str, summary: dict[str, Any]) -> None:
    try:
        stack = response.cloudformation_backend.get_stack(stack_id)
    except Exception:  # noqa: BLE001
        return
    stack.drift_information = {"StackDriftStatus": summary["StackDriftStatus"], "LastCheckTimestamp": summary["Timestamp"]}
