"""Opt-in switches of the streamscale moto harness, for testing the paths a
real AWS account takes that a fast, always-available emulator never shows.

All are off by default; each is an environment variable read by the server
at start (the launcher's flags set them):

  STREAMSCALE_MOTO_THROTTLE=0.2       (--throttle 0.2)
      answer that fraction of AWS calls with the service's throttling error,
      in AWS's shape: HTTP 400 ``Throttling`` / "Rate exceeded" for the query
      services (CloudFormation, Auto Scaling, ELB, ElastiCache, CloudWatch,
      STS, IAM), HTTP 503 ``RequestLimitExceeded`` for EC2, HTTP 503
      ``SlowDown`` for S3, HTTP 400 ``ThrottlingException`` for JSON
      services.  STREAMSCALE_MOTO_THROTTLE_SEED (--throttle-seed, default 0)
      seeds the draw: the same sequence of calls gets the same answers.
      https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html
      https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
      https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html

  STREAMSCALE_MOTO_CFN_ASYNC=3        (--cfn-async 3)
      CloudFormation stack operations (CreateStack, UpdateStack,
      ExecuteChangeSet, DeleteStack) return while the stack is still
      *_IN_PROGRESS; the next N DescribeStacks calls that show the stack see
      it in progress, with its per-resource events appearing a part at a
      time, and the (N+1)th sees it complete.  While in progress the stack
      refuses UpdateStack / CreateChangeSet / ExecuteChangeSet as AWS does
      ("... is in UPDATE_IN_PROGRESS state and can not be updated.").

  STREAMSCALE_MOTO_DRIFT=not-implemented (--drift-not-implemented)
      see ext_drift: DetectStackDrift and its companions answer HTTP 501
      NotImplemented, as an endpoint without the API does.

Calls that the harness makes to itself (header x-streamscale-internal) are
never throttled nor delayed.
"""

from __future__ import annotations

import math
import os
import random
import re
import threading
import time
import uuid
from typing import Any, Callable, Iterable

THROTTLE_ENV = "STREAMSCALE_MOTO_THROTTLE"
THROTTLE_SEED_ENV = "STREAMSCALE_MOTO_THROTTLE_SEED"
ASYNC_ENV = "STREAMSCALE_MOTO_CFN_ASYNC"
INTERNAL_HEADER = "HTTP_X_STREAMSCALE_INTERNAL"

JSON_THROTTLE_CODE = "ThrottlingException"


# --------------------------------------------------------------------------
# WSGI middleware: latency and throttling
# --------------------------------------------------------------------------


def _service(environ: dict[str, Any]) -> str:
    auth = environ.get("HTTP_AUTHORIZATION", "") or ""
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    return match.group(1) if match else ""


