"""UK phone numbers with phonenumbers' matcher (region GB).

A mobile number is personal; a landline is usually an office, so it needs a
personal word nearby ("mum's", "home", "carer"). Freephone, helplines and
non-geographic numbers are organisations, not people.
"""

import phonenumbers
from phonenumbers import PhoneNumberType

from detectors.findings import Finding, FindingType
from detectors.recognizers.base import Recognizer, has_word, window_before

_ORGANISATION_TYPES = {
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.UAN,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.VOICEMAIL,
}
PERSONAL_CONTEXT = (
    "mum", "mum's", "mother", "dad", "dad's", "father", "carer", "carers", "carers'",
    "home", "family", "grandmother", "nan", "his", "her", "their", "parent", "parents",
    "aunt", "uncle", "foster", "partner", "young person", "child's",
)


class PhoneRecognizer(Recognizer):
    name = "phone"
    type = FindingType.PHONE

    def analyze(self, text: str, where: str) -> list[Finding]:
        found: list[Finding] = []
        for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
            number = match.number
            kind = phonenumbers.number_type(number)
            if kind in _ORGANISATION_TYPES or len(str(number.national_number)) < 9:
                continue
            personal = has_word(window_before(text, match.start, 50), PERSONAL_CONTEXT)
            if kind == PhoneNumberType.MOBILE:
                score, why = (0.85, f"mobile number; context word '{personal}'") if personal else (0.65, "mobile number")
            elif personal:
                score, why = 0.7, f"landline; context word '{personal}'"
            else:
                score, why = 0.35, "landline without personal context"
            found.append(
                Finding(FindingType.PHONE, where, match.start, match.end, match.raw_string, score, self.name, why)
            )
        return found
