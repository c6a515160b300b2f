"""The long fuzz run: hostile inputs through Engine.analyze_batch, one at a time.

    python benchmarks/fuzz.py --inputs 100000 --seed 1 [--workers 2] [--mix 0.5] [--out /tmp/fuzz-crashes]
    python benchmarks/fuzz.py --replay /tmp/fuzz-crashes/crashes/KeyError-123.eml

Inputs come from two generators, mixed by ``--mix`` (the share of generated MIME):
tests/fuzz_strategies.py (random MIME trees, plus a few not-emails) and
tests/fuzz_mutate.py (byte-level mutation of the corpus). Input ``i`` is a pure
function of ``(seed, i)``, so any input can be made again: ``--replay-index I``.

Every input must give an ``Analysis`` (then one decision for a gmail.com recipient)
or an ``Exception`` value (a per-file error such as "not an email"), within the scan
budget (``detectors.scan_timeout_seconds``, 30 s). It prints counts only - never an
input. Under ``--out``:

* ``crashes/``: an exception *raised* out of analyze_batch: the input, a minimised
  input (``.min.eml``, same exception type and place) and the traceback (``.txt``);
* ``hangs/``: an input that ran past ``--hang-seconds`` (the worker is killed and
  replaced) or killed its worker (memory);
* ``slow/``: inputs over the budget that did finish;
* ``swallowed/``: a few samples per kind of exception that the engine's own safety
  net turned into CANNOT_INSPECT ("could not be taken apart (KeyError)", "detector
  'person' failed (TimeoutError)"): fail-closed, but each is a parser or detector bug;
* ``warnings/``: a sample input per kind of Python warning raised while scanning;
* ``summary.json``: the numbers printed at the end.

Each worker process (``--workers``, spawned) loads its own engine.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import logging
import multiprocessing
import os
import queue
import random
import re
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fuzz_mutate, fuzz_strategies  # noqa: E402

RECIPIENTS = ["someone@gmail.com"]
SENDER = "jo.bloggs@halton.gov.uk"
ACTIONS = {"deliver", "quarantine", "bounce", "reject", "encrypt"}
SAMPLES_PER_KIND = 3  # inputs saved per kind of swallowed exception / warning
_SWALLOWED = re.compile(r"(could not be taken apart|detector '([^']+)' failed) \((\w+)\)")


# -- inputs -------------------------------------------------------------------------


def make_input(seed: int, index: int, files: list[Path], mix: float) -> tuple[bytes, str]:
    """Input ``index`` of the run and how it was made (generator; corpus files and operators)."""
    r = random.Random(f"fuzz:{seed}:{index}")
    if r.random() < mix:
        return fuzz_strategies.generate_input(r), "mime"
    raw, how = fuzz_mutate.mutated_corpus_input(r, files)
    return raw, "mutation:" + how


# -- one input ------------------------------------------------------------------------


def _where(tb: traceback.StackSummary) -> tuple[str, str]:
    """The innermost frame, and the innermost frame in the project's own code."""
    def fmt(frame: traceback.FrameSummary) -> str:
        path = Path(frame.filename)
        try:
            path = path.relative_to(ROOT)
        except ValueError:
            pass
        return f"{path}:{frame.lineno} ({frame.name})"

    inner = fmt(tb[-1]) if tb else "?"
    ours = [f for f in tb if str(ROOT) in f.filename and "/venv/" not in f.filename and "benchmarks/" not in f.filename]
    return inner, (fmt(ours[-1]) if ours else inner)


