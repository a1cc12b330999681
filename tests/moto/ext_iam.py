"""IAM enforcement for the harness (switch STREAMSCALE_MOTO_IAM=FILE; docs/moto.md).

moto enforces IAM identity policies once INITIAL_NO_AUTH_ACTION_COUNT requests
have been served (moto's "IAM-like Access Control"): each request's signature
is checked against the IAM user of its access key, and its action against the
user's policies. What moto 5.2.5 leaves out, and what this module does about
it:

* users: FILE is JSON, {"users": [{"name", "access_key_id",
  "secret_access_key", "policy"}]}; each user is created in the default
  account at start with that key and the policy inline. Enforcement is on
  from the first request (INITIAL_NO_AUTH_ACTION_COUNT = 0).
* Condition: moto evaluates StringEquals on no context key of a normal
  request (a statement with a Condition applies as if unconditioned). Here
  the request's context has aws:RequestedRegion (the region the request is
  signed for); any other operator or key fails the request loudly (HTTP 500
  naming it) rather than being ignored.
* Resource: moto authorises every CloudFormation action against `*`, so a
  statement scoped to a stack's ARN never matches. Here a CloudFormation
  request naming StackName (or a change set by ARN) is authorised against
  arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/* (the change set's ARN).
* Coverage: a signed request that reaches no IAM check (a service moto does
  not enforce) is answered HTTP 500 "the moto harness did not check IAM for
  this request", never silently allowed.
* CloudFormation's handlers: moto creates, updates, deletes and reads
  resources without any permission. Without a service role, CloudFormation
  acts with the caller's credentials (each resource's handler permissions in
  its registry schema). Here CreateStack, UpdateStack, ExecuteChangeSet,
  DeleteStack and DetectStackDrift first check the caller's policies for
  the handler permissions of every type in the template
  (data/iam-cloudformation-handlers.json: create, update and delete; read
  for drift detection) and refuse with AccessDenied naming the first one
  missing. AWS accepts the call and fails the resource (CREATE_FAILED,
  "… is not authorized to perform: …"): the harness fails earlier, never
  later.
* The harness's own requests to itself (drift detection's reads, header
  x-streamscale-internal) are not checked: they are CloudFormation's reads,
  covered by the handler check of DetectStackDrift.
"""
from __future__ import annotations

import io
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

ENV = "STREAMSCALE_MOTO_IAM"
INTERNAL_HEADER = "HTTP_X_STREAMSCALE_INTERNAL"
ACCOUNT = "123456789012"

_checked = threading.local()
_HANDLERS_FILE = Path(__file__).resolve().parents[2] / "data" / "iam-cloudformation-handlers.json"


def _harness_limit_class() -> type:
    from moto.core.exceptions import _RESTError

    class HarnessLimit(_RESTError):
        """A policy element the harness cannot evaluate: HTTP 500, loudly."""

        code = 500

        def __init__(self, what: str) -> None:
            super().__init__("HarnessIamLimit", f"the moto harness cannot evaluate this policy: {what}")

    return HarnessLimit


HarnessLimit = _harness_limit_class()

JSON_SERVICES = {"servicequotas", "es", "eks", "aps", "secretsmanager", "kms", "logs"}


def _denied_class() -> type:
    from werkzeug.exceptions import HTTPException

    class Denied(HTTPException):
        """AWS's refusal, in the service's own error format: EC2's
        UnauthorizedOperation, the query services' AccessDenied, the JSON
        services' AccessDeniedException."""

        code = 403

        def __init__(self, service: str, user_arn: str, action: str, why: str = "") -> None:
            from xml.sax.saxutils import escape

            detail = f"User: {user_arn} is not authorized to perform: {action}{why}"
            if service == "ec2":
                body = (
                    "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>"
                    + escape("You are not authorized to perform this operation. " + detail)
                    + "</Message></Error></Errors><RequestID>iam-denied</RequestID></Response>"
                )
            elif service in JSON_SERVICES:
                body = json.dumps({"__type": "AccessDeniedException", "message": detail})
            else:
                body = (
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>"
                    + escape(detail)
                    + "</Message></Error><RequestId>iam-denied</RequestId></ErrorResponse>"
                )
            super().__init__(description=body)

    return Denied


Denied = _denied_class()


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def _handlers() -> dict[str, Any]:
    return json.loads(_HANDLERS_FILE.read_text())["types"]


