"""Unique Pupil Number: a check letter and twelve digits (python-stdnum's gb.upn)."""

from stdnum.gb import upn

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer


class UpnRecognizer(Recognizer):
    name = "upn"
    type = FindingType.UPN
    patterns = (Pattern("upn", r"(?<![\w])[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z](?![\w])", 0.9),)
    context = ("upn", "unique pupil number", "pupil number")

    def validate(self, value: str) -> bool | None:
        return bool(upn.is_valid(value))
