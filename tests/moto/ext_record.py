"""Request record of the streamscale moto harness: one JSON line per AWS call
that the server answers, for benchmarks that measure a client's concurrency
(scripts/bench-live) rather than the emulator's speed.

Off by default; on with the launcher's ``--record FILE`` or the environment
variable STREAMSCALE_MOTO_RECORD=FILE, read at start.  Every line is

    {"region": "eu-west-1", "service": "cloudformation", "operation": "DescribeStacks",
     "start": 81234567.125, "end": 81234668.5, "status": 200}

and an error answer (status 400 or more) also has ``"error": CODE``, AWS's error
code read from the body (``<Code>`` of the query and REST XML protocols,
``__type`` of the JSON ones, "" when neither is there): a benchmark counts the
throttled calls (``Throttling``, ``ThrottlingException``,
``RequestLimitExceeded``, ``SlowDown``) apart from the other errors.

region and service come from the request's SigV4 credential scope (IAM and
other global services sign for us-east-1); operation is the AWS action: the
query protocol's ``Action`` (form body or query string), the JSON protocols'
``X-Amz-Target``, the Smithy RPC v2 CBOR path ``.../operation/NAME``, or for
REST services the operation that the service's botocore model routes the
method and path to (else "METHOD /path").  start and end are
``time.monotonic()`` in milliseconds (CLOCK_MONOTONIC: the same clock as a
client's ``time.monotonic()`` on the same machine), from the moment the
server hands the request to the app (before the --latency-ms delay, which
this wrapper encloses) to the moment the answer is ready to send; the line is
written, and flushed, before the answer is sent, so a client that has its
answer finds its line in the file.  The file is opened for appending: a
reader may note its size before a command and read what follows after.

Not recorded: the moto API (/moto-api/..., e.g. reset) and the calls that the
harness makes to itself (header x-streamscale-internal), as in ext_switches.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

RECORD_ENV = "STREAMSCALE_MOTO_RECORD"
INTERNAL_HEADER = "HTTP_X_STREAMSCALE_INTERNAL"

# SigV4 signing names whose botocore model is named otherwise
_MODEL_NAMES = {"es": "opensearch", "aps": "amp", "monitoring": "cloudwatch", "email": "ses", "execute-api": "apigateway"}

_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/")


def _scope(environ: dict[str, Any]) -> tuple[str, str]:
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", "") or "")
    if match:
        return match.group(1), match.group(2)
    query = parse_qs(environ.get("QUERY_STRING", "") or "")
    credential = (query.get("X-Amz-Credential") or [""])[0].split("/")  # presigned URL
    if len(credential) >= 4:
        return credential[2], credential[3]
    return "", ""


def _body(environ: dict[str, Any]) -> bytes:
    """The request body, put back for the app to read."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _rest_operation(environ: dict[str, Any], service: str) -> str:
    try:
        from moto.core.request import Request
        from moto.core.routing import get_service_router

        copy = dict(environ, **{"wsgi.input": io.BytesIO(_body(environ))})  # the app reads its own copy
        router = get_service_router(_MODEL_NAMES.get(service, service))
        operation, _params = router.match(Request(copy))
        return operation.name
    except Exception:  # noqa: BLE001 - unknown service, no route: fall back to method and path
        return f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"


_XML_CODE = re.compile(rb"<Code>([^<]*)</Code>")
_JSON_TYPE = re.compile(rb'"__type"\s*:\s*"([^"]*)"')


def error_code(body: bytes) -> str:
    """AWS's error code in an error answer's body ("" when there is none)."""
    match = _XML_CODE.search(body) or _JSON_TYPE.search(body)
    if not match:
        return ""
    return match.group(1).decode("utf-8", "replace").rsplit("#", 1)[-1]


def operation_of(environ: dict[str, Any], service: str) -> str:
    """The AWS action of a request (reads and restores a form body)."""
    query = parse_qs(environ.get("QUERY_STRING", "") or "")
    if query.get("Action"):
        return query["Action"][0]
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.split(".")[-1]
    path = environ.get("PATH_INFO", "") or ""
    if "/operation/" in path and (environ.get("HTTP_SMITHY_PROTOCOL") or "cbor" in (environ.get("CONTENT_TYPE") or "")):
        return path.rsplit("/operation/", 1)[1].strip("/")
    if "x-www-form-urlencoded" in (environ.get("CONTENT_TYPE") or "").lower():
        form = parse_qs(_body(environ).decode("utf-8", "replace"))
        if form.get("Action"):
            return form["Action"][0]
    return _rest_operation(environ, service)


class Recorder:
    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.handle = open(path, "a", encoding="utf-8")

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self.lock:
            self.handle.write(line)
            self.handle.flush()


def _now_ms() -> float:
    return time.monotonic() * 1000.0


def wrap_app(app: Callable[..., Iterable[bytes]], path: str | None = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI app, recording every AWS call to ``path`` (default: $STREAMSCALE_MOTO_RECORD)."""
    path = path or os.environ.get(RECORD_ENV, "").strip()
    if not path:
        return app
    recorder = Recorder(path)

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get(INTERNAL_HEADER) or (environ.get("PATH_INFO") or "").startswith("/moto-api"):
            return app(environ, start_response)
        start = _now_ms()
        region, service = _scope(environ)
        try:
            operation = operation_of(environ, service)
        except Exception:  # noqa: BLE001 - the record never breaks a request
            operation = ""
        status: list[int] = [0]

        def recording_start_response(status_line: str, headers: Any, *rest: Any) -> Any:
            try:
                status[0] = int(status_line.split(" ", 1)[0])
            except ValueError:
                pass
            return start_response(status_line, headers, *rest)

        def done(body: list[bytes] | None = None) -> None:
            entry = {"region": region, "service": service, "operation": operation, "start": round(start, 3),
                     "end": round(_now_ms(), 3), "status": status[0]}
            if status[0] >= 400:
                entry["error"] = error_code(b"".join(body or []))
            recorder.write(entry)

        try:
            result = app(environ, recording_start_response)
            # moto answers from memory: collect the body, so that the line is
            # written before the first byte is sent
            try:
                body = list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except BaseException:
            status[0] = status[0] or 500
            done()
            raise
        done(body)
        return body

    return wrapped
