"""Amazon Managed Service for Prometheus on moto 5.2.5 (the harness side of the
[monitoring] tier).

moto 5.2.5 has an ``amp`` backend (workspaces, rule groups namespaces, logging
configuration) but its CloudFormation has no ``AWS::APS::Workspace`` or
``AWS::APS::RuleGroupsNamespace`` (it logs "No Moto CloudFormation support",
reports CREATE_COMPLETE with nothing created, and a GetAtt is an HTTP 500).

Gaps filled:
  * AWS::APS::Workspace -> CfnApsWorkspace: Ref = workspace ARN; GetAtt Arn,
    PrometheusEndpoint, WorkspaceId.  Alias, LoggingConfiguration and Tags
    update in place; KmsKeyArn replaces.
  * AWS::APS::RuleGroupsNamespace -> CfnApsRuleGroupsNamespace: Ref = ARN;
    GetAtt Arn.  Data and Tags update in place (PutRuleGroupsNamespace);
    Name and Workspace replace.  Data must be a Prometheus rules file (YAML
    with ``groups``, each with a name and rules that are an alert or a record
    with an expr); anything else is refused like AMP's ValidationException.
    The API returns the data as the bytes of the YAML, as AMP does.

  * The API's CreateRuleGroupsNamespace and PutRuleGroupsNamespace check the
    rules file as AMP does (moto stored anything), and DescribeWorkspace
    gives the workspace's kmsKeyArn when it has one.

Refused loudly (ValidationError naming the property): AlertManagerDefinition,
WorkspaceConfiguration, QueryLoggingConfiguration (moto has no alert manager
nor workspace configuration).

AWS documentation:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-aps-workspace.html
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-aps-rulegroupsnamespace.html
  https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-rules-upload.html
  https://docs.aws.amazon.com/prometheus/latest/APIReference/API_PutRuleGroupsNamespace.html
  https://docs.aws.amazon.com/prometheus/latest/APIReference/API_WorkspaceDescription.html
"""

from __future__ import annotations

import base64
from typing import Any

from ext_base import Handle, install_once, refuse_unmodelled, register_types, tags_dict

_MODULE = "moto.amp.streamscale_ext"


