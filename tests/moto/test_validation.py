"""boto3 tests of the harness's pre-deployment validation of change sets.

AWS: "CloudFormation runs multiple validation checks against your template
... Property syntax validation against resource schemas ... FAIL mode blocks
change set execution when validation detects errors."
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/validate-stack-deployments.html

    .venv/bin/python -m pytest tests/moto/test_validation.py -q
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from test_moto_strict import launched


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launched(tmp_path_factory.mktemp("validation")) as clients:
        yield clients


def group(props: dict[str, Any]) -> str:
    return json.dumps({"Resources": {"Group": {"Type": "AWS::ElastiCache::SubnetGroup", "Properties": props}}})


def test_unknown_property_fails_the_change_set_like_aws(aws: Any) -> None:
    """A property the type's schema does not declare: the change set is FAILED
    with AWS's reason, lists no changes, and cannot be executed."""
    cf = aws.cloudformation
    cf.create_stack(StackName="valid", TemplateBody=group({"Description": "d", "SubnetIds": []}))
    cs = cf.create_change_set(StackName="valid", ChangeSetName="typo", ChangeSetType="UPDATE",
                              TemplateBody=group({"Descripton": "d", "SubnetIds": []}))
    desc = cf.describe_change_set(ChangeSetName=cs["Id"])
    assert desc["Status"] == "FAILED" and desc["ExecutionStatus"] == "UNAVAILABLE"
    assert desc["StatusReason"].startswith("The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation]")
    assert desc.get("Changes", []) == []
    with pytest.raises(ClientError) as err:
        cf.execute_change_set(ChangeSetName=cs["Id"])
    assert err.value.response["Error"]["Code"] == "InvalidChangeSetStatus"
    assert cf.describe_stacks(StackName="valid")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_declared_properties_pass(aws: Any) -> None:
    """Declared properties (and a type whose schema allows others) are not refused."""
    cf = aws.cloudformation
    cs = cf.create_change_set(StackName="valid", ChangeSetName="fine", ChangeSetType="UPDATE",
                              TemplateBody=group({"Description": "other", "SubnetIds": []}))
    desc = cf.describe_change_set(ChangeSetName=cs["Id"])
    assert desc["Status"] == "CREATE_COMPLETE", desc.get("StatusReason")
    assert [c["ResourceChange"]["LogicalResourceId"] for c in desc["Changes"]] == ["Group"]


def test_empty_change_set_still_fails_as_no_changes(aws: Any) -> None:
    """The empty change set keeps AWS's own reason and is not executable either."""
    cf = aws.cloudformation
    cs = cf.create_change_set(StackName="valid", ChangeSetName="same", ChangeSetType="UPDATE",
                              TemplateBody=group({"Description": "d", "SubnetIds": []}))
    desc = cf.describe_change_set(ChangeSetName=cs["Id"])
    assert desc["Status"] == "FAILED" and "didn't contain changes" in desc["StatusReason"]
    with pytest.raises(ClientError) as err:
        cf.execute_change_set(ChangeSetName=cs["Id"])
    assert err.value.response["Error"]["Code"] == "InvalidChangeSetStatus"


def test_describe_of_a_missing_change_set_is_change_set_not_found(aws: Any) -> None:
    """DescribeChangeSet of a deleted change set: ChangeSetNotFound (HTTP 404),
    not a ValidationError about a stack.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html"""
    cf = aws.cloudformation
    cs = cf.create_change_set(StackName="valid", ChangeSetName="gone", ChangeSetType="UPDATE",
                              TemplateBody=group({"Description": "gone", "SubnetIds": []}))
    cf.delete_change_set(ChangeSetName=cs["Id"])
    with pytest.raises(ClientError) as err:
        cf.describe_change_set(ChangeSetName=cs["Id"], StackName="valid")
    assert err.value.response["Error"]["Code"] == "ChangeSetNotFound"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