def _throttle_response(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
    service = _service(environ)
    content_type = (environ.get("CONTENT_TYPE") or "").lower()
    request_id = str(uuid.uuid4())
    if not service:
        return None
    if "cbor" in content_type or environ.get("HTTP_SMITHY_PROTOCOL"):
        return None  # rpc-v2-cbor: not produced here, the call goes through
    if "json" in content_type:
        body = '{"__type":"%s","message":"Rate exceeded"}' % JSON_THROTTLE_CODE
        headers = [("Content-Type", content_type or "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id),
                   ("x-amzn-query-error", "Throttling;Sender")]
        return "400 Bad Request", headers, body.encode()
    if service == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>'
            f"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return "503 Service Unavailable", [("Content-Type", "text/xml")], body.encode()
    if service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
            f"<Message>Please reduce your request rate.</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return "503 Slow Down", [("Content-Type", "application/xml")], body.encode()
    body = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return "400 Bad Request", [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()


class Throttle:
    def __init__(self, fraction: float, seed: int):
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"{THROTTLE_ENV} must be between 0 and 1, not {fraction}")
        self.fraction = fraction
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.count = 0

    def hit(self) -> bool:
        with self.lock:
            hit = self.random.random() < self.fraction
            if hit:
                self.count += 1
            return hit


def throttle_from_env() -> Throttle | None:
    raw = os.environ.get(THROTTLE_ENV, "").strip()
    if not raw or float(raw) <= 0:
        return None
    return Throttle(float(raw), int(os.environ.get(THROTTLE_SEED_ENV, "0") or 0))


def wrap_app(app: Callable[..., Iterable[bytes]], latency_ms: float = 0.0) -> Callable[..., Iterable[bytes]]:
    """The moto WSGI app with the latency and throttling switches."""
    throttle = throttle_from_env()
    delay = latency_ms / 1000.0
    if throttle is None and delay <= 0:
        return app

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        internal = bool(environ.get(INTERNAL_HEADER))
        if internal or (environ.get("PATH_INFO") or "").startswith("/moto-api"):
            return app(environ, start_response)
        if delay > 0:
            time.sleep(delay)
        if throttle is not None and throttle.hit():
            answer = _throttle_response(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers + [("Content-Length", str(len(body)))])
                return [body]
        return app(environ, start_response)

    return wrapped


# --------------------------------------------------------------------------
# asynchronous CloudFormation
# --------------------------------------------------------------------------

_LOCK = threading.RLock()


def async_polls() -> int:
    raw = os.environ.get(ASYNC_ENV, "").strip()
    return int(raw) if raw else 0


def _in_progress(status: str) -> bool:
    return status.endswith("_IN_PROGRESS")


def _event(cfn_models: Any, stack: Any, logical_id: str, rtype: str, phys: str, status: str, reason: str | None = None) -> Any:
    return cfn_models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=phys or "",
        resource_type=rtype,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )


def _snapshot(stack: Any) -> dict[str, tuple[str, Any, str]]:
    out = {}
    rmap = stack.resource_map
    for name, rjson in list(rmap._resource_json_map.items()):
        resource = rmap._parsed_resources.get(name)
        if resource is None or isinstance(resource, (str, list, dict)):
            continue
        out[name] = (rjson.get("Type", ""), repr(getattr(resource, "_ext_props", None)), getattr(resource, "physical_resource_id", "") or "")
    return out


def _resource_events(cfn_models: Any, stack: Any, kind: str, before: dict[str, Any], after: dict[str, Any]) -> list[Any]:
    events: list[Any] = []

    def create(name: str, rtype: str, phys: str) -> None:
        events.append(_event(cfn_models, stack, name, rtype, "", "CREATE_IN_PROGRESS"))
        events.append(_event(cfn_models, stack, name, rtype, phys, "CREATE_IN_PROGRESS", "Resource creation Initiated"))
        events.append(_event(cfn_models, stack, name, rtype, phys, "CREATE_COMPLETE"))

    def delete(name: str, rtype: str, phys: str) -> None:
        events.append(_event(cfn_models, stack, name, rtype, phys, "DELETE_IN_PROGRESS"))
        events.append(_event(cfn_models, stack, name, rtype, phys, "DELETE_COMPLETE"))

    if kind == "CREATE":
        for name, (rtype, _props, phys) in after.items():
            create(name, rtype, phys)
    elif kind == "UPDATE":
        removed = [n for n in before if n not in after]
        for name, (rtype, props, phys) in after.items():
            if name not in before:
                create(name, rtype, phys)
            elif before[name][1] != props or before[name][2] != phys:
                events.append(_event(cfn_models, stack, name, rtype, phys, "UPDATE_IN_PROGRESS"))
                events.append(_event(cfn_models, stack, name, rtype, phys, "UPDATE_COMPLETE"))
        events.append(_event(cfn_models, stack, stack.name, "AWS::CloudFormation::Stack", stack.stack_id, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
        for name in reversed(removed):
            rtype, _props, phys = before[name]
            delete(name, rtype, phys)
    elif kind == "DELETE":
        for name in reversed(list(before)):
            rtype, _props, phys = before[name]
            delete(name, rtype, phys)
    return events


def _overlay(cfn_models: Any, backend: Any, stack: Any, kind: str, first_status: str, events_before: int,
             before: dict[str, Any], polls: int) -> None:
    """Turn a completed operation into one still in progress."""
    final = stack.status
    new_events = stack.events[events_before:]
    del stack.events[events_before:]
    start = [e for e in new_events[:1] if e.resource_status == first_status and e.logical_resource_id == stack.name]
    rest = new_events[len(start):]
    if not start:
        start = [_event(cfn_models, stack, stack.name, "AWS::CloudFormation::Stack", stack.stack_id, first_status, "User Initiated")]
    tail = [e for e in rest if e.logical_resource_id == stack.name and e.resource_status == final]
    middle = [e for e in rest if e not in tail]
    succeeded = final in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE")
    if succeeded and not [e for e in middle if e.logical_resource_id != stack.name]:
        after = {} if kind == "DELETE" else _snapshot(stack)
        middle = _resource_events(cfn_models, stack, kind, before, after) + middle
    if not tail:
        tail = [_event(cfn_models, stack, stack.name, "AWS::CloudFormation::Stack", stack.stack_id, final)]
    stack.events.extend(start)
    stack.status = first_status
    size = max(1, math.ceil(len(middle) / polls)) if middle else 0
    chunks = [middle[i : i + size] for i in range(0, len(middle), size)] if size else []
    while len(chunks) < polls:
        chunks.append([])
    stack._ext_async = {"chunks": chunks, "tail": tail, "final": final, "kind": kind, "backend": backend}
    if kind == "DELETE":
        # still listed (and found by name) until the deletion completes
        backend.deleted_stacks.pop(stack.stack_id, None)
        backend.stacks[stack.stack_id] = stack


def advance(stack: Any, finish: bool = False) -> None:
    """One DescribeStacks poll of an in-progress stack."""
    from moto.core.utils import utcnow

    with _LOCK:
        state = getattr(stack, "_ext_async", None)
        if state is None:
            return
        reveal = []
        if state["chunks"] and not finish:
            reveal = state["chunks"].pop(0)
        else:
            reveal = [e for chunk in state["chunks"] for e in chunk] + state["tail"]
            state["chunks"] = []
        for event in reveal:
            event.timestamp = utcnow()
            stack.events.append(event)
            if event.logical_resource_id == stack.name and _in_progress(event.resource_status):
                stack.status = event.resource_status
        if reveal and reveal[-1] in state["tail"]:
            stack.status = state["final"]
            del stack._ext_async
            if state["kind"] == "DELETE" and state["final"] == "DELETE_COMPLETE":
                backend = state["backend"]
                backend.stacks.pop(stack.stack_id, None)
                backend.deleted_stacks[stack.stack_id] = stack


def install_async() -> None:
    polls = async_polls()
    if polls <= 0:
        return
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse

    Backend = cfn_models.CloudFormationBackend

    def _busy(stack: Any) -> None:
        if getattr(stack, "_ext_async", None) is not None:
            raise ValidationError(
                stack.name, message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )

    def _find(backend: Any, name: str | None) -> Any:
        if not name:
            return None
        try:
            return backend.get_stack(name)
        except Exception:  # noqa: BLE001
            return None

    def _run(backend: Any, stack: Any, kind: str, first_status: str, call: Callable[[], Any]) -> Any:
        events_before = len(stack.events) if stack is not None else 0
        before = _snapshot(stack) if stack is not None else {}
        result = call()
        target = stack
        if target is None and isinstance(result, cfn_models.Stack):
            target = result
        if target is not None:
            _overlay(cfn_models, backend, target, kind, first_status, events_before, before, polls)
        return result

    orig_create = Backend.create_stack

    def create_stack(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _LOCK:
            stack = orig_create(self, name, *args, **kwargs)
            _overlay(cfn_models, self, stack, "CREATE", "CREATE_IN_PROGRESS", 0, {}, polls)
            return stack

    orig_update = Backend.update_stack

    def update_stack(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _LOCK:
            stack = _find(self, name)
            if stack is not None:
                _busy(stack)
            return _run(self, stack, "UPDATE", "UPDATE_IN_PROGRESS", lambda: orig_update(self, name, *args, **kwargs))

    orig_create_cs = Backend.create_change_set

    def create_change_set(self, stack_name, change_set_name, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _LOCK:
            stack = _find(self, stack_name)
            if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
                _busy(stack)
            return orig_create_cs(self, stack_name, change_set_name, *args, **kwargs)

    orig_execute = Backend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):  # type: ignore[no-untyped-def]
        with _LOCK:
            try:
                change_set = self.describe_change_set(change_set_name)
            except Exception:  # noqa: BLE001
                change_set = None
            if change_set is None:
                return orig_execute(self, change_set_name, stack_name)
            stack = self.stacks.get(change_set.stack_id)
            if stack is None:
                return orig_execute(self, change_set_name, stack_name)
            _busy(stack)
            creating = change_set.change_set_type == "CREATE"
            return _run(
                self, stack, "CREATE" if creating else "UPDATE", "CREATE_IN_PROGRESS" if creating else "UPDATE_IN_PROGRESS",
                lambda: orig_execute(self, change_set_name, stack_name),
            )

    orig_delete = Backend.delete_stack

    def delete_stack(self, name_or_stack_id):  # type: ignore[no-untyped-def]
        with _LOCK:
            stack = _find(self, name_or_stack_id)
            if stack is None or stack.stack_id not in self.stacks:
                return orig_delete(self, name_or_stack_id)
            state = getattr(stack, "_ext_async", None)
            if state is not None:
                if state["kind"] == "DELETE":
                    return None  # already being deleted
                if state["kind"] == "UPDATE":
                    raise ValidationError(
                        stack.name, message=f"Stack [{stack.name}] cannot be deleted while in status {stack.status}"
                    )
                advance(stack, finish=True)  # a create in progress: cancelled by the delete
            # by id: moto's delete by name calls delete_stack again (this wrapper) per stack
            return _run(self, stack, "DELETE", "DELETE_IN_PROGRESS", lambda: orig_delete(self, stack.stack_id))

    Backend.create_stack = create_stack
    Backend.update_stack = update_stack
    Backend.create_change_set = create_change_set
    Backend.execute_change_set = execute_change_set
    Backend.delete_stack = delete_stack

    orig_describe = CloudFormationResponse.describe_stacks

    def describe_stacks(self):  # type: ignore[no-untyped-def]
        name = self._get_param("StackName")
        backend = self.cloudformation_backend
        with _LOCK:
            stacks = [_find(backend, name)] if name else list(backend.stacks.values())
            for stack in stacks:
                if stack is not None:
                    advance(stack)
        return orig_describe(self)

    CloudFormationResponse.describe_stacks = describe_stacks


def install() -> None:
    install_async()
