"""Run wrk against one URL and turn its text report into numbers (milliseconds, seconds)."""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

# wrk prints durations with these suffixes (format_time_us in wrk's units.c).
_MILLISECONDS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>us|ms|s|m|h)$")

_LATENCY_STATS = re.compile(r"^\s*Latency\s+(?P<avg>\S+)\s+(?P<stdev>\S+)\s+(?P<max>\S+)", re.M)
_PERCENTILE = re.compile(r"^\s*(?P<pct>\d+(?:\.\d+)?)%\s+(?P<value>\S+)\s*$", re.M)
_TOTAL = re.compile(r"^\s*(?P<n>\d+) requests in (?P<duration>\S+?),", re.M)
_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (?P<connect>\d+), read (?P<read>\d+), "
    r"write (?P<write>\d+), timeout (?P<timeout>\d+)"
)
_NON_2XX_3XX = re.compile(r"Non-2xx or 3xx responses: (?P<count>\d+)")
_REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+(?P<value>\d+(?:\.\d+)?)", re.M)


class WrkError(RuntimeError):
    pass


@dataclass
class WrkResult:
    requests: int
    seconds: float
    per_second: float
    avg_ms: float
    max_ms: float
    percentiles_ms: dict[str, float]
    socket_errors: dict[str, int] = field(default_factory=dict)
    non_2xx_3xx: int = 0

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


def to_milliseconds(text: str) -> float:
    """``'598.00us'`` → 0.598, ``'1.20ms'`` → 1.2, ``'2.01s'`` → 2010.0."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise WrkError(f"unrecognised wrk duration: {text!r}")
    return float(match["value"]) * _MILLISECONDS_PER_UNIT[match["unit"]]


def parse(output: str) -> WrkResult:
    """Read the report printed by ``wrk --latency`` (wrk 4.x)."""
    total = _TOTAL.search(output)
    rate = _REQUESTS_PER_SECOND.search(output)
    stats = _LATENCY_STATS.search(output)
    if total is None or rate is None or stats is None:
        raise WrkError(f"cannot read wrk's report:\n{output}")
    _, _, distribution = output.partition("Latency Distribution")
    percentiles = {
        match["pct"]: to_milliseconds(match["value"])
        for match in _PERCENTILE.finditer(distribution)
    }
    if "50" not in percentiles or "99" not in percentiles:
        raise WrkError(f"no latency distribution in wrk's report (--latency missing?):\n{output}")
    socket_errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    if (match := _SOCKET_ERRORS.search(output)) is not None:
        socket_errors = {name: int(value) for name, value in match.groupdict().items()}
    non_2xx = _NON_2XX_3XX.search(output)
    return WrkResult(
        requests=int(total["n"]),
        seconds=to_milliseconds(total["duration"]) / 1000.0,
        per_second=float(rate["value"]),
        avg_ms=to_milliseconds(stats["avg"]),
        max_ms=to_milliseconds(stats["max"]),
        percentiles_ms=percentiles,
        socket_errors=socket_errors,
        non_2xx_3xx=int(non_2xx["count"]) if non_2xx else 0,
    )


def find_or_install() -> str:
    """Path of the wrk binary; installs Debian's package when running as root."""
    found = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise WrkError(
            "wrk is not installed and this is not root: run `sudo apt-get install -y wrk` "
            "(Debian/Ubuntu package `wrk`) and try again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    # apt-get's progress goes to stderr: the benchmarks' stdout carries only their JSON lines.
    to_stderr = {"env": env, "stdout": sys.stderr, "check": False}
    if subprocess.run(install, **to_stderr).returncode != 0:
        # A fresh container often has no package lists yet.
        subprocess.run(["apt-get", "update"], **to_stderr)
        subprocess.run(install, **to_stderr)
    found = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if not found:
        raise WrkError("`apt-get install -y wrk` did not provide a wrk binary.")
    return found


def run(
    binary: str,
    url: str,
    *,
    host: str,
    threads: int,
    connections: int,
    seconds: int,
    headers: dict[str, str] | None = None,
) -> tuple[WrkResult, str]:
    """Drive ``url`` with the given ``Host`` header (and ``headers``, a signed-in member's
    cookie for instance); returns the parsed and the raw report."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    command = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Host: {host}",
        *extra,
        url,
    ]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise WrkError(f"wrk did not finish: {' '.join(command)}") from error
    if completed.returncode != 0:
        raise WrkError(
            f"wrk failed ({completed.returncode}): {' '.join(command)}\n"
            f"{completed.stdout}{completed.stderr}"
        )
    return parse(completed.stdout), completed.stdout
