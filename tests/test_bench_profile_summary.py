"""`make bench` profiles the slowest member page: its summary says which packages the time
goes to (the template engine, the standard library, our own apps) and which functions cost
the most, per request."""

import cProfile
import importlib.util
import json
from pathlib import Path

from django.template import Context, Template

from demo.platform_scale import commune_sizes

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
REQUESTS = 20


def bench_run(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # run.py imports its neighbour wrk.py
    spec = importlib.util.spec_from_file_location("bench_run", BENCHMARKS / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_profile_summary_shares_the_time_by_package_and_names_the_costliest_functions(
    monkeypatch, tmp_path
):
    bench = bench_run(monkeypatch)
    template = Template("{% for n in numbers %}<li>{{ n|floatformat:2 }}</li>{% endfor %}")

    def request():
        template.render(Context({"numbers": range(300)}))
        json.dumps(commune_sizes(communes=3000, members=1_000_000))

    profiler = cProfile.Profile()
    for _ in range(REQUESTS):
        profiler.runcall(request)
    stats = tmp_path / "profile.pstats"
    profiler.dump_stats(stats)

    total, top, by_package = bench.profile_summary(stats, REQUESTS)

    assert total > 0
    assert {"django.template", "project.demo", "python"} <= by_package.keys()
    assert by_package["django.template"] > by_package["project.demo"]
    assert abs(sum(by_package.values()) - 100) < 1
    assert len(top) == bench.PROFILE_TOP
    assert top[0]["tottime_ms_per_request"] >= top[-1]["tottime_ms_per_request"]
    assert any(row["function"].startswith("django/template/") for row in top)
    assert any(row["function"].startswith("demo/platform_scale.py:") for row in top)
