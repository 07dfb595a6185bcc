"""Issuer level and legal basis against the rules in force on the decision date."""

import itertools
from datetime import date, timedelta

import pytest

from shop.certification.legal_bases import (
    BASIS_148,
    BASIS_1048,
    PERIODS,
    check_basis,
    former_province_in,
    period_on,
)
from shop.certification.models import IssuerLevel

P, D, C = IssuerLevel.PROVINCE, IssuerLevel.DISTRICT, IssuerLevel.CENTRAL


def check(stars, level, basis, decided, issuer="UBND tỉnh Tuyên Quang"):
    return check_basis(stars=stars, level=level, basis=basis, decided=decided, issuer_name=issuer)


def test_the_table_has_no_gaps_and_names_its_sources():
    for before, after in itertools.pairwise(PERIODS):
        assert before.ends + timedelta(days=1) == after.starts
    assert PERIODS[-1].ends is None
    assert all(p.source for p in PERIODS)
    assert period_on(date(2023, 2, 23)).basis == BASIS_1048
    assert period_on(date(2023, 2, 24)).basis == BASIS_148
    assert D in period_on(date(2025, 6, 30)).issuers[3]
    assert D not in period_on(date(2025, 7, 1)).issuers[3]


@pytest.mark.parametrize(
    ("stars", "level", "basis", "decided"),
    [
        (4, P, BASIS_1048, date(2021, 6, 1)),
        (3, P, BASIS_1048, date(2023, 2, 23)),
        (5, C, BASIS_1048, date(2020, 1, 1)),
        (3, D, BASIS_148, date(2023, 2, 24)),
        (3, P, BASIS_148, date(2024, 5, 1)),
        (3, D, BASIS_148, date(2025, 6, 30)),
        (4, P, BASIS_148, date(2024, 5, 1)),
        (3, P, BASIS_148, date(2025, 7, 1)),
        (4, P, BASIS_148, date(2026, 1, 28)),
        (5, C, BASIS_148, date(2026, 1, 28)),
    ],
)
def test_what_the_rules_allowed(stars, level, basis, decided):
    result = check(stars, level, basis, decided)
    assert result.errors == ()
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("stars", "level", "basis", "decided", "words"),
    [
        (4, D, BASIS_148, date(2024, 5, 1), "4 sao do cấp tỉnh công nhận, không phải cấp huyện"),
        (3, D, BASIS_1048, date(2021, 6, 1), "không phải cấp huyện"),
        (3, D, BASIS_148, date(2025, 7, 1), "Cấp huyện không còn từ 01/7/2025."),
        (5, P, BASIS_148, date(2024, 5, 1), "Trung ương (Bộ)"),
        (4, C, BASIS_148, date(2026, 1, 1), "không phải Trung ương (Bộ)"),
        (4, P, BASIS_148, date(2021, 6, 1), "chỉ áp dụng từ 24/02/2023"),
        (4, P, BASIS_148, date(2023, 2, 23), "chỉ áp dụng từ 24/02/2023"),
        (4, P, BASIS_1048, date(2019, 1, 10), "trước 21/8/2019"),
        (4, P, "my own rules", date(2024, 5, 1), "Vui lòng chọn căn cứ pháp lý."),
    ],
)
def test_what_is_refused_and_why(stars, level, basis, decided, words):
    result = check(stars, level, basis, decided)
    assert any(words in str(e) for e in result.errors), [str(e) for e in result.errors]


def test_an_old_basis_after_the_new_one_warns():
    result = check(4, P, BASIS_1048, date(2023, 6, 1))
    assert result.errors == ()
    assert len(result.warnings) == 1
    assert "1048" in str(result.warnings[0])


def test_a_merged_province_after_1_july_2025_warns():
    assert former_province_in("UBND TỈNH HÀ GIANG") == "Hà Giang"
    assert former_province_in("Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu") == "Bà Rịa - Vũng Tàu"
    assert former_province_in("UBND tỉnh Tuyên Quang") is None
    warned = check(4, P, BASIS_148, date(2025, 8, 1), issuer="UBND tỉnh Hà Giang")
    assert warned.errors == ()
    assert "Hà Giang" in str(warned.warnings[0])
    assert check(4, P, BASIS_148, date(2025, 6, 30), issuer="UBND tỉnh Hà Giang").warnings == ()