def _validation(message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("ValidationException", message)


def validate_rules(data: str) -> None:
    """The checks AMP makes on a rules file before accepting it."""
    import yaml

    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise _validation(f"Invalid rules file: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        raise _validation("Invalid rules file: a top-level 'groups' list is required")
    names = set()
    for group in doc["groups"]:
        if not isinstance(group, dict) or not group.get("name"):
            raise _validation("Invalid rules file: every group needs a name")
        if group["name"] in names:
            raise _validation(f"Invalid rules file: {group['name']}: repeated in the same file")
        names.add(group["name"])
        for rule in group.get("rules") or []:
            if not isinstance(rule, dict) or not rule.get("expr"):
                raise _validation(f"Invalid rules file: group {group['name']}: every rule needs an expr")
            if bool(rule.get("alert")) == bool(rule.get("record")):
                raise _validation(f"Invalid rules file: group {group['name']}: a rule is either an alert or a record")


def _patch_backend() -> None:
    """Rules checked on the API too; the workspace's key in its description."""
    from moto.amp import models as amp_models

    Backend = amp_models.PrometheusServiceBackend

    def _decoded(data: str) -> str:
        try:
            return base64.b64decode(data, validate=True).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise _validation(f"Invalid rules file: data is not base64-encoded UTF-8 text ({exc})") from exc

    orig_create, orig_put = Backend.create_rule_groups_namespace, Backend.put_rule_groups_namespace

    def create_rule_groups_namespace(self, data, name, tags, workspace_id):  # type: ignore[no-untyped-def]
        validate_rules(_decoded(data))
        return orig_create(self, data=data, name=name, tags=tags, workspace_id=workspace_id)

    def put_rule_groups_namespace(self, data, name, workspace_id):  # type: ignore[no-untyped-def]
        validate_rules(_decoded(data))
        return orig_put(self, data=data, name=name, workspace_id=workspace_id)

    Backend.create_rule_groups_namespace = create_rule_groups_namespace
    Backend.put_rule_groups_namespace = put_rule_groups_namespace

    orig_to_dict = amp_models.Workspace.to_dict

    def to_dict(self):  # type: ignore[no-untyped-def]
        out = orig_to_dict(self)
        if getattr(self, "kms_key_arn", None):
            out["kmsKeyArn"] = self.kms_key_arn
        return out

    amp_models.Workspace.to_dict = to_dict


def _define_models() -> list[type]:
    from moto.amp.models import amp_backends
    from moto.core.common_models import CloudFormationModel

    def _workspace_id(arn: str) -> str:
        return arn.rsplit("/", 1)[-1] if arn else ""

    class CfnApsWorkspace(Handle, CloudFormationModel):
        """AWS::APS::Workspace: Ref = workspace ARN."""

        __module__ = _MODULE
        RTYPE = "AWS::APS::Workspace"
        ATTRS = ("Arn", "PrometheusEndpoint", "WorkspaceId")

        @property
        def physical_resource_id(self) -> str:
            ws = self.workspace
            return ws.arn if ws else ""

        def _live(self) -> Any:
            return amp_backends[self.account_id][self.region_name].workspaces.get(self.name)

        workspace = property(_live)

        def _live_attribute(self, ws: Any, attribute_name: str) -> Any:
            return {"Arn": ws.arn, "PrometheusEndpoint": ws.endpoint, "WorkspaceId": ws.workspace_id}[attribute_name]

        @staticmethod
        def _logging(backend: Any, workspace_id: str, props: dict[str, Any]) -> None:
            arn = (props.get("LoggingConfiguration") or {}).get("LogGroupArn")
            ws = backend.describe_workspace(workspace_id)
            if arn and ws.logging_config is None:
                backend.create_logging_configuration(workspace_id, arn)
            elif arn:
                backend.update_logging_configuration(workspace_id, arn)
            elif ws.logging_config is not None:
                backend.delete_logging_configuration(workspace_id)

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"Alias", "KmsKeyArn", "LoggingConfiguration", "Tags"})
            backend = amp_backends[account_id][region_name]
            ws = backend.create_workspace(alias=props.get("Alias"), tags=tags_dict(props.get("Tags")))
            ws.kms_key_arn = props.get("KmsKeyArn")
            cls._logging(backend, ws.workspace_id, props)
            return cls(account_id, region_name, ws.workspace_id, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            refuse_unmodelled(self.RTYPE, props, {"Alias", "KmsKeyArn", "LoggingConfiguration", "Tags"})
            backend = amp_backends[self.account_id][self.region_name]
            if "Alias" in changed:
                backend.update_workspace_alias(alias=props.get("Alias"), workspace_id=self.name)
            if "LoggingConfiguration" in changed:
                self._logging(backend, self.name, props)
            if "Tags" in changed:
                ws = backend.describe_workspace(self.name)
                backend.tagger.delete_all_tags_for_resource(ws.arn)
                backend.tag_resource(ws.arn, tags_dict(props.get("Tags")))

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = amp_backends[self.account_id][self.region_name]
            if self.name in backend.workspaces:
                backend.delete_workspace(self.name)

    class CfnApsRuleGroupsNamespace(Handle, CloudFormationModel):
        """AWS::APS::RuleGroupsNamespace: Ref = namespace ARN."""

        __module__ = _MODULE
        RTYPE = "AWS::APS::RuleGroupsNamespace"
        NAME_PROP = "Name"
        ATTRS = ("Arn",)

        @property
        def workspace_id(self) -> str:
            return _workspace_id(self.props.get("Workspace", ""))

        @property
        def namespace(self) -> Any:
            ws = amp_backends[self.account_id][self.region_name].workspaces.get(self.workspace_id)
            return ws.rule_group_namespaces.get(self.name) if ws else None

        @property
        def physical_resource_id(self) -> str:
            ns = self.namespace
            return ns.arn if ns else ""

        def _attribute(self, attribute_name: str) -> Any:
            ns = self.namespace
            return ns.arn if ns else None

        @staticmethod
        def _data(props: dict[str, Any]) -> str:
            data = props.get("Data")
            if not isinstance(data, str) or not data.strip():
                raise _validation("Data is required")
            validate_rules(data)
            # the API carries the blob base64-encoded, as moto stores it
            return base64.b64encode(data.encode()).decode()

        @classmethod
        def _create(cls, resource_name, props, account_id, region_name):  # type: ignore[no-untyped-def]
            refuse_unmodelled(cls.RTYPE, props, {"Data", "Name", "Tags", "Workspace"})
            backend = amp_backends[account_id][region_name]
            name = props.get("Name")
            if not name:
                raise _validation("Name is required")
            workspace_id = _workspace_id(props.get("Workspace", ""))
            ws = backend.describe_workspace(workspace_id)
            if name in ws.rule_group_namespaces:
                from moto.core.exceptions import JsonRESTError

                raise JsonRESTError("ConflictException", f"A rule groups namespace named {name} already exists")
            backend.create_rule_groups_namespace(data=cls._data(props), name=name, tags=tags_dict(props.get("Tags")), workspace_id=workspace_id)
            return cls(account_id, region_name, name, props)

        def _update(self, props, changed):  # type: ignore[no-untyped-def]
            backend = amp_backends[self.account_id][self.region_name]
            if "Data" in changed:
                backend.put_rule_groups_namespace(data=self._data(props), name=self.name, workspace_id=self.workspace_id)
            if "Tags" in changed:
                ns = self.namespace
                backend.tagger.delete_all_tags_for_resource(ns.arn)
                backend.tag_resource(ns.arn, tags_dict(props.get("Tags")))

        def _delete(self):  # type: ignore[no-untyped-def]
            backend = amp_backends[self.account_id][self.region_name]
            if self.workspace_id in backend.workspaces:
                backend.delete_rule_groups_namespace(name=self.name, workspace_id=self.workspace_id)

    return [CfnApsWorkspace, CfnApsRuleGroupsNamespace]


@install_once
def install() -> None:
    _patch_backend()
    _define_models()
    register_types({"AWS::APS::Workspace": {"KmsKeyArn"}, "AWS::APS::RuleGroupsNamespace": {"Name", "Workspace"}})
