"""National Insurance number: two prefix letters (HMRC's allowed set), six digits, suffix A-D."""

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer

# HMRC: first letter not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V;
# prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued.
_NINO = (
    r"(?<![\w])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
)


class NiNumberRecognizer(Recognizer):
    name = "ni_number"
    type = FindingType.NI_NUMBER
    patterns = (Pattern("nino", _NINO, 0.85),)
    context = ("ni", "ni no", "ni number", "nino", "national insurance")
    context_window = 40
