#!/usr/bin/env python3
"""Run moto in server mode, with streamscale's CloudFormation extensions.

    python tests/moto/streamscale_moto.py [--host 127.0.0.1] [--port 0] [--port-file FILE]
        [--throttle FRACTION [--throttle-seed N]] [--cfn-async POLLS] [--drift-not-implemented]
        [--record FILE]
        [--ami SPEC]... [--amis-from-plans FILE]...
        [--certificate ARN]... [--certificates-from-plans FILE]...

--port 0 lets the OS pick a free port.  Once the server accepts connections the
actual port is written to --port-file atomically (temporary file + rename), so a
reader that sees the file can connect.  Runs until SIGTERM/SIGINT, then shuts
down cleanly (exit status 0).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 = any free port (default 0)")
    parser.add_argument("--port-file", type=Path, help="write the actual port here once the server is up")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="sleep this long before answering each request (benchmarks: models the round trip "
        "of a real AWS API, so that a client's concurrency shows in wall time; default 0)",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="append one JSON line per AWS call (region, service, operation, start and end in monotonic ms) "
        "to FILE (STREAMSCALE_MOTO_RECORD; see ext_record; default off)",
    )
    parser.add_argument(
        "--throttle",
        type=float,
        metavar="FRACTION",
        help="answer this fraction (0..1) of AWS calls with the service's throttling error "
        "(STREAMSCALE_MOTO_THROTTLE; default off)",
    )
    parser.add_argument(
        "--throttle-seed",
        type=int,
        metavar="N",
        help="seed of the throttling draw (STREAMSCALE_MOTO_THROTTLE_SEED; default 0)",
    )
    parser.add_argument(
        "--cfn-async",
        type=int,
        metavar="POLLS",
        help="CloudFormation stack operations stay *_IN_PROGRESS for this many DescribeStacks polls, "
        "with per-resource events (STREAMSCALE_MOTO_CFN_ASYNC; default off)",
    )
    parser.add_argument(
        "--drift-not-implemented",
        action="store_true",
        help="answer DetectStackDrift and its companions with HTTP 501 NotImplemented, as an endpoint "
        "without the API does (STREAMSCALE_MOTO_DRIFT=not-implemented)",
    )
    parser.add_argument(
        "--ami",
        action="append",
        default=[],
        metavar="SPEC",
        help="register test AMIs: 'ami-…', 'REGION=ami-…', either with ':deprecated'; comma-separated, "
        "repeatable (STREAMSCALE_MOTO_AMIS)",
    )
    parser.add_argument(
        "--amis-from-plans",
        action="append",
        default=[],
        metavar="FILE",
        help="register every AMI id of these capacity plans (environments/*.toml) in its region "
        "([defaults] ami: every region); repeatable",
    )
    parser.add_argument(
        "--certificate",
        action="append",
        default=[],
        metavar="ARN",
        help="import a test ACM certificate (ISSUED) at this ARN, in its region and account; repeatable "
        "(STREAMSCALE_MOTO_CERTIFICATES, see ext_certificates)",
    )
    parser.add_argument(
        "--certificates-from-plans",
        action="append",
        default=[],
        metavar="FILE",
        help="import every certificate_arn of these capacity plans as a test certificate; repeatable",
    )
    args = parser.parse_args(argv)

    # The switches are environment variables read by the extensions at install().
    if args.throttle is not None:
        os.environ["STREAMSCALE_MOTO_THROTTLE"] = str(args.throttle)
    if args.throttle_seed is not None:
        os.environ["STREAMSCALE_MOTO_THROTTLE_SEED"] = str(args.throttle_seed)
    if args.cfn_async is not None:
        os.environ["STREAMSCALE_MOTO_CFN_ASYNC"] = str(args.cfn_async)
    if args.drift_not_implemented:
        os.environ["STREAMSCALE_MOTO_DRIFT"] = "not-implemented"
    if args.ami or args.amis_from_plans:
        import ext_strict

        specs = [os.environ.get("STREAMSCALE_MOTO_AMIS", "")] + list(args.ami)
        for region, ami, deprecated in ext_strict.amis_from_plans([str(p) for p in args.amis_from_plans]):
            specs.append(("" if region == "*" else f"{region}=") + ami + (":deprecated" if deprecated else ""))
        os.environ["STREAMSCALE_MOTO_AMIS"] = " ".join(s for s in specs if s)

    if args.certificate or args.certificates_from_plans:
        import ext_certificates

        arns = [os.environ.get("STREAMSCALE_MOTO_CERTIFICATES", "")] + list(args.certificate)
        arns += ext_certificates.certificates_from_plans([str(p) for p in args.certificates_from_plans])
        os.environ["STREAMSCALE_MOTO_CERTIFICATES"] = " ".join(a for a in arns if a)

    stop = threading.Event()
    # Exit with the process that started us (a test binary that never calls
    # stop, a killed script): reparenting changes our parent pid.
    parent = os.getppid()

    def _on_signal(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    # Imported after the signal handlers: importing moto takes a few seconds.
    import moto_ext
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    moto_ext.install()
    import ext_amp, ext_docdb, ext_eks, ext_opensearch, ext_security  # the new tiers' types (docs/moto.md, "New tiers")

    ext_docdb.install()
    ext_opensearch.install()
    ext_eks.install()
    ext_amp.install()
    ext_security.install()
    import ext_certificates  # test certificates at the plans' ARNs (STREAMSCALE_MOTO_CERTIFICATES)

    ext_certificates.install()
    import ext_origin  # the locked-down origin: bucket versioning/ownership, drift of the new types

    ext_origin.install()
    import ext_drift_tiers  # drift detection of the new tiers' types

    ext_drift_tiers.install()
    import ext_protection  # a load balancer with deletion protection is not deleted

    ext_protection.install()
    import ext_iam  # IAM enforcement with the users of STREAMSCALE_MOTO_IAM (docs/moto.md)

    ext_iam.install()

    if not args.verbose:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    import ext_switches

    # latency and throttling (calls the harness makes to itself are exempt)
    app = ext_switches.wrap_app(DomainDispatcherApplication(create_backend_app), args.latency_ms)
    app = ext_iam.wrap_app(app)  # a signed request no IAM check saw fails loudly
    app = __import__("ext_record").wrap_app(app, args.record)  # the request record, latency included

    # make_server binds and listens before returning: a bind error is raised here.
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="moto-server", daemon=True)
    thread.start()

    connect_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    if not _accepts_connections(connect_host, port):
        print(f"streamscale_moto: server on {connect_host}:{port} does not accept connections", file=sys.stderr)
        server.shutdown()
        return 1
    if args.port_file:
        _write_atomically(args.port_file, f"{port}\n")
    print(f"streamscale_moto: listening on http://{connect_host}:{port}", file=sys.stderr, flush=True)

    while not stop.wait(0.5):
        if os.getppid() != parent:
            print("streamscale_moto: the process that started moto exited; stopping", file=sys.stderr)
            break
        if not thread.is_alive():
            print("streamscale_moto: server thread died", file=sys.stderr)
            return 1

    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    if args.port_file:
        try:
            args.port_file.unlink()
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
