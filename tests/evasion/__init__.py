"""Adversarial evasion suite for the outbound DLP gateway: message shapes that hide a
service user's PII from a naive scanner, each of which must still be stopped, plus
controls that must be delivered. All data is synthetic (see synth.py)."""
