"""The inside of scripts/bench-live: runs streamscale's live commands against
the moto server that scripts/with-moto started (with the request record on:
STREAMSCALE_MOTO_RECORD, tests/moto/ext_record.py) and reports, per command
and region count, the wall time and what the record shows of the client:

  requests per region        mean, min and max over the plan's regions
  chain                      per region, the longest chain of its requests that
                             ran one after the other (each starting after the
                             previous one ended): the critical path by count,
                             what a region costs when a call costs a round trip
  regions in flight          the most regions with a request open at once, and
                             the share of the command's wall time during which
                             all of the plan's regions had one open

    python scripts/bench_live.py --bin BIN --bench-plan BENCH_PLAN --record FILE \
        --runs N --out TABLE.md --json FILE.json [--latency-ms MS] [--moto-pid PID]

The table goes to --out (markdown), everything measured to --json (each run's
figures, and the operations per region of every command).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

COMMANDS = [
    ("apply", "apply from nothing"),
    ("plan", "plan, no change"),
    ("drift", "drift, none"),
    ("plan-change", "plan with a change"),
    ("apply-change", "apply the change (update)"),
    ("destroy", "destroy"),
]
SIZES = (1, 6, 16)


def certificate(region: str) -> str:
    """The test ACM certificate of a region (scripts/bench-live has moto import it)."""
    return f"arn:aws:acm:{region}:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"


def plan_text(catalog: list[str], n: int, users_per_instance: int = 1000) -> str:
    """The same stack in each of n regions (shares summing to 1)."""
    out = [f'name = "bench"\nenvironment = "r{n}"\n']
    out.append(
        '[defaults]\ninstance_type = "c7i.large"\n'
        f"users_per_instance = {users_per_instance}\ntarget_utilization = 0.5\navailability_zones = 2\n"
        'ami = "ami-0123456789abcdef0"\n'
    )
    out.append(
        f"[traffic]\npeak_concurrent_users = {n * 10000}\nbaseline_concurrent_users = {n * 2000}\n"
        "headroom = 0.2\nsurvive_region_loss = false\n"
    )
    rest = 1.0
    for i in range(n):
        share = rest if i + 1 == n else round(1 / n, 6)
        rest = round(rest - share, 6)
        out.append(f'[regions.{catalog[i]}]\nshare = {share:.6f}\ncertificate_arn = "{certificate(catalog[i])}"\n')
    out.append('[cache]\nnode_type = "cache.r7g.large"\nshards = 1\nreplicas_per_shard = 1\n')
    out.append("[aws]\ndeletion_protection = false\n")  # destroy deletes the stacks in one step
    out.append(
        '[[events]]\nname = "final"\nstarts_at = "2027-06-01T19:00:00Z"\nduration_minutes = 120\n'
        f"prewarm_minutes = 30\nexpected_concurrent_users = {n * 8000}\n"
    )
    return "\n".join(out)


# --------------------------------------------------------------------------
# figures of one command's record
# --------------------------------------------------------------------------


def longest_chain(intervals: list[tuple[float, float]]) -> int:
    """The most intervals that can be strung one after another (each starting
    at or after the previous one's end)."""
    ordered = sorted(intervals, key=lambda iv: iv[1])
    best: list[int] = []
    for i, (start, _end) in enumerate(ordered):
        best.append(1 + max((best[j] for j in range(i) if ordered[j][1] <= start), default=0))
    return max(best, default=0)


def busy_spans(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The union of intervals, as disjoint spans."""
    spans: list[list[float]] = []
    for start, end in sorted(intervals):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(s, e) for s, e in spans]


def in_flight(per_region: dict[str, list[tuple[float, float]]], regions: list[str]) -> tuple[int, float]:
    """(most regions with a request open at once, ms during which all were)."""
    events: list[tuple[float, int]] = []
    for region in regions:
        for start, end in busy_spans(per_region.get(region, [])):
            events.append((start, 1))
            events.append((end, -1))
    events.sort(key=lambda ev: (ev[0], ev[1]))  # a span ending as another starts: not both open
    open_now, most, all_ms, since = 0, 0, 0.0, None
    for t, step in events:
        if open_now == len(regions) and since is not None:
            all_ms += t - since
            since = None
        open_now += step
        most = max(most, open_now)
        if open_now == len(regions):
            since = t
    return most, all_ms


# AWS's throttling codes (tests/moto/ext_switches.py answers with them; ext_record records them)
THROTTLE_CODES = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown"})


def figures(entries: list[dict[str, Any]], regions: list[str], wall_ms: float) -> dict[str, Any]:
    per_region: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
    operations: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for e in entries:
        per_region[e["region"]].append((e["start"], e["end"]))
        operations[e["region"]][f'{e["service"]}:{e["operation"]}'] += 1
    counts = [len(per_region.get(r, [])) for r in regions]
    chains = [longest_chain(per_region.get(r, [])) for r in regions]
    most, all_ms = in_flight(per_region, regions)
    others = {r: dict(c) for r, c in operations.items() if r not in regions}
    return {
        "wall_ms": round(wall_ms, 1),
        "requests": counts,
        "chains": chains,
        "regions_in_flight_max": most,
        "all_in_flight_ms": round(all_ms, 1),
        "all_in_flight_share": all_ms / wall_ms if wall_ms else 0.0,
        "operations": {r: dict(sorted(operations[r].items())) for r in regions},
        "other_regions": others,
        # every call of the command (global services too), the throttled ones
        # (the SDK retries each: the command still exited as expected) and
        # the other error answers (e.g. DescribeStacks of a stack not made yet)
        "calls": len(entries),
        "throttled": sum(1 for e in entries if e.get("error") in THROTTLE_CODES),
        "other_errors": sum(1 for e in entries if e.get("status", 0) >= 400 and e.get("error") not in THROTTLE_CODES),
    }


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------


class Record:
    def __init__(self, path: Path):
        self.path = path

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def since(self, offset: int) -> list[dict[str, Any]]:
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
        return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def moto_cpu_s(pid: int | None) -> float:
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--bench-plan", required=True)
    parser.add_argument("--record", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--json", required=True, type=Path)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--throttle", type=float, default=0.0)
    parser.add_argument("--throttle-seed", type=int, default=0)
    parser.add_argument("--moto-pid", type=int)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    record = Record(args.record)
    catalog = [
        line[len("[regions.") : -1]
        for line in subprocess.run([args.bench_plan, str(max(sizes))], check=True, capture_output=True, text=True).stdout.splitlines()
        if line.startswith("[regions.") and line.endswith("]")
    ]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {c: {str(n): [] for n in sizes} for c, _ in COMMANDS}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "environments").mkdir()

        warm = [False]

        def run(key: str, n: int, argv: list[str], ok: tuple[int, ...]) -> None:
            offset, cpu0 = record.size(), moto_cpu_s(args.moto_pid)
            t0 = time.monotonic()
            proc = subprocess.run([args.bin, "-C", str(project), *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = (time.monotonic() - t0) * 1000
            cpu = moto_cpu_s(args.moto_pid) - cpu0
            if proc.returncode not in ok:
                sys.exit(f"bench-live: {' '.join(argv)} exited {proc.returncode}, expected {ok}:\n{proc.stderr}")
            entries = record.since(offset)
            result = figures(entries, catalog[:n], wall)
            result["moto_cpu_s"] = round(cpu, 3)
            result["exit"] = proc.returncode
            if not warm[0]:
                results[key][str(n)].append(result)

        # one run first, not counted: moto loads each service's backend on its first call
        for n, r in [(sizes[0], -1)] + [(n, r) for n in sizes for r in range(args.runs)]:
            warm[0] = r < 0
            env = f"r{n}"
            path = project / "environments" / f"{env}.toml"
            if r <= 0:
                path.write_text(plan_text(catalog, n))
                subprocess.run([args.bin, "-C", str(project), "validate", "-e", env], check=True, stdout=subprocess.DEVNULL)
            reset(endpoint)
            path.write_text(plan_text(catalog, n))
            run("apply", n, ["apply", "-e", env, "--yes"], (0,))
            run("plan", n, ["plan", "-e", env, "--detailed-exitcode"], (0,))  # converged: nothing to change
            run("drift", n, ["drift", "-e", env, "--detailed-exitcode"], (0,))  # and no drift
            path.write_text(plan_text(catalog, n, users_per_instance=800))  # more instances in every region
            run("plan-change", n, ["plan", "-e", env, "--detailed-exitcode"], (2,))
            run("apply-change", n, ["apply", "-e", env, "--yes"], (0,))
            run("destroy", n, ["destroy", "-e", env, "--yes"], (0,))
            print(f"bench-live: {n} regions, {'warm-up run' if r < 0 else f'run {r + 1}/{args.runs}'} done",
                  file=sys.stderr, flush=True)

    import moto  # noqa: PLC0415 - the version, for the record

    summary = summarize(results, sizes)
    meta = {
        "date": dt.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "moto": moto.__version__,
        "runs": args.runs,
        "latency_ms": args.latency_ms,
        "throttle": args.throttle,
        "throttle_seed": args.throttle_seed,
        "regions": {str(n): catalog[:n] for n in sizes},
        "commands": dict(COMMANDS),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    runs = {k: {n: [{f: v for f, v in run.items() if f != "operations"} for run in rs] for n, rs in by_n.items()}
            for k, by_n in results.items()}  # operations: per command in the summary
    text = json.dumps({"meta": meta, "summary": summary, "runs": runs}, indent=1)
    text = re.sub(r"\[\s+([-\d.,\s]+?)\s+\]", lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1).strip())) + "]", text)
    args.json.write_text(text + "\n")
    args.out.write_text(table(meta, summary, sizes))
    return 0


def summarize(results: dict[str, dict[str, list[dict[str, Any]]]], sizes: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, _label in COMMANDS:
        out[key] = {}
        for n in sizes:
            runs = results[key][str(n)]
            if not runs:
                continue
            requests = [c for run in runs for c in run["requests"]]
            chains = [c for run in runs for c in run["chains"]]
            walls = [run["wall_ms"] / 1000 for run in runs]
            ops: collections.Counter[str] = collections.Counter()
            for run in runs:
                for counter in run["operations"].values():
                    ops.update(counter)
            per_region_ops = {op: round(c / (len(runs) * n), 2) for op, c in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))}
            out[key][str(n)] = {
                "wall_s_mean": statistics.fmean(walls),
                "wall_s_min": min(walls),
                "requests_per_region_mean": statistics.fmean(requests),
                "requests_per_region_min": min(requests),
                "requests_per_region_max": max(requests),
                "chain_mean": statistics.fmean(chains),
                "chain_max": max(chains),
                "regions_in_flight_max": min(run["regions_in_flight_max"] for run in runs),
                "all_in_flight_share_mean": statistics.fmean(run["all_in_flight_share"] for run in runs),
                "moto_cpu_s_mean": statistics.fmean(run["moto_cpu_s"] for run in runs),
                "calls_mean": statistics.fmean(run["calls"] for run in runs),
                "throttled_mean": statistics.fmean(run["throttled"] for run in runs),
                "throttled_max": max(run["throttled"] for run in runs),
                "other_errors_mean": statistics.fmean(run["other_errors"] for run in runs),
                "other_region_requests_mean": statistics.fmean(
                    sum(sum(c.values()) for c in run["other_regions"].values()) for run in runs),
                "operations_per_region": per_region_ops,
            }
    return out


def table(meta: dict[str, Any], summary: dict[str, Any], sizes: list[int]) -> str:
    lines = []
    latency = f", every request answered {meta['latency_ms']:g} ms late" if meta["latency_ms"] else ""
    throttle = meta.get("throttle") or 0
    if throttle:
        latency += (f", {100 * throttle:g}% of calls answered with AWS's throttling error "
                    f"(STREAMSCALE_MOTO_THROTTLE={throttle:g}, seed {meta.get('throttle_seed', 0)})")
    options = (f" --latency-ms {meta['latency_ms']:g}" if meta["latency_ms"] else "") + (
        f" --throttle {throttle:g}" if throttle else "")
    lines.append(
        f"Measured by `scripts/bench-live {meta['runs']}{options}` on {meta['date']}, {meta['cpus']} CPUs, moto {meta['moto']} "
        f"in server mode (one process, request record on){latency}, release build, {meta['runs']} runs."
    )
    lines.append(
        "Requests per region: mean, min and max over the plan's regions and the runs. Chain: per region, the longest"
    )
    lines.append(
        "chain of requests each starting after the previous ended (mean and max over regions and runs). In flight: the"
    )
    lines.append(
        "most regions with a request open at once (the lowest over the runs), and the share of the command's wall time"
    )
    lines.append("during which all regions had one (mean over the runs). Wall time in seconds, mean and min; moto CPU in seconds.")
    if throttle:
        lines.append(
            "Calls: every request of the command (retries included), mean over the runs; throttled: those answered with the"
        )
        lines.append(
            "throttling error, mean and max over the runs; every one was retried (each command exited as expected).")
    lines.append("")
    extra_head, extra_rule = (" calls | throttled mean | throttled max |", "---:|---:|---:|") if throttle else ("", "")
    lines.append("| command | regions | wall mean | wall min | req/region mean | min | max | chain mean | chain max | in flight max | all in flight | moto CPU |" + extra_head)
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + extra_rule)
    for key, label in COMMANDS:
        for n in sizes:
            s = summary[key].get(str(n))
            if not s:
                continue
            lines.append(
                f"| {label} | {n} | {s['wall_s_mean']:.2f} | {s['wall_s_min']:.2f} | {s['requests_per_region_mean']:.1f} | "
                f"{s['requests_per_region_min']} | {s['requests_per_region_max']} | {s['chain_mean']:.1f} | {s['chain_max']} | "
                f"{s['regions_in_flight_max']}/{n} | {100 * s['all_in_flight_share_mean']:.0f}% | {s['moto_cpu_s_mean']:.2f} |"
                + (f" {s['calls_mean']:.0f} | {s['throttled_mean']:.1f} | {s['throttled_max']} |" if throttle else "")
            )
    others = {k: v for k in summary for n, v in summary[k].items() if v["other_region_requests_mean"]}
    if others:
        lines.append("")
        lines.append("Requests outside the plan's regions (global services) are counted in the JSON, not in the table.")
    lines.append("")
    lines.append("Operations per region (one region, mean over the runs):")
    lines.append("")
    lines.append("| command | operations |")
    lines.append("|---|---|")
    first = str(sizes[0])
    for key, label in COMMANDS:
        s = summary[key].get(first)
        if s:
            ops = ", ".join(f"{op.split(':', 1)[1]} {c:g}" for op, c in s["operations_per_region"].items())
            lines.append(f"| {label} | {ops} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
