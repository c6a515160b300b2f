"""Load on the relay: the gateway against a plain aiosmtpd pass-through relay, same run.

    python benchmarks/relay_load.py [--corpus tests/corpus/messages] [--clients 8] [--rate 50] [--seconds 20]

Both relays forward to the same aiosmtpd sink on loopback. Every message goes to its
header recipients plus one external address, so the gateway scans every one (the
worst case: mail for internal or secure recipients only is not scanned at all).

Phase 1, throughput: N concurrent clients send the whole corpus as fast as replies come.
Phase 2, latency: messages are offered at a fixed rate (open loop) for a fixed time;
p50/p99 of the time from connect to the DATA reply, and the gateway's added latency
(its percentile minus the pass-through's).
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.relay_harness import Sink, free_port, start_gateway  # noqa: E402

EXTERNAL = "partner@example.org"


class PassThrough:
    """The baseline: receive, relay to the next hop with aiosmtplib, reply."""

    def __init__(self, next_hop_port: int) -> None:
        self.next_hop_port = next_hop_port

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await aiosmtplib.send(envelope.original_content, sender=envelope.mail_from, recipients=envelope.rcpt_tos,
                              hostname="127.0.0.1", port=self.next_hop_port, start_tls=False)
        return "250 2.0.0 OK"


def load_corpus(folder: Path) -> list[tuple[str, list[str], bytes]]:
    items = []
    for path in sorted(folder.glob("*.eml")):
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        rcpts = [a for _, a in email.utils.getaddresses(msg.get_all("to", []) + msg.get_all("cc", [])) if a]
        sender = email.utils.parseaddr(msg.get("from", ""))[1]
        # CRLF line endings, as an MTA sends them
        items.append((sender, rcpts + [EXTERNAL], raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
    return items


async def send_one(port: int, item: tuple[str, list[str], bytes]) -> tuple[float, bool]:
    sender, rcpts, raw = item
    started = time.perf_counter()
    try:
        await aiosmtplib.send(raw, sender=sender, recipients=rcpts, hostname="127.0.0.1", port=port, start_tls=False, timeout=120)
        ok = True
    except aiosmtplib.SMTPException:
        ok = False
    return time.perf_counter() - started, ok


async def throughput(port: int, items: list[tuple[str, list[str], bytes]], clients: int) -> tuple[float, int]:
    queue: asyncio.Queue[tuple[str, list[str], bytes]] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while not queue.empty():
            _, ok = await send_one(port, queue.get_nowait())
            failures += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return len(items) / (time.perf_counter() - started), failures


async def fixed_rate(port: int, items: list[tuple[str, list[str], bytes]], rate: float, seconds: float) -> tuple[list[float], int]:
    count = int(rate * seconds)
    tasks = []
    started = time.perf_counter()
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send_one(port, items[i % len(items)])))
    results = await asyncio.gather(*tasks)
    return [r[0] for r in results], sum(not r[1] for r in results)


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="tests/corpus/messages")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gateway scan worker processes")
    args = parser.parse_args()
    items = load_corpus(Path(args.corpus))
    sink = Sink().start()
    passthrough_port = free_port()
    passthrough = Controller(PassThrough(sink.port), hostname="127.0.0.1", port=passthrough_port, data_size_limit=None)
    passthrough.start()
    with tempfile.TemporaryDirectory() as tmp:
        gateway = start_gateway(Path(tmp), f"smtp://127.0.0.1:{sink.port}", workers=args.workers,
                                extra_toml="[notify]\nenabled = true\n", actions='medium = "quarantine"')
        try:
            rows = []
            for name, port in (("pass-through", passthrough_port), ("dlp-gateway", gateway.port)):
                asyncio.run(throughput(port, items[:16], 2))  # warm up
                rate, failures = asyncio.run(throughput(port, items, args.clients))
                latencies, late_failures = asyncio.run(fixed_rate(port, items, args.rate, args.seconds))
                rows.append((name, rate, failures, latencies, late_failures))
        finally:
            gateway.stop()
            passthrough.stop()
            sink.stop()
    base = rows[0]
    print(f"{len(items)} corpus messages, each also to {EXTERNAL} (so every one is scanned); {args.clients} clients; "
          f"latency at {args.rate:g} msgs/s for {args.seconds:g} s\n")
    print("| relay | msgs/s (throughput) | p50 ms | p99 ms | added p50 ms | added p99 ms | failures |")
    print("|---|---|---|---|---|---|---|")
    for name, rate, failures, latencies, late_failures in rows:
        p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
        b50, b99 = percentile(base[3], 50) * 1000, percentile(base[3], 99) * 1000
        print(f"| {name} | {rate:.1f} | {p50:.1f} | {p99:.1f} | {p50 - b50:.1f} | {p99 - b99:.1f} | {failures + late_failures} |")
    print(f"\ngateway throughput / pass-through: {rows[1][1] / rows[0][1]:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
