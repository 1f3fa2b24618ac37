"""Every hostile value in every slot: exit 0/1/2 only, one plain message line, no raw control
characters on either stream, and a refused command leaves the site exactly as it was."""

from __future__ import annotations

from tests.hostile.conftest import shown
from tests.hostile.corpus import CORE_TEXT_VALUES, FULL, MUST_FAIL, READS, TEXT_VALUES, cases


def test_the_corpus_covers_every_slot_and_sends_every_value_somewhere(tmp_path):
    tried = cases(str(tmp_path / "code.png"))
    assert len(tried) >= (len(MUST_FAIL) + len(READS)) * len(CORE_TEXT_VALUES)
    assert FULL <= set(MUST_FAIL) | set(READS) and set(CORE_TEXT_VALUES) <= set(TEXT_VALUES)
    sent = {arg for argv, _ in tried for arg in argv}
    assert set(TEXT_VALUES) <= sent


def test_every_hostile_argument_gets_a_plain_answer_and_changes_nothing(site, tmp_path):
    failures: list[str] = []
    tried = cases(str(tmp_path / "code.png"))
    for argv, must_fail in tried:
        for problem in site.check(argv, must_fail=must_fail):
            failures.append(f"{shown(argv)}: {problem}")
    assert not failures, f"{len(failures)} problems in {len(tried)} inputs:\n" + "\n".join(failures[:60])
