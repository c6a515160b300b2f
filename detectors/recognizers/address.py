"""A street address: a house or flat number, then a street name ending in a street word."""

import regex

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer

STREET_WORDS = (
    "Road", "Rd", "Lane", "Ln", "Street", "St", "Close", "Court", "Ct", "Avenue", "Ave",
    "Drive", "Dr", "Way", "Crescent", "Cres", "Grove", "Place", "Pl", "Gardens", "Gdns",
    "Terrace", "View", "Walk", "Row", "Square", "Sq", "Mews", "Rise", "Hill", "Park", "Green",
    "Parade", "Vale", "Fold", "Croft", "Meadow", "Meadows", "Brow", "Heights", "Chase",
    "Boulevard", "Gate", "Approach", "Path", "End", "Fields", "Wharf", "Quay", "Yard", "Lea",
    "Bank", "Grange", "Glade", "Dene", "Nook", "Hollow", "Wood", "Ridge", "Cottages", "Villas",
)
_WORD = r"(?:\p{Lu}[\p{Ll}'’\-]+|\p{Lu}{2,})"
_STREET = "|".join(STREET_WORDS) + "|" + "|".join(w.upper() for w in STREET_WORDS)
_ADDRESS = (
    r"(?<![\w./:])(?:(?:Flat|FLAT|Apartment|Apt|Unit|Room)\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+(?:" + _WORD + r"\s+){1,3}(?:" + _STREET + r")\b"
)


class AddressRecognizer(Recognizer):
    name = "address"
    type = FindingType.ADDRESS
    patterns = (Pattern("house_number_street", _ADDRESS, 0.8),)
    context = ("lives at", "living at", "address", "home", "moved to", "staying at", "resides")
    context_window = 40
    context_score = 0.9

    def invalidate(self, value: str) -> bool:
        # "Room 1.20" style references and times are not homes.
        return bool(regex.match(r"(?i)room\b", value))
