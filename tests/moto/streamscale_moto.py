#!/usr/bin/env python3
"""Run moto in server mode, with streamscale's CloudFormation extensions.

    python tests/moto/streamscale_moto.py [--host 127.0.0.1] [--port 0] [--port-file FILE]

--port 0 lets the OS pick a free port.  Once the server accepts connections the
actual port is written to --port-file atomically (temporary file + rename), so a
reader that sees the file can connect.  Runs until SIGTERM/SIGINT, then shuts
down cleanly (exit status 0).
"""

from __future__ import annotations

import argparse
import os
import signal
import time
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
    args = parser.parse_args(argv)

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
    import ext_docdb, ext_opensearch  # the new tiers' types (docs/moto.md, "New tiers")

    ext_docdb.install()
    ext_opensearch.install()

    if not args.verbose:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = DomainDispatcherApplication(create_backend_app)
    if args.latency_ms > 0:
        inner, delay = app, args.latency_ms / 1000.0

        def app(environ, start_response):  # noqa: F811 - the delayed app
            time.sleep(delay)
            return inner(environ, start_response)

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