def _context_check(statement: dict[str, Any], context: dict[str, str]) -> bool:
    """Whether a statement's Condition holds for this request's context."""
    cond = statement.get("Condition")
    if not cond:
        return True
    for op, keys in cond.items():
        if op != "StringEquals":
            raise HarnessLimit(f"condition operator {op} (only StringEquals is evaluated)")
        for key, expected in keys.items():
            if key not in context:
                raise HarnessLimit(f"condition key {key} (only aws:RequestedRegion is evaluated)")
            allowed = expected if isinstance(expected, list) else [expected]
            if context[key] not in allowed:
                return False
    return True


def permitted(policies: list[Any], action: str, resource: str, context: dict[str, str]) -> bool:
    """Identity-policy evaluation: an explicit Deny wins, else any Allow."""
    from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult

    allowed = False
    for policy in policies:
        doc = IAMPolicy(policy)._policy_json
        statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        for s in statements:
            # IAM matches actions case-insensitively (moto: case-sensitively).
            lowered = {k: v for k, v in s.items() if k != "Condition"}
            for k in ("Action", "NotAction"):
                if k in lowered:
                    v = lowered[k]
                    lowered[k] = [a.lower() for a in v] if isinstance(v, list) else v.lower()
            stmt = IAMPolicyStatement(lowered)
            result = stmt.is_action_permitted(action.lower(), resource)
            if result == PermissionResult.NEUTRAL:
                continue
            if not _context_check(s, context):
                continue
            if result == PermissionResult.DENIED or s.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def _cfn_resource(data: dict[str, Any], region: str, account: str) -> str:
    def first(key: str) -> str | None:
        v = data.get(key)
        if isinstance(v, list):
            v = v[0] if v else None
        return v

    stack = first("StackName")
    if stack:
        if stack.startswith("arn:"):
            return stack
        return f"arn:aws:cloudformation:{region}:{account}:stack/{stack}/*"
    cs = first("ChangeSetName")
    if cs and cs.startswith("arn:"):
        return cs
    return "*"


def _handler_needs(response: Any, action: str) -> list[tuple[str, str]]:
    """(permission, why) CloudFormation's handlers need for this call."""
    from moto.cloudformation.models import cloudformation_backends

    region = response.region
    backend = cloudformation_backends[response.current_account][region]

    def types_of(body: str | None) -> set[str]:
        if not body:
            return set()
        try:
            t = json.loads(body)
        except ValueError:
            import yaml

            t = yaml.safe_load(body)
        return {r.get("Type") for r in (t.get("Resources") or {}).values() if isinstance(r, dict)} - {None}

    def stack_named(name: str | None) -> Any:
        if not name:
            return None
        for s in backend.stacks.values():
            if name in (s.name, s.stack_id) and not s.status.startswith("DELETE_COMPLETE"):
                return s
        return None

    params = response.querystring
    get = lambda k: (params.get(k) or [None])[0]  # noqa: E731

    def body() -> str | None:
        if get("TemplateBody"):
            return get("TemplateBody")
        if get("TemplateURL"):
            return response._get_stack_from_s3_url(get("TemplateURL"))
        return None

    ops: list[tuple[set[str], tuple[str, ...]]] = []
    if action == "CreateStack":
        ops.append((types_of(body()), ("create",)))
    elif action == "UpdateStack":
        old = stack_named(get("StackName"))
        ops.append((types_of(body()) | types_of(old and old.template), ("create", "update", "delete")))
    elif action == "ExecuteChangeSet":
        cs_name, stack_name = get("ChangeSetName"), get("StackName")
        cs = backend.change_sets.get(cs_name)
        if cs is None:
            cs = next(
                (
                    c
                    for c in backend.change_sets.values()
                    if c.change_set_name == cs_name and stack_name in (None, c.stack_name, c.stack_id)
                ),
                None,
            )
        old = stack_named(stack_name or (cs and cs.stack_name))
        ops.append((types_of(cs and cs.template) | types_of(old and old.template), ("create", "update", "delete")))
    elif action == "DeleteStack":
        old = stack_named(get("StackName"))
        ops.append((types_of(old and old.template), ("delete",)))
    elif action == "DetectStackDrift":
        old = stack_named(get("StackName"))
        ops.append((types_of(old and old.template), ("read",)))
    handlers = _handlers()
    needs: list[tuple[str, str]] = []
    for types, kinds in ops:
        for t in sorted(types):
            h = handlers.get(t)
            if h is None:
                raise HarnessLimit(f"no handler permissions known for {t} (scripts/gen-iam-permissions)")
            for kind in kinds:
                for p in h.get(kind, []):
                    if ":" in p and "." not in p.split(":", 1)[1]:
                        needs.append((p, f"CloudFormation's {kind} handler of {t}"))
    return needs


