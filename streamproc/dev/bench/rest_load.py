"""Closed-loop HTTP load generator, run as its own process: C connections, each one request at a time.

``python -m streamproc.dev.bench.rest_load URL BODY CONCURRENCY SECONDS WARMUP``. Uses ``wrk`` (Debian's
package) when it is installed, else a pool of aiohttp connections. Prints requests per second, latency
percentiles and the count of failed or non-2xx answers as one ``BENCH_JSON`` line.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from streamproc.dev.bench.procs import RESULT_PREFIX, emit
from streamproc.dev.bench.stats import latency_summary

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("%s{\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, "
    .. "\\"p50_us\\": %%d, \\"p95_us\\": %%d, \\"p99_us\\": %%d, \\"max_us\\": %%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(url: str, body: str, concurrency: int, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (_lua_string(body), RESULT_PREFIX))
    try:
        command = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(line for line in out.splitlines() if line.startswith(RESULT_PREFIX))
    raw = json.loads(line[len(RESULT_PREFIX) :])
    duration = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / duration, 1),
        "requests": raw["requests"],
        "errors": raw["errors"],
        "seconds": round(duration, 3),
        **{f"p{q}_ms": raw[f"p{q}_us"] / 1000 for q in (50, 95, 99)},
        "max_ms": raw["max_us"] / 1000,
        "engine": "wrk",
    }


async def _python_load(url: str, body: str, concurrency: int, seconds: float) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    payload = body.encode()
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as session:
        started = time.perf_counter()
        deadline = started + seconds

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    async with session.post(url, data=payload, headers=headers) as response:
                        await response.read()
                        ok = response.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 3),
        **latency_summary(latencies),
        "engine": "aiohttp",
    }


def run_load(url: str, body: str, concurrency: int, seconds: float, engine: str) -> dict[str, Any]:
    if engine == "wrk":
        return run_wrk(url, body, concurrency, seconds)
    return asyncio.run(_python_load(url, body, concurrency, seconds))


def main() -> None:
    url, body, concurrency, seconds, warmup = sys.argv[1:6]
    engine = sys.argv[6] if len(sys.argv) > 6 else ("wrk" if shutil.which("wrk") else "aiohttp")
    if float(warmup) > 0:
        run_load(url, body, int(concurrency), float(warmup), engine)
    emit(run_load(url, body, int(concurrency), float(seconds), engine) | {"concurrency": int(concurrency)})


if __name__ == "__main__":
    main()
