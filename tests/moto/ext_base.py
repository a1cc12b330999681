"""Shared helpers of the harness modules for the new tiers (ext_docdb.py,
ext_opensearch.py, ext_eks.py, ext_amp.py, ext_security.py).

Each of those modules defines CloudFormation models on moto's own backends, the
way moto_ext._define_models does: a class that subclasses moto's
CloudFormationModel directly (moto finds types through __subclasses__()), with
a ``__module__`` that names the service, defined before the first
CloudFormation call, then moto's cached type map is refreshed (``refresh``).

The handle a stack keeps is a ``Handle``: the real object lives in the service
backend (what the service APIs return).  ``Handle.update_from_cloudformation_json``
decides between an in-place update and a replacement from the table of
properties that AWS's CloudFormation resource reference marks "Update requires:
Replacement" (``REPLACES``).  A replacement creates the new resource first and
deletes the old one afterwards, as CloudFormation does; a custom-named resource
whose replacement would keep its name is refused with CloudFormation's own
message.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from typing import Any, Callable

logger = logging.getLogger("streamscale.moto_ext.tiers")

# rtype -> properties whose change requires replacement (AWS resource reference)
REPLACES: dict[str, set[str]] = {}

# Replaced resources still in use by a dependent that the update has not
# reached yet: CloudFormation deletes them in its cleanup phase, after every
# resource is updated (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS).
_PENDING_CLEANUP: list["Handle"] = []
_CLEANUP_INSTALLED = False


def install_cleanup() -> None:
    """Run the deletes of replaced resources after the whole stack update."""
    global _CLEANUP_INSTALLED
    if _CLEANUP_INSTALLED:
        return
    from moto.cloudformation import parsing

    inner = parsing.ResourceMap.update

    def _update_then_cleanup(self, template, parameters=None):  # type: ignore[no-untyped-def]
        inner(self, template, parameters)
        for _ in range(len(_PENDING_CLEANUP) + 1):
            if not _PENDING_CLEANUP:
                break
            for handle in list(_PENDING_CLEANUP):
                try:
                    handle._delete()
                except Exception as exc:  # noqa: BLE001
                    logger.info("cleanup of %s deferred: %s", handle.name, exc)
                    continue
                _PENDING_CLEANUP.remove(handle)
        if _PENDING_CLEANUP:
            logger.warning("replaced resources left behind: %s", [h.name for h in _PENDING_CLEANUP])
            _PENDING_CLEANUP.clear()

    parsing.ResourceMap.update = _update_then_cleanup
    _CLEANUP_INSTALLED = True


def to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def to_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def changed_properties(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    old = old or {}
    new = new or {}
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def tags_dict(tags: Any) -> dict[str, str]:
    """CloudFormation Tags (list of Key/Value, or a map for some types) -> dict."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags}


def generated_id(resource_name: str, max_len: int, lower: bool = True) -> str:
    """An identifier from moto's generated name ``<stack>-<logical>-<SUFFIX>``
    that fits ``max_len``, starts with a letter and has no double hyphen
    (the rules of RDS/DocumentDB/OpenSearch identifiers)."""
    name = resource_name.lower() if lower else resource_name
    name = re.sub(r"[^A-Za-z0-9-]", "-", name)
    name = re.sub(r"-+", "-", name).strip("-")
    head, _, suffix = name.rpartition("-")
    head = head[: max(1, max_len - len(suffix) - 1)].rstrip("-")
    result = f"{head}-{suffix}" if head else suffix
    if not result[0].isalpha():
        result = ("r" + result)[:max_len]
    return result.rstrip("-")


def register_replacements(rtype: str, props: set[str]) -> None:
    """Record the replacement rules of ``rtype`` here and in moto_ext's table
    (which feeds change-set details: RequiresRecreation / Replacement)."""
    REPLACES[rtype] = set(props)
    try:
        import moto_ext

        table = getattr(moto_ext, "REPLACEMENT_PROPERTIES", None)
        if isinstance(table, dict):
            table[rtype] = set(props)
    except ImportError:  # pragma: no cover - moto_ext is always next to us
        pass


def refresh(rtypes: list[str]) -> None:
    """moto caches its type map: forget it so that new types are seen."""
    from moto.cloudformation import parsing

    install_cleanup()

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    model_map = parsing.get_model_map()
    for rtype in rtypes:
        assert rtype in model_map, rtype


