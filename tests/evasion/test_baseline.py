"""Sanity: the plain-text version of every payload the shapes hide IS stopped. When a shape
test fails and its payload passes here, the failure is the shape's fault."""

from __future__ import annotations

import pytest

from . import mime
from .checks import assert_stopped
from .synth import children_csv

PAYLOADS = {
    "referral-letter": lambda child, children: child.letter(),
    "typed-form": lambda child, children: child.form(),
    "children-csv": lambda child, children: "Hi,\n\nThe list for the panel:\n\n" + children_csv(children),
    "subject-line-as-text": lambda child, children: child.subject() + "\n",
    "file-name-as-text": lambda child, children: child.file_stem() + "\n",
}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_plain_text_payload_is_stopped(scan, child, children, payload):
    assert_stopped(scan(mime.plain(PAYLOADS[payload](child, children))))


def test_plain_subject_with_harmless_body_is_stopped(scan, child):
    assert_stopped(scan(mime.plain("Hi,\n\nSee subject, more to follow.\n", subject=child.subject())))
