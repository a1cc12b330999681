"""boto3 tests of the request record (ext_record; launcher --record FILE or
STREAMSCALE_MOTO_RECORD): one JSON line per AWS call with its region,
service, operation and monotonic start / end, which scripts/bench-live reads.

    .venv/bin/python -m pytest tests/moto/test_record.py -q
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import ext_record
from test_moto_strict import launched

LATENCY_MS = 40.0


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_record_has_every_call_with_its_region_and_operation(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    with launched(tmp_path, "--record", str(record), "--latency-ms", str(LATENCY_MS)) as aws:
        urllib.request.urlopen(urllib.request.Request(aws.endpoint + "/moto-api/reset", method="POST")).read()
        before = time.monotonic() * 1000
        cfn_west = aws.region("eu-west-1", "cloudformation")
        cfn_west.describe_stacks()  # query protocol, form body
        with pytest.raises(ClientError):
            cfn_west.describe_stacks(StackName="missing")  # an error is recorded too
        aws.region("ap-southeast-2", "ec2").describe_vpcs()  # EC2 query
        aws.region("ap-southeast-2", "cloudwatch").describe_alarms()  # Smithy RPC v2 CBOR
        aws.region("us-west-2", "elasticache").describe_replication_groups()
        aws.region("us-west-2", "s3").list_buckets()  # REST
        aws.region("eu-central-1", "sts").get_caller_identity()
        after = time.monotonic() * 1000
        size = record.stat().st_size
    entries = read(record)
    assert record.stat().st_size == size  # written before the answer: nothing arrives after the client is done
    assert [(e["region"], e["service"], e["operation"]) for e in entries] == [
        ("eu-west-1", "cloudformation", "DescribeStacks"),
        ("eu-west-1", "cloudformation", "DescribeStacks"),
        ("ap-southeast-2", "ec2", "DescribeVpcs"),
        ("ap-southeast-2", "monitoring", "DescribeAlarms"),
        ("us-west-2", "elasticache", "DescribeReplicationGroups"),
        ("us-west-2", "s3", "ListBuckets"),
        ("eu-central-1", "sts", "GetCallerIdentity"),
    ]  # the moto API (reset) is not recorded
    assert [e["status"] for e in entries][:2] == [200, 400]
    assert "error" not in entries[0] and entries[1]["error"] == "ValidationError"  # AWS's code of the error answer
    for entry in entries:
        # the client's monotonic clock is the server's; the interval includes the injected latency
        assert before <= entry["start"] <= entry["end"] <= after
        assert entry["end"] - entry["start"] >= LATENCY_MS - 1
    for earlier, later in zip(entries, entries[1:]):  # one call after the other: the intervals do not overlap
        assert earlier["end"] <= later["start"]


def test_record_from_environment_and_off_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The WSGI wrapper alone: STREAMSCALE_MOTO_RECORD turns it on, the body is
    left for the app to read, and without a file the app is returned as is."""
    seen: list[bytes] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<ok/>"]

    monkeypatch.delenv(ext_record.RECORD_ENV, raising=False)
    assert ext_record.wrap_app(app) is app
    record = tmp_path / "env.jsonl"
    monkeypatch.setenv(ext_record.RECORD_ENV, str(record))
    wrapped = ext_record.wrap_app(app)
    body = b"Action=ListStackResources&Version=2010-05-15&StackName=s"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=testing/20261201/sa-east-1/cloudformation/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }
    assert list(wrapped(environ, lambda *a: None)) == [b"<ok/>"]
    assert seen == [body]
    [entry] = read(record)
    assert (entry["region"], entry["service"], entry["operation"], entry["status"]) == (
        "sa-east-1", "cloudformation", "ListStackResources", 200)


def test_record_names_the_throttled_calls(tmp_path: Path) -> None:
    """With the throttle switch on, the throttled answers are recorded with
    AWS's throttling code, which scripts/bench-live counts."""
    record = tmp_path / "record.jsonl"
    refused = 0
    with launched(tmp_path, "--record", str(record), "--throttle", "0.5", "--throttle-seed", "3") as aws:
        urllib.request.urlopen(urllib.request.Request(aws.endpoint + "/moto-api/reset", method="POST")).read()
        cfn = aws.region("eu-west-1", "cloudformation")
        for _ in range(20):
            try:
                cfn.describe_stacks()
            except ClientError as err:
                assert err.response["Error"]["Code"] == "Throttling"
                refused += 1
    entries = read(record)
    throttled = [e for e in entries if e.get("error") == "Throttling"]
    answered = [e for e in entries if e["status"] == 200 and "error" not in e]
    assert len(throttled) + len(answered) == len(entries)  # nothing else was answered
    assert all(e["status"] == 400 for e in throttled)
    assert len(answered) == 20 - refused  # each call ends answered or throttled on its last attempt
    assert len(throttled) >= refused and throttled