def run_one(engine: Any, config: Any, raw: bytes) -> dict[str, Any]:
    from detectors.engine import Analysis
    from gateway.policy import decide

    out: dict[str, Any] = {"swallowed": [], "warnings": [], "echo": False}
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = engine.analyze_batch([raw], [SENDER, *RECIPIENTS])[0]
        except Exception as exc:  # the bug this run looks for
            out["seconds"] = time.perf_counter() - started
            tb = traceback.extract_tb(exc.__traceback__)
            out["kind"] = "crash"
            out["type"] = type(exc).__name__
            out["where"], out["where_ours"] = _where(tb)
            out["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            return out
    out["seconds"] = time.perf_counter() - started
    out["warnings"] = sorted({f"{w.category.__name__} at {_short(w.filename)}:{w.lineno}" for w in caught})
    if isinstance(result, Exception):
        out["kind"] = "error"
        out["type"] = type(result).__name__
        out["echo"] = _echoes(str(result), raw)
        return out
    if not isinstance(result, Analysis):
        out["kind"] = "crash"
        out["type"] = f"result is {type(result).__name__}"
        out["where"] = out["where_ours"] = "detectors/engine.py (analyze_batch)"
        out["traceback"] = ""
        return out
    out["kind"] = "analysis"
    out["risk"] = result.risk.value
    for problem in result.unreadable:
        m = _SWALLOWED.search(problem.reason)
        if m:
            out["swallowed"].append(f"extraction: {m.group(3)}" if m.group(2) is None else f"detector {m.group(2)}: {m.group(3)}")
        if fuzz_strategies.CANARY in problem.reason:
            out["echo"] = True
    try:
        decisions = decide(result.risk, result.facts, RECIPIENTS, config)
        if len(decisions) != len(RECIPIENTS) or any(d.action not in ACTIONS for d in decisions):
            raise ValueError("not one valid decision per recipient")
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        out["kind"] = "crash"
        out["type"] = f"decide: {type(exc).__name__}"
        out["where"], out["where_ours"] = _where(tb)
        out["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return out
    out["actions"] = [d.action for d in decisions]
    out["rules"] = [d.rule for d in decisions]
    return out


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _echoes(text: str, raw: bytes) -> bool:
    if fuzz_strategies.CANARY in text and fuzz_strategies.CANARY.encode() in raw:
        return True
    return any(len(s) >= 16 and s in text for s in (line.strip() for line in raw.decode("utf-8", "replace").splitlines()))


def extraction_failure(raw: bytes, limits: Any) -> tuple[str, str] | None:
    """Re-run the extractor alone to find where a swallowed extraction exception comes from."""
    from detectors.extract import extract_message
    from detectors.extract.message import NotAnEmail

    try:
        extract_message(raw, limits)
    except NotAnEmail:
        return None
    except Exception as exc:
        return type(exc).__name__, _where(traceback.extract_tb(exc.__traceback__))[1]
    return None


def detector_failure(engine: Any, raw: bytes, detector: str) -> tuple[str, str] | None:
    """Re-run one detector over the message's normalised pieces to find where it raises."""
    from detectors.extract import extract_message
    from detectors.normalise import normalise
    from detectors.recognizers.person import Piece

    try:
        pieces = [(p.where, normalise(p.text).text) for p in extract_message(raw, engine.settings.limits).pieces]
    except Exception:
        return None
    runners: list[Callable[[str, str], object]] = []
    if detector == "person" and engine.person is not None:
        runners = [lambda where, text: engine.person.candidates([Piece(where, text, ())])]
    elif detector == "date_of_birth" and engine.dob is not None:
        runners = [lambda where, text: engine.dob.analyze(text, where, [])]
    else:
        for recognizer in engine.recognizers:
            if recognizer.name == detector:
                def run_recognizer(where: str, text: str, analyze: Callable[[str, str], object] = recognizer.analyze) -> object:
                    return analyze(text, where)

                runners.append(run_recognizer)
    for where, text in pieces:
        for run in runners:
            try:
                run(where, text)
            except Exception as exc:
                inner, ours = _where(traceback.extract_tb(exc.__traceback__))
                return type(exc).__name__, ours + (f" (raised in {inner})" if inner != ours else "")
    return None


def minimise(data: bytes, fails: Callable[[bytes], bool], seconds: float) -> bytes:
    """Greedy delta debugging: drop lines, then ever smaller byte chunks, while ``fails`` holds."""
    deadline = time.monotonic() + seconds

    def reduce(units: list[bytes]) -> list[bytes]:
        size = max(len(units) // 2, 1)
        while size >= 1 and time.monotonic() < deadline:
            i, changed = 0, False
            while i < len(units) and time.monotonic() < deadline:
                candidate = units[:i] + units[i + size :]
                if candidate and fails(b"".join(candidate)):
                    units, changed = candidate, True
                else:
                    i += size
            if not changed:
                size //= 2
        return units

    data = b"".join(reduce(data.splitlines(keepends=True)))
    step = 64 if len(data) > 4096 else 1
    return b"".join(reduce([data[i : i + step] for i in range(0, len(data), step)]))


def _save(folder: Path, name: str, raw: bytes, note: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(raw)
    if note:
        path.with_suffix(".txt").write_text(note)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]


# -- worker processes -----------------------------------------------------------------------


def _load_engine() -> tuple[Any, Any]:
    from detectors.engine import Engine
    from gateway.config import detector_settings, load_config

    config = load_config(ROOT / "config" / "gateway.toml")
    return Engine(detector_settings(config)), config


def worker_main(wid: int, args: dict[str, Any], tasks: Any, results: Any) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    logging.disable(logging.WARNING)  # the engine logs every CANNOT_INSPECT; the summary counts them instead
    engine, config = _load_engine()
    limits = engine.settings.limits
    files = fuzz_mutate.corpus_files()
    fuzz_strategies.blobs()
    out = Path(args["out"])
    saved: collections.Counter[str] = collections.Counter()
    results.put(("ready", wid, None, None))
    while True:
        index = tasks.get()
        if index is None:
            return
        raw, how = make_input(args["seed"], index, files, args["mix"])
        res = run_one(engine, config, raw)
        res["how"] = how.split(":", 1)[0]
        res["size"] = len(raw)
        tag = f"seed{args['seed']}-{index}"
        if res["kind"] == "crash":
            kind, where = res["type"], res["where_ours"]

            def still(candidate: bytes, kind: str = kind, where: str = where) -> bool:
                again = run_one(engine, config, candidate)
                return again["kind"] == "crash" and again["type"] == kind and again.get("where_ours") == where

            note = f"seed {args['seed']} index {index} ({how})\n{res['seconds']:.2f} s\n\n{res['traceback']}"
            res["saved"] = str(_save(out / "crashes", f"{_slug(kind)}-{tag}", raw, note))
            if saved[f"min:{kind}:{where}"] < 1:  # minimise the first of each kind and place
                saved[f"min:{kind}:{where}"] += 1
                _save(out / "crashes", f"{_slug(kind)}-{tag}.min", minimise(raw, still, args["minimise_seconds"]))
        if res["seconds"] > args["budget"]:
            res["saved_slow"] = str(_save(out / "slow", f"{tag}-{res['seconds']:.0f}s", raw, f"seed {args['seed']} index {index} ({how})\n{res['seconds']:.2f} s\n"))
        for label in res["swallowed"]:
            located = None
            if label.startswith("extraction"):
                found = extraction_failure(raw, limits)
                if found:
                    located = f"{label} at {found[1]}"
            elif saved["where:" + label] < SAMPLES_PER_KIND:  # a detector: locate a few (a timeout costs its 2 s again)
                saved["where:" + label] += 1
                found = detector_failure(engine, raw, label.split()[1].rstrip(":"))
                if found:
                    res.setdefault("located", []).append(f"{label} raised at {found[1]}")
            key = located or label
            res.setdefault("swallowed_at", []).append(key)
            if saved[key] < SAMPLES_PER_KIND:
                saved[key] += 1
                path = _save(out / "swallowed", f"{_slug(key)}-{tag}", raw, f"{key}\nseed {args['seed']} index {index} ({how})\n")
                if located and saved[key] == 1:
                    def still_extraction(candidate: bytes, key: str = key, label: str = label) -> bool:
                        got = extraction_failure(candidate, limits)
                        return got is not None and f"{label} at {got[1]}" == key

                    path.with_suffix(".min.eml").write_bytes(minimise(raw, still_extraction, args["minimise_seconds"]))
        for label in res["warnings"]:
            if saved["w:" + label] < SAMPLES_PER_KIND:
                saved["w:" + label] += 1
                _save(out / "warnings", f"{_slug(label)}-{tag}", raw, f"{label}\nseed {args['seed']} index {index} ({how})\n")
        res.pop("traceback", None)
        results.put(("done", wid, index, res))


# -- the run ------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.kinds: collections.Counter[str] = collections.Counter()
        self.by_generator: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.crashes: collections.Counter[str] = collections.Counter()
        self.crash_files: dict[str, str] = {}
        self.slow: list[tuple[int, float, str]] = []
        self.hangs: list[tuple[int, str, str]] = []
        self.actions: collections.Counter[str] = collections.Counter()
        self.rules: collections.Counter[str] = collections.Counter()
        self.risks: collections.Counter[str] = collections.Counter()
        self.swallowed: collections.Counter[str] = collections.Counter()
        self.warnings: collections.Counter[str] = collections.Counter()
        self.located: collections.Counter[str] = collections.Counter()  # where sampled detector failures raised
        self.echoes = 0

    def add(self, index: int, res: dict[str, Any]) -> None:
        self.seconds.append(res["seconds"])
        self.kinds[res["kind"]] += 1
        self.by_generator[res["how"]] += 1
        if res["kind"] == "error":
            self.errors[res["type"]] += 1
        elif res["kind"] == "crash":
            key = f"{res['type']} at {res['where_ours']}" + (f" (raised in {res['where']})" if res["where"] != res["where_ours"] else "")
            self.crashes[key] += 1
            self.crash_files.setdefault(key, res.get("saved", ""))
        else:
            self.actions.update(res["actions"])
            self.rules.update(res["rules"])
            self.risks[res["risk"]] += 1
        if "saved_slow" in res:
            self.slow.append((index, res["seconds"], res["saved_slow"]))
        self.swallowed.update(res.get("swallowed_at", []))
        self.warnings.update(res["warnings"])
        self.located.update(res.get("located", []))
        self.echoes += bool(res["echo"])

    def report(self, wall: float, budget: float) -> dict[str, Any]:
        s = sorted(self.seconds)
        p99 = s[min(len(s) - 1, int(0.99 * (len(s) - 1) + 0.999))] if s else 0.0
        return {
            "inputs_run": len(s) + len(self.hangs),
            "wall_seconds": round(wall, 1),
            "by_generator": dict(self.by_generator),
            "crashes": sum(self.crashes.values()),
            "crash_kinds": {k: {"count": v, "example": self.crash_files.get(k, "")} for k, v in self.crashes.items()},
            "hangs_or_worker_deaths": [{"index": i, "what": w, "saved": p} for i, w, p in self.hangs],
            "over_budget": len(self.slow) + len(self.hangs),
            "over_budget_inputs": [{"index": i, "seconds": round(t, 1), "saved": p} for i, t, p in self.slow],
            "budget_seconds": budget,
            "max_seconds": round(s[-1], 3) if s else 0.0,
            "p99_seconds": round(p99, 3),
            "p50_seconds": round(s[len(s) // 2], 3) if s else 0.0,
            "mean_seconds": round(sum(s) / len(s), 3) if s else 0.0,
            "analysis_results": self.kinds["analysis"],
            "per_file_errors": self.kinds["error"],
            "per_file_error_types": dict(self.errors),
            "decisions": dict(self.actions.most_common()),
            "decision_rules": dict(self.rules.most_common()),
            "risk": dict(self.risks.most_common()),
            "swallowed_by_engine_safety_net": dict(self.swallowed.most_common()),
            "swallowed_detector_failures_located": dict(self.located.most_common()),
            "warnings": dict(self.warnings.most_common()),
            "errors_or_reasons_echoing_input": self.echoes,
        }


def _print(summary: dict[str, Any]) -> None:
    print(f"inputs run            {summary['inputs_run']}  ({', '.join(f'{k} {v}' for k, v in summary['by_generator'].items())})"
          f"  in {summary['wall_seconds']} s")
    print(f"crashes               {summary['crashes']}")
    for kind, info in summary["crash_kinds"].items():
        print(f"    {info['count']:6d}  {kind}  e.g. {info['example']}")
    print(f"hangs/worker deaths   {len(summary['hangs_or_worker_deaths'])}")
    for h in summary["hangs_or_worker_deaths"]:
        print(f"            input {h['index']}: {h['what']}  saved {h['saved']}")
    print(f"over budget (>{summary['budget_seconds']:g} s)  {summary['over_budget']}")
    for o in summary["over_budget_inputs"]:
        print(f"            input {o['index']}: {o['seconds']} s  saved {o['saved']}")
    print(f"seconds per input     max {summary['max_seconds']}  p99 {summary['p99_seconds']}  "
          f"p50 {summary['p50_seconds']}  mean {summary['mean_seconds']}")
    print(f"results               Analysis {summary['analysis_results']}  per-file error {summary['per_file_errors']}"
          + (f"  ({', '.join(f'{k} {v}' for k, v in summary['per_file_error_types'].items())})" if summary["per_file_error_types"] else ""))
    print(f"decisions ({RECIPIENTS[0]})  " + ", ".join(f"{k} {v}" for k, v in summary["decisions"].items()))
    print("    by rule            " + ", ".join(f"{k} {v}" for k, v in summary["decision_rules"].items()))
    print("    by risk            " + ", ".join(f"{k} {v}" for k, v in summary["risk"].items()))
    print("swallowed by the engine's safety net (held as CANNOT_INSPECT):")
    for k, v in summary["swallowed_by_engine_safety_net"].items():
        print(f"    {v:6d}  {k}")
    for k, v in summary["swallowed_detector_failures_located"].items():
        print(f"      (re-run of {v} sample(s): {k})")
    print("python warnings while scanning:")
    for k, v in summary["warnings"].items():
        print(f"    {v:6d}  {k}")
    print(f"errors/reasons echoing the input  {summary['errors_or_reasons_echoing_input']}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shared = {"seed": args.seed, "mix": args.mix, "budget": args.budget, "out": str(out),
              "minimise_seconds": args.minimise_seconds}
    ctx = multiprocessing.get_context("spawn")  # fork after spaCy has threads is unsafe
    results = ctx.Queue()
    files = fuzz_mutate.corpus_files()
    todo = collections.deque(range(args.start, args.start + args.inputs))
    stats = Stats()
    workers: dict[int, dict[str, Any]] = {}
    next_wid = 0

    def spawn() -> None:
        nonlocal next_wid
        tasks = ctx.Queue()
        proc = ctx.Process(target=worker_main, args=(next_wid, shared, tasks, results), daemon=True)
        proc.start()
        workers[next_wid] = {"proc": proc, "tasks": tasks, "index": None, "since": None}
        next_wid += 1

    def feed(wid: int) -> None:
        w = workers[wid]
        if todo:
            w["index"], w["since"] = todo.popleft(), time.monotonic()
            w["tasks"].put(w["index"])
        else:
            w["index"] = w["since"] = None
            w["tasks"].put(None)

    for _ in range(args.workers):
        spawn()
    started = time.monotonic()
    done = 0
    last_report = started
    while todo or any(w["index"] is not None for w in workers.values()):
        try:
            what, wid, index, res = results.get(timeout=1.0)
        except queue.Empty:
            what = None
        if what == "ready":
            feed(wid)
        elif what == "done" and wid in workers and workers[wid]["index"] == index:
            stats.add(index, res)
            done += 1
            feed(wid)
        now = time.monotonic()
        for wid, w in list(workers.items()):
            stuck = w["index"] is not None and now - w["since"] > args.hang_seconds
            dead = not w["proc"].is_alive() and (w["index"] is not None or todo)
            if not (stuck or dead):
                continue
            if w["index"] is not None:
                raw, how = make_input(args.seed, w["index"], files, args.mix)
                what_ = f"still running after {args.hang_seconds:g} s" if stuck else f"worker died (exit code {w['proc'].exitcode})"
                path = _save(out / "hangs", f"seed{args.seed}-{w['index']}", raw, f"{what_}\nseed {args.seed} index {w['index']} ({how})\n")
                stats.hangs.append((w["index"], what_, str(path)))
                done += 1
            w["proc"].kill()
            w["proc"].join(5)
            del workers[wid]
            spawn()
        if now - last_report > args.progress_seconds:
            last_report = now
            rate = done / max(now - started, 1e-9)
            print(f"[{done}/{args.inputs}] {rate:.1f} inputs/s  crashes {sum(stats.crashes.values())}  "
                  f"over budget {len(stats.slow) + len(stats.hangs)}  max {max(stats.seconds, default=0):.1f} s",
                  file=sys.stderr, flush=True)
    for w in workers.values():
        w["proc"].join(10)
        if w["proc"].is_alive():
            w["proc"].kill()
    summary = stats.report(time.monotonic() - started, args.budget)
    summary.update({"seed": args.seed, "mix": args.mix, "start": args.start, "workers": args.workers})
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def replay(args: argparse.Namespace) -> int:
    """Run one saved (or regenerated) input and print what happened - not the input."""
    logging.disable(logging.WARNING)
    if args.replay:
        raw = Path(args.replay).read_bytes()
    else:
        raw, _ = make_input(args.seed, args.replay_index, fuzz_mutate.corpus_files(), args.mix)
        if args.save_to:
            Path(args.save_to).write_bytes(raw)
    engine, config = _load_engine()
    res = run_one(engine, config, raw)
    print(f"{len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()[:16]}: {res['kind']}"
          + (f" {res['type']}" if "type" in res else "") + f" in {res['seconds']:.2f} s")
    if res["kind"] == "crash":
        print(f"  at {res['where_ours']} (raised in {res['where']})")
        if args.traceback:
            print(res["traceback"])
    if res["kind"] == "analysis":
        print(f"  risk {res['risk']}, decisions {res['actions']} ({res['rules']})")
    for label in res["swallowed"]:
        print(f"  swallowed: {label}")
    for label in res["warnings"]:
        print(f"  warning: {label}")
    return 1 if res["kind"] == "crash" or res["seconds"] > args.budget else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--inputs", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", type=int, default=0, help="first input index (to resume or split a run)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--mix", type=float, default=0.5, help="share of generated MIME (the rest: mutated corpus)")
    p.add_argument("--budget", type=float, default=None, help="seconds per input (default: the config's scan_timeout_seconds)")
    p.add_argument("--hang-seconds", type=float, default=None, help="kill a worker stuck this long (default 4x budget)")
    p.add_argument("--minimise-seconds", type=float, default=60.0)
    p.add_argument("--out", default="/tmp/fuzz-crashes")
    p.add_argument("--progress-seconds", type=float, default=30.0)
    p.add_argument("--replay", help="run one saved input file")
    p.add_argument("--replay-index", type=int, help="regenerate input I of --seed and run it")
    p.add_argument("--save-to", help="with --replay-index: also write the input to this file")
    p.add_argument("--traceback", action="store_true", help="with --replay: print the traceback (may quote input)")
    args = p.parse_args(argv)
    if args.budget is None:
        from gateway.config import load_config

        args.budget = float(load_config(ROOT / "config" / "gateway.toml").detectors.scan_timeout_seconds)
    if args.hang_seconds is None:
        args.hang_seconds = 4 * args.budget
    if args.replay or args.replay_index is not None:
        return replay(args)
    summary = run(args)
    _print(summary)
    print(f"summary: {Path(args.out) / 'summary.json'}")
    return 1 if summary["crashes"] or summary["over_budget"] else 0


if __name__ == "__main__":
    sys.exit(main())
