"""Folding for search: what a clerk types without accents compares equal to the record."""

from __future__ import annotations

import pytest

from engine.rules.folding import fold
from engine.rules.folding import search_text


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("ĐẶNG THỊ ĐÀO", "dang thi dao"),
        ("Ðặng", "dang"),  # the look-alike eth some records hold for Đ
        ("Trần Thị Thuỷ", "tran thi thuy"),
        ("Trần Thị Thủy", "tran thi thuy"),
        ("  Lê\tMinh   Khôi ", "le minh khoi"),
        ("C01-261208-0001", "c01-261208-0001"),
    ],
)
def test_a_name_folds_to_what_is_typed_without_accents(written, typed):
    assert fold(written) == typed


def test_the_search_text_keeps_each_part_apart_and_skips_what_is_missing():
    folded = search_text("C01-261208-0001", {"full_name": "Võ Thị Sáu", "id_number": "0012"})

    assert folded == "c01-261208-0001\nvo thi sau\n0012\n"
    assert "sau 0012" not in folded
