"""IAM enforcement on the harness (ext_iam, switch STREAMSCALE_MOTO_IAM): a
user's policy decides, the region condition and a stack-scoped resource are
evaluated, CloudFormation's handler permissions are checked, a condition the
harness cannot evaluate fails loudly, and the other switches still work.

    .venv/bin/python -m pytest -q tests/moto/test_iam.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tiers_support import launch

HERE = Path(__file__).resolve().parent
STACK = "iamtest-staging"

VPC_TEMPLATE = json.dumps(
    {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}}}}
)


def _handlers(t: str, *ops: str) -> list[str]:
    data = json.loads((HERE.parents[1] / "data" / "iam-cloudformation-handlers.json").read_text())
    return sorted({p for op in ops for p in data["types"][t][op] if "." not in p.split(":", 1)[1]})


def _region(regions: list[str]) -> dict[str, Any]:
    return {"StringEquals": {"aws:RequestedRegion": regions}}


USERS = {
    "full": [
        {
            "Effect": "Allow",
            "Action": ["cloudformation:CreateStack", "cloudformation:DescribeStacks", "cloudformation:DeleteStack"],
            "Resource": f"arn:aws:cloudformation:*:*:stack/{STACK}/*",
            "Condition": _region(["us-east-1"]),
        },
        {
            "Effect": "Allow",
            "Action": _handlers("AWS::EC2::VPC", "create", "delete") + ["ec2:DescribeImages"],
            "Resource": "*",
            "Condition": _region(["us-east-1"]),
        },
    ],
    "nohandler": [
        {
            "Effect": "Allow",
            "Action": ["cloudformation:CreateStack", "cloudformation:DescribeStacks"],
            "Resource": f"arn:aws:cloudformation:*:*:stack/{STACK}-x/*",
        },
        {
            "Effect": "Allow",
            "Action": [a for a in _handlers("AWS::EC2::VPC", "create") if a != "ec2:CreateVpc"],
            "Resource": "*",
        },
    ],
    "unknowncondition": [
        {
            "Effect": "Allow",
            "Action": "ec2:DescribeImages",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:RequestedRegion": "us-*"}},
        }
    ],
}


def key(name: str) -> tuple[str, str]:
    return (f"AKIAIAMTEST{name.upper():0<9}"[:20], f"secret-{name}-" + "x" * 20)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("moto")
    users = tmp / "users.json"
    users.write_text(
        json.dumps(
            {
                "users": [
                    {
                        "name": n,
                        "access_key_id": key(n)[0],
                        "secret_access_key": key(n)[1],
                        "policy": {"Version": "2012-10-17", "Statement": st},
                    }
                    for n, st in USERS.items()
                ]
            }
        )
    )
    with launch(tmp, env={"STREAMSCALE_MOTO_IAM": str(users)}) as url:
        yield url


def client(endpoint: str, service: str, user: str, region: str = "us-east-1") -> Any:
    k, s = key(user)
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=k,
        aws_secret_access_key=s,
        config=Config(retries={"max_attempts": 1}),
    )


def denied(e: pytest.ExceptionInfo[ClientError]) -> str:
    # EC2 answers UnauthorizedOperation, the query services AccessDenied, JSON ones AccessDeniedException.
    assert e.value.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"), e.value.response
    return e.value.response["Error"]["Message"]


def test_unknown_keys_are_refused(endpoint: str) -> None:
    c = boto3.client(
        "ec2", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="AKIANOBODY000000000",
        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError):
        c.describe_images(ImageIds=["ami-12345678"])


def test_policy_with_region_condition_and_stack_resource(endpoint: str) -> None:
    ec2 = client(endpoint, "ec2", "full")
    ec2.describe_images(Owners=["self"])
    # The same action in a region outside the condition: refused.
    with pytest.raises(ClientError) as e:
        client(endpoint, "ec2", "full", "eu-west-1").describe_images(Owners=["self"])
    assert "ec2:DescribeImages" in denied(e)
    cfn = client(endpoint, "cloudformation", "full")
    cfn.create_stack(StackName=STACK, TemplateBody=VPC_TEMPLATE)
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    # Another stack name: outside the resource.
    with pytest.raises(ClientError) as e:
        cfn.create_stack(StackName="someone-else", TemplateBody=VPC_TEMPLATE)
    assert "cloudformation:CreateStack" in denied(e)
    # An action the policy does not name.
    with pytest.raises(ClientError) as e:
        cfn.get_template(StackName=STACK)
    assert "cloudformation:GetTemplate" in denied(e)
    cfn.delete_stack(StackName=STACK)


def test_a_missing_handler_permission_refuses_the_stack_operation(endpoint: str) -> None:
    cfn = client(endpoint, "cloudformation", "nohandler")
    with pytest.raises(ClientError) as e:
        cfn.create_stack(StackName=STACK + "-x", TemplateBody=VPC_TEMPLATE.replace("10.9.", "10.8."))
    msg = denied(e)
    assert "ec2:CreateVpc" in msg and "AWS::EC2::VPC" in msg, msg


def test_a_condition_the_harness_cannot_evaluate_fails_loudly(endpoint: str) -> None:
    with pytest.raises(ClientError) as e:
        client(endpoint, "ec2", "unknowncondition").describe_images(Owners=["self"])
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "cannot evaluate" in str(e.value), e.value.response
