"""Pre-deployment validation of change sets, as CloudFormation does it.

AWS validates a change set's template against the resource schemas while it
creates the change set ("property syntax validation", FAIL mode): a resource
with a property its type's schema does not declare makes the change set
``FAILED`` with ``StatusReason`` "The following hook(s)/validation failed:
[AWS::EarlyValidation::PropertyValidation]." and no changes; it cannot be
executed (ExecuteChangeSet answers ``InvalidChangeSetStatus``, as for any
change set that is not ``AVAILABLE``).  moto creates the change set, executes
any change set and would ignore the property.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/validate-stack-deployments.html

DescribeChangeSet of a change set that does not exist (deleted, or never
made) answers ``ChangeSetNotFound`` (HTTP 404), as AWS does; moto answers a
``ValidationError`` about a stack.
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html

The schemas are the CloudFormation registry schemas bundled with cfn-lint (in
the same virtualenv as moto).  Only what a schema states for certain is
checked: top-level property names of types whose schema forbids additional
properties.  A type without a bundled schema is not checked (never refused).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PROPERTY_VALIDATION_REASON = "The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation]."

_INSTALLED = False


@lru_cache(maxsize=None)
def _schema_index() -> dict[str, str]:
    """Resource type -> schema file name (us-east-1's list: every type)."""
    try:
        import cfnlint
    except ImportError:
        return {}
    root = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = root / "providers" / "us-east-1.json"
    if not index.exists():
        return {}
    return {rtype: str(root / "resources" / f"{name}.json") for rtype, name in json.loads(index.read_text()).items()}


@lru_cache(maxsize=None)
def _declared_properties(rtype: str) -> frozenset[str] | None:
    """The property names a type's schema declares, or None when the schema
    allows others (or there is none)."""
    path = _schema_index().get(rtype)
    if path is None or not Path(path).exists():
        return None
    schema = json.loads(Path(path).read_text())
    if schema.get("additionalProperties", True) is not False:
        return None
    return frozenset(schema.get("properties", {}))


def property_errors(template: dict[str, Any]) -> list[str]:
    """`Logical/Property` for each property a resource's schema does not declare."""
    errors = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        props = resource.get("Properties")
        declared = _declared_properties(str(resource.get("Type", "")))
        if declared is None or not isinstance(props, dict):
            continue
        errors.extend(f"{logical_id}/{name}" for name in props if name not in declared)
    return errors


def install() -> None:
    """Validate every change set's template when it is created (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudformation.models import CloudFormationBackend as Backend

    orig_create = Backend.create_change_set

    def create_change_set(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        change_set_id, stack_id = orig_create(self, *args, **kwargs)
        change_set = self.change_sets.get(change_set_id)
        template = getattr(change_set, "template_dict", None)
        # A change set without changes has already FAILED with AWS's own reason.
        if (
            change_set is not None
            and change_set.status == "CREATE_COMPLETE"
            and isinstance(template, dict)
            and property_errors(template)
        ):
            change_set.status = "FAILED"
            change_set.execution_status = "UNAVAILABLE"
            change_set.status_reason = PROPERTY_VALIDATION_REASON
            change_set.changes = []
        return change_set_id, stack_id

    orig_execute = Backend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):  # type: ignore[no-untyped-def]
        from moto.cloudformation.exceptions import CloudFormationError

        change_set = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None
        )
        if change_set is None:  # moto fails with a 500 (UnboundLocalError)
            raise CloudFormationError("ChangeSetNotFound", f"ChangeSet [{change_set_name}] does not exist")
        if change_set.status == "FAILED":
            raise CloudFormationError(
                "InvalidChangeSetStatus",
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status of [FAILED]",
            )
        return orig_execute(self, change_set_name, stack_name)

    orig_describe = Backend.describe_change_set

    def describe_change_set(self, change_set_name):  # type: ignore[no-untyped-def]
        from moto.cloudformation.exceptions import CloudFormationError, ValidationError

        try:
            return orig_describe(self, change_set_name)
        except ValidationError:
            raise CloudFormationError("ChangeSetNotFound", f"ChangeSet [{change_set_name}] does not exist") from None

    Backend.create_change_set = create_change_set
    Backend.describe_change_set = describe_change_set
    Backend.execute_change_set = execute_change_set
    _INSTALLED = True