def _patch_check() -> None:
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequestBase

    def check_action_permitted(self: Any, resource: str) -> None:
        _checked.done = True
        if self._action == "sts:GetCallerIdentity":  # AWS: always allowed
            return
        policies = self._access_key.collect_policies()
        if self._service == "cloudformation":
            resource = _cfn_resource(self._data, self._region, self.account_id)
        context = {"aws:RequestedRegion": self._region}
        if not permitted(policies, self._action, resource, context):
            if self._service == "s3":
                self._raise_access_denied()
            raise Denied(self._service, self._access_key.arn, self._action)
        response = getattr(_checked, "response", None)
        if self._service == "cloudformation" and response is not None:
            action = self._action.split(":", 1)[1]
            for perm, why in _handler_needs(response, action):
                if not permitted(policies, perm, "*", context):
                    raise Denied(self._service, self._access_key.arn, perm, f" (needed by {why})")

    IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]

    original_request = IAMRequestBase._create_aws_request

    def create_aws_request(self: Any) -> Any:
        # moto signs again what it parsed: a form body re-encoded by botocore,
        # which differs from the client's encoding (the Rust SDK's) for a
        # template's characters. The bytes the client signed are used instead.
        request = original_request(self)
        raw = getattr(_checked, "raw_body", None)
        if raw:
            request.data = raw
        return request

    IAMRequestBase._create_aws_request = create_aws_request  # type: ignore[method-assign]

    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def authenticate(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        # Enforcement is on from the first request: this request is checked
        # (signature, key, then the action), whatever the outcome.
        _checked.done = True
        if getattr(_checked, "internal", False):
            # CloudFormation's own reads (drift detection): their
            # permissions were checked on DetectStackDrift.
            ActionAuthenticatorMixin.request_count += 1
            return None
        _checked.response = self
        try:
            return original(self, iam_request_cls, resource)
        finally:
            _checked.response = None

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authenticate  # type: ignore[method-assign]


def _create_users(path: str) -> None:
    from moto.iam.models import iam_backends

    backend = iam_backends[ACCOUNT]["aws"]
    spec = json.loads(Path(path).read_text())
    for u in spec.get("users", []):
        backend.create_user("us-east-1", u["name"])
        key = backend.create_access_key(u["name"])
        key.access_key_id = u["access_key_id"]
        key.secret_access_key = u["secret_access_key"]
        backend.put_user_policy(u["name"], "streamscale", json.dumps(u["policy"]))


def install() -> None:
    if not enabled():
        return
    from moto import settings

    _patch_check()
    _create_users(os.environ[ENV])
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0


def wrap_app(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Signed requests that reached no IAM check fail loudly; a policy element
    the harness cannot evaluate too."""
    if not enabled():
        return app

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        signed = "HTTP_AUTHORIZATION" in environ
        _checked.internal = bool(environ.get(INTERNAL_HEADER))
        if environ.get(INTERNAL_HEADER) or path.startswith("/moto-api") or not signed:
            return app(environ, start_response)
        _checked.done = False
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        _checked.raw_body = raw
        seen: list[Any] = []

        def capture(status: str, headers: list[Any], exc_info: Any = None) -> Callable[[bytes], None]:
            seen[:] = [status, headers]
            return lambda _data: None

        body = b"".join(app(environ, capture))
        if not getattr(_checked, "done", False):
            return _fail(
                environ,
                start_response,
                f"the moto harness did not check IAM for this request ({environ.get('REQUEST_METHOD')} {path}): "
                "moto does not enforce IAM for this service or operation (docs/moto.md)",
            )
        if seen[0][:1] in ("4", "5") and (b"AccessDenied" in body or b"Signature" in body or b"InvalidClientTokenId" in body):
            # In the server's log: what was refused, and why.
            print(f"ext_iam: {environ.get('REQUEST_METHOD')} {path}: {seen[0]}: {body[:400]!r}", file=sys.stderr)
        start_response(seen[0], seen[1])
        return [body]

    return wrapped


def _fail(environ: dict[str, Any], start_response: Callable[..., Any], message: str) -> list[bytes]:
    code = "HarnessIamNotChecked"
    print(f"ext_iam: {message}", file=sys.stderr)
    if "x-www-form-urlencoded" in (environ.get("CONTENT_TYPE") or ""):
        from xml.sax.saxutils import escape

        body = (
            f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code>"
            f"<Message>{escape(message)}</Message></Error></ErrorResponse>"
        ).encode()
        ctype = "text/xml"
    else:
        body = json.dumps({"__type": code, "message": message}).encode()
        ctype = "application/json"
    start_response(
        "500 Internal Server Error",
        [("Content-Type", ctype), ("Content-Length", str(len(body)))],
    )
    return [body]
