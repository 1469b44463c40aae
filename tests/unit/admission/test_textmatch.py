"""The linear matchers of Katib's template regexes give exactly what the regexes give
(compiler/admission/textmatch.py), on random texts of the characters that matter."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.admission.template import META_INDEX_RE, META_RE, PLACEHOLDER_RE, meta_key
from compiler.admission.textmatch import find_placeholders, meta_index, meta_reference

PIECES = st.sampled_from(["${trialParameters.", "${trialSpec.", "}", "{", "$", "[", "]", "\n", "a"])
TEXT = st.lists(PIECES, max_size=12).map("".join)


@settings(derandomize=True, max_examples=2000, deadline=None)
@given(TEXT)
def test_the_same_matches_as_the_regexes(text: str) -> None:
    assert find_placeholders(text) == PLACEHOLDER_RE.findall(text)
    found = META_RE.search(text)
    assert meta_reference(text) == (found.group(1) if found else None)
    if "\n" not in text:
        index = META_INDEX_RE.search(text)
        assert meta_index(text) == (index.groups() if index else None)


def test_a_megabyte_of_unclosed_fragments_is_quick() -> None:
    start = time.monotonic()
    assert find_placeholders("${trialParameters.x" * 50_000) == []
    assert meta_key("${trialSpec.Labels[" * 50_000) is None
    assert meta_index("a[" * 500_000) is None
    assert time.monotonic() - start < 1