def after_cfn_writes(model: Any, apply: Any) -> None:
    """Wrap a moto model's CloudFormation create and update so that
    ``apply(resource, props, account_id, region_name)`` runs after each (the
    properties moto's own handler skips)."""
    orig_create = model.create_from_cloudformation_json.__func__
    orig_update = model.update_from_cloudformation_json.__func__

    def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        resource = orig_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        apply(resource, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return resource

    def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        resource = orig_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        apply(resource, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return resource

    model.create_from_cloudformation_json = classmethod(_create)
    model.update_from_cloudformation_json = classmethod(_update)


def install_once(install: Callable[[], None]) -> Callable[[], None]:
    """``install`` made idempotent: it runs until it has succeeded once."""
    done = False

    @functools.wraps(install)
    def once() -> None:
        nonlocal done
        if not done:
            install()
            done = True

    return once


def register_types(replacements: dict[str, set[str]]) -> None:
    """Record the replacement rules of each new type (``register_replacements``),
    then make moto see the types (``refresh``)."""
    for rtype, props in replacements.items():
        register_replacements(rtype, props)
    refresh(list(replacements))


def custom_name_error(name: str) -> Exception:
    from moto.cloudformation.exceptions import ValidationError

    return ValidationError(
        message="CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        f"Rename {name} and update the stack again."
    )


class Handle:
    """Mixin for the handle a stack keeps.  Subclasses set RTYPE and NAME_PROP
    (the property that names the resource, "" if none) and implement
    ``_create(resource_name, props, account_id, region_name)``,
    ``_update(props, changed)`` and ``_delete()``."""

    RTYPE = ""
    NAME_PROP = ""
    ATTRS: tuple[str, ...] = ()
    # Compare names case-insensitively (RDS, DocumentDB identifiers are lower-cased)
    NAME_CASE_INSENSITIVE = False

    def __init__(self, account_id: str, region_name: str, name: str, props: dict[str, Any]):
        self.account_id, self.region_name, self.name = account_id, region_name, name
        self.props = copy.deepcopy(props)

    # --- CloudFormationModel interface ------------------------------------------

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.RTYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:  # type: ignore[override]
        return cls.NAME_PROP

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRS

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def is_created(self) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in self.ATTRS:
            raise UnformattedGetAttTemplateException()
        value = self._attribute(attribute_name)
        if value is None:
            raise UnformattedGetAttTemplateException()
        return value

    def _attribute(self, attribute_name: str) -> Any:
        live = self._live()
        return None if live is None else self._live_attribute(live, attribute_name)

    def _live(self) -> Any:
        """The service backend's object behind the handle; None once it is gone."""
        return None

    def _live_attribute(self, live: Any, attribute_name: str) -> Any:
        """``attribute_name`` (one of ATTRS) of the live object."""
        return None

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        props = cloudformation_json.get("Properties") or {}
        return cls._create(resource_name, props, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        props = cloudformation_json.get("Properties") or {}
        changed = changed_properties(original_resource.props, props)
        if REPLACES.get(cls.RTYPE, set()) & set(changed) or cls._replaces(original_resource, cloudformation_json, changed):
            wanted = props.get(cls.NAME_PROP) if cls.NAME_PROP else None
            if wanted and cls._same_name(wanted, original_resource.name):
                raise custom_name_error(original_resource.name)
            logger.info("%s %s: %s changed, replacing", cls.RTYPE, original_resource.name, changed)
            new = cls._create(new_resource_name, props, account_id, region_name)
            try:
                original_resource._delete()
            except Exception:  # noqa: BLE001 - still in use: delete at cleanup
                _PENDING_CLEANUP.append(original_resource)
            return new
        original_resource._update(props, changed)
        original_resource.props = copy.deepcopy(props)
        return original_resource

    @classmethod
    def _replaces(cls, original: "Handle", cloudformation_json: dict[str, Any], changed: list[str]) -> bool:
        """Replacement conditions beyond the property table (UpdatePolicy…)."""
        return False

    @classmethod
    def _same_name(cls, a: str, b: str) -> bool:
        return a.lower() == b.lower() if cls.NAME_CASE_INSENSITIVE else a == b

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        pass  # delete() on the handle does the work

    def delete(self, account_id: str, region_name: str) -> None:
        self._delete()

    # --- to implement -----------------------------------------------------------

    @classmethod
    def _create(cls, resource_name: str, props: dict[str, Any], account_id: str, region_name: str) -> "Handle":
        raise NotImplementedError

    def _update(self, props: dict[str, Any], changed: list[str]) -> None:
        raise NotImplementedError

    def _delete(self) -> None:
        raise NotImplementedError


def refuse_unmodelled(rtype: str, props: dict[str, Any], supported: set[str], exc_factory: Any = None) -> None:
    """Fail loudly on a property the harness does not model (rather than
    accept it and do nothing): AWS-shaped ValidationError."""
    unknown = sorted(set(props) - supported)
    if unknown:
        from moto.cloudformation.exceptions import ValidationError

        raise ValidationError(
            message=f"{rtype}: the streamscale moto harness does not model {', '.join(unknown)}"
        )
