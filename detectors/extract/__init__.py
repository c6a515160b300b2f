"""Text extraction: every place PII can hide in a message, tagged with where it came from."""

from detectors.extract.limits import ExtractionLimits
from detectors.extract.message import Extraction, MessageFacts, TextPiece, Unreadable, extract_message

__all__ = ["ExtractionLimits", "Extraction", "MessageFacts", "TextPiece", "Unreadable", "extract_message"]
