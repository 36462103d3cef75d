"""7. Memory of one API worker: a fresh process completes many tasks and reports its RSS.

The child process (this file with --child) builds the app on a SQLite file, logs in as admin and
walks the two shipped procedures in turn through the Flask test client, instance after instance,
as bench/step_vs_raw.py does. It samples the resident set size (after gc.collect()) at 10 %, 50 %
and 100 % of the steps and reports its peak RSS (VmHWM; ru_maxrss is printed too, but after fork +
exec Linux keeps the parent's peak in it). Growth between 10 % and 100 % divided by the
instances started in between is the per-instance leak, if any.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import subprocess
import sys
import time

import harness

TARGET_MB = 300.0
MARKS = (0.1, 0.5, 1.0)


def child(steps: int, url: str) -> dict[str, object]:
    sys.path.insert(0, str(harness.ROOT))
    import step_vs_raw

    started_rss = harness.rss_mb()
    app = harness.build_app(url)
    client = app.test_client()
    headers = harness.login(client)
    walkers = [
        (len(case.path), step_vs_raw.api_steps(client, headers, case)) for case in step_vs_raw.CASES
    ]
    samples = []
    done = 0
    marks = [max(1, int(steps * share)) for share in MARKS]
    every = max(1, steps // 200)
    highest = (harness.rss_mb(), 0)
    peak_before_walk = harness.peak_rss_mb()
    peaks = [(0, round(peak_before_walk, 1))]
    started = time.perf_counter()
    for path_length, walker in itertools.cycle(walkers):
        for _ in itertools.islice(walker, min(path_length, steps - done)):
            done += 1
            if done % every == 0:
                highest = max(highest, (harness.rss_mb(), done))
            peak = harness.peak_rss_mb()
            if peak > peaks[-1][1] + 1:
                peaks.append((done, round(peak, 1)))
            if done in marks:
                gc.collect()
                samples.append({"steps": done, "rss_mb": round(harness.rss_mb(), 1)})
        if done >= steps:
            break
    return {
        "steps": done,
        "seconds": time.perf_counter() - started,
        "rss_at_start_mb": round(started_rss, 1),
        "peak_before_walk_mb": round(peak_before_walk, 1),
        "highest_sampled_mb": round(highest[0], 1),
        "highest_sampled_at": highest[1],
        "samples": samples,
        "peak_rises": peaks,
        "peak_mb": round(harness.peak_rss_mb(), 1),
        "ru_maxrss_mb": round(harness.ru_maxrss_mb(), 1),
    }


def run(options: harness.Options) -> list[harness.Result]:
    steps = options.pick(10_000, 100_000)
    harness.section(f"7. memory: one process, {steps:,} API task completions (sqlite)")
    command = [harness.python(), __file__, "--child", "--steps", str(steps)]
    command += ["--database-url", options.sqlite_url("memory")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"memory: the child failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    samples = report["samples"]
    for sample in samples:
        harness.say(f"after {sample['steps']:>7,} steps: RSS {sample['rss_mb']:.1f} MB")
    harness.say(
        f"peak RSS of the process (VmHWM): {report['peak_mb']:.1f} MB, of which before the first "
        f"step (migrations, demo data, argon2 hashing): {report['peak_before_walk_mb']:.1f} MB; "
        f"rises of the peak during the walk (step, MB): {report['peak_rises'][1:] or 'none'}"
    )
    harness.say(
        f"ru_maxrss: {report['ru_maxrss_mb']:.1f} MB (on Linux it keeps the peak of the parent "
        "it was forked from, here the bench run itself; VmHWM is the child's own)"
    )
    harness.say(
        f"imports done at {report['rss_at_start_mb']:.1f} MB; "
        f"{report['steps'] / report['seconds']:.0f} steps/s"
    )
    first, last = samples[0], samples[-1]
    instances = (last["steps"] - first["steps"]) / 4.5  # the two paths have 4 and 5 steps
    growth_kb = (last["rss_mb"] - first["rss_mb"]) * 1024
    harness.say(
        f"growth from {first['steps']:,} to {last['steps']:,} steps: {growth_kb / 1024:.1f} MB "
        f"= {growth_kb / instances:.2f} KB per dossier walked ({instances:,.0f} dossiers)"
    )
    return [
        harness.Result(
            f"7 memory: peak RSS after {steps // 1000}k steps",
            f"{report['peak_mb']:.0f} MB ({growth_kb / instances:.2f} KB/dossier after 10 %)",
            f"< {TARGET_MB:.0f} MB",
            report["peak_mb"] < TARGET_MB,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    print(json.dumps(child(args.steps, args.database_url)))


if __name__ == "__main__":
    main()
