"""Email addresses. A personal mailbox (a webmail domain) is PII; an organisation's
address is not. The engine drops the participants' and the internal domains'."""

import regex

from detectors.findings import Finding, FindingType
from detectors.recognizers.base import Recognizer, has_word, window_before
from detectors.recognizers.phone import PERSONAL_CONTEXT

PERSONAL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "live.com",
        "live.co.uk", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "aol.co.uk",
        "btinternet.com", "sky.com", "talktalk.net", "virginmedia.com", "ntlworld.com",
        "msn.com", "protonmail.com", "proton.me", "mail.com", "gmx.com", "ymail.com",
    }
)
# The local part is read once per run of its characters: it can only end where the
# run ends (an "@" must follow), so it is possessive, and when no address follows,
# (*SKIP) resumes the search after the run. Without it a run like a'a'a'... was
# re-read from every letter after an apostrophe (quadratic). Every start inside
# the run ends the local part at the same place, so the skipped starts could not
# match either. The domain's labels are possessive for the same reason.
_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+'-]++(*SKIP)@[\w-]++(?:\.[\w-]++)+(?![\w-])")


class EmailRecognizer(Recognizer):
    name = "email"
    type = FindingType.EMAIL

    def analyze(self, text: str, where: str) -> list[Finding]:
        found = []
        for match in _EMAIL.finditer(text, timeout=2.0):
            value = match.group(0).rstrip(".")
            domain = value.rsplit("@", 1)[1].lower()
            personal = has_word(window_before(text, match.start(), 50), PERSONAL_CONTEXT)
            if domain in PERSONAL_DOMAINS:
                score, why = (0.85 if personal else 0.7), "personal mailbox domain"
            elif personal:
                score, why = 0.7, f"context word '{personal}'"
            else:
                score, why = 0.3, "organisation address"
            found.append(Finding(FindingType.EMAIL, where, match.start(), match.start() + len(value), value, score, self.name, why))
        return found
