"""Fixtures and helpers shared by the tests of the new tiers (test_tiers_*.py).

The fixture starts the real launcher (streamscale_moto.py), which installs
moto_ext and then the tier modules (ext_docdb, ext_opensearch, ext_eks,
ext_amp, ext_security), exactly as test_moto_ext.py's fixture does.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config

HERE = Path(__file__).resolve().parent
REGION = "eu-west-1"


# Opt-in switches of the launcher: a test turns one on by passing it in env=,
# never by inheriting it from the shell that runs pytest.
SWITCHES = ("STREAMSCALE_MOTO_THROTTLE", "STREAMSCALE_MOTO_CFN_ASYNC", "STREAMSCALE_MOTO_DRIFT", "STREAMSCALE_MOTO_AMIS")


@contextlib.contextmanager
def launch(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start the real launcher (streamscale_moto.py) on a free port with
    ``args``, yield its URL; on exit stop it with SIGTERM, after which it must
    exit 0 and remove its port file."""
    port_file = tmp / f"port-{time.monotonic_ns()}"
    full_env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", **(env or {}))
    for key in SWITCHES:
        if key not in (env or {}):
            full_env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "streamscale_moto.py"), "--port", "0", "--port-file", str(port_file), *args], env=full_env
    )
    deadline = time.monotonic() + 60
    while not port_file.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"launcher exited with {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("launcher did not write its port file within 60 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{int(port_file.read_text())}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=20) == 0, "launcher did not exit cleanly on SIGTERM"
        finally:
            if proc.poll() is None:
                proc.kill()
        assert not port_file.exists(), "launcher left its port file behind"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with launch(tmp_path_factory.mktemp("moto")) as url:
        yield url


class Clients:
    def __init__(self, endpoint: str, region: str = REGION):
        self._endpoint, self._region = endpoint, region

    def region(self, region: str) -> "Clients":
        return Clients(self._endpoint, region)

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        client = boto3.client(
            service,
            region_name=self._region,
            endpoint_url=self._endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )
        setattr(self, service, client)
        return client


@pytest.fixture(scope="module")
def aws(endpoint: str) -> Clients:
    return Clients(endpoint)


def template(resources: dict[str, Any], outputs: dict[str, Any] | None = None, parameters: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        body["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    if parameters:
        body["Parameters"] = parameters
    return json.dumps(body)


def stack(aws: Any, name: str) -> dict[str, Any]:
    return aws.cloudformation.describe_stacks(StackName=name)["Stacks"][0]


def outputs(aws: Any, name: str) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack(aws, name).get("Outputs", [])}


def physical_ids(aws: Any, name: str) -> dict[str, str]:
    res = aws.cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in res}


def create(aws: Any, name: str, body: str, **kwargs: Any) -> dict[str, Any]:
    aws.cloudformation.create_stack(StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"], **kwargs)
    desc = stack(aws, name)
    assert desc["StackStatus"] == "CREATE_COMPLETE", failure(aws, name)
    return desc


def update(aws: Any, name: str, body: str, expect: str = "UPDATE_COMPLETE", **kwargs: Any) -> dict[str, Any]:
    aws.cloudformation.update_stack(StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"], **kwargs)
    desc = stack(aws, name)
    assert desc["StackStatus"] == expect, failure(aws, name)
    return desc


def delete(aws: Any, name: str) -> None:
    aws.cloudformation.delete_stack(StackName=name)
    live = [s for s in aws.cloudformation.list_stacks()["StackSummaries"] if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"]
    assert not live, (live, failure(aws, name))


def failure(aws: Any, name: str) -> list[str]:
    """The failure reasons in the stack's events (for assertion messages)."""
    try:
        events = aws.cloudformation.describe_stack_events(StackName=name)["StackEvents"]
    except Exception as exc:  # noqa: BLE001
        return [str(exc)]
    return [
        f"{e['LogicalResourceId']} {e['ResourceStatus']}: {e.get('ResourceStatusReason')}"
        for e in events
        if "FAILED" in e["ResourceStatus"] or "ROLLBACK" in e["ResourceStatus"]
    ]


def vpc_resources(cidr: str = "10.40.0.0/16", zones: tuple[str, ...] = ("eu-west-1a", "eu-west-1b")) -> dict[str, Any]:
    """A VPC with one private subnet per zone (Subnet1, Subnet2, …)."""
    base = cidr.split(".")
    r: dict[str, Any] = {"VPC": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}}
    for n, zone in enumerate(zones, start=1):
        r[f"Subnet{n}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "VPC"}, "AvailabilityZone": zone, "CidrBlock": f"{base[0]}.{base[1]}.{n}.0/24"},
        }
    r["SecurityGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "tier", "VpcId": {"Ref": "VPC"}}}
    return r
