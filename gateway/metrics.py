"""Prometheus metrics: messages by action, findings by type, scan latency.
Counts and types only: never a value."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages = Counter("dlp_gateway_recipients_total", "Recipients by action taken", ["action"], registry=self.registry)
        self.findings = Counter("dlp_gateway_findings_total", "Findings by type", ["type"], registry=self.registry)
        self.latency = Histogram("dlp_gateway_processing_seconds", "Time from DATA to reply",
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30), registry=self.registry)

    def message(self, action: str) -> None:
        self.messages.labels(action=action).inc()

    def scanned(self, seconds: float, findings: Mapping[str, int]) -> None:
        self.latency.observe(seconds)
        for finding_type, count in findings.items():
            self.findings.labels(type=finding_type).inc(count)

    def serve(self, host: str, port: int) -> None:
        start_http_server(port, addr=host, registry=self.registry)
