from dataclasses import dataclass
from datetime import date

import pytest

from shop.certification.rules import STAR_BANDS, stars_for_score
from shop.rating.exceptions import ScoreOutOfRange
from shop.rating.rules import (
    BANDS,
    band_for,
    evaluate,
    may_enter,
    recognised_stars,
    rerating_due,
    rerating_opens,
    sheet_problems,
)


@dataclass
class C:
    code: str
    part: str
    max_points: int
    mandatory: bool = False
    min_points: int = 1


# A small sheet whose parts are 40/25/35 (Decision 148/2023); C1 is mandatory.
SHEET = [
    C("A1", "A", 20),
    C("A2", "A", 20),
    C("B1", "B", 25),
    C("C1", "C", 10, mandatory=True, min_points=3),
    C("C2", "C", 25),
]


def scores(total, c1=10):
    """Points on SHEET adding up to ``total`` (C1 gets ``c1``)."""
    left = total - c1
    points = {"C1": c1}
    for code, top in (("A1", 20), ("A2", 20), ("B1", 25), ("C2", 25)):
        points[code] = min(top, max(left, 0))
        left -= points[code]
    assert left == 0, "total out of reach"
    return points


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (29, 1),
        (30, 2),
        (49, 2),
        (50, 3),
        (69, 3),
        (70, 4),
        (89, 4),
        (90, 5),
        (100, 5),
    ],
)
def test_band_edges(total, band):
    assert band_for(total) == band
    outcome = evaluate(SHEET, scores(total))
    assert (outcome.total, outcome.band) == (total, band)
    assert outcome.certified is (band >= 3)
    assert outcome.five_star_candidate is (band == 5)


def test_bands_agree_with_the_certificates_and_cover_the_scale_once():
    assert {s: BANDS[s] for s in STAR_BANDS} == STAR_BANDS
    for total in range(101):
        assert band_for(total) is not None
        if band_for(total) >= 3:
            assert stars_for_score(total) == band_for(total)
    assert band_for(0) == 1
    assert band_for(101) is None
    assert band_for(-1) is None


@pytest.mark.parametrize("total", [30, 55, 75, 92])
def test_a_failed_mandatory_criterion_reaches_no_band_whatever_the_total(total):
    outcome = evaluate(SHEET, scores(total, c1=2))  # C1 needs 3
    assert outcome.total == total
    assert outcome.score_band == band_for(total)
    assert outcome.failed_mandatory == ("C1",)
    assert outcome.band is None
    assert not outcome.certified
    assert not outcome.five_star_candidate


def test_a_mandatory_criterion_at_its_minimum_passes():
    outcome = evaluate(SHEET, scores(93, c1=3))
    assert outcome.failed_mandatory == ()
    assert outcome.band == 5


def test_an_unscored_criterion_means_no_band_yet():
    points = scores(80)
    del points["B1"]
    outcome = evaluate(SHEET, points)
    assert outcome.missing == ("B1",)
    assert outcome.band is None


def test_points_above_the_maximum_or_below_zero_are_refused():
    with pytest.raises(ScoreOutOfRange):
        evaluate(SHEET, {**scores(50), "A1": 21})
    with pytest.raises(ScoreOutOfRange):
        evaluate(SHEET, {**scores(50), "A1": -1})


def test_parts_are_summed():
    outcome = evaluate(SHEET, {"A1": 20, "A2": 5, "B1": 7, "C1": 4, "C2": 0})
    assert outcome.parts == {"A": 25, "B": 7, "C": 4}


def test_five_stars_need_the_central_council():
    assert recognised_stars(5, central_scored=True) == 5
    assert recognised_stars(5, central_scored=False) == 4
    assert recognised_stars(4, central_scored=False) == 4
    assert recognised_stars(3, central_scored=False) == 3
    assert recognised_stars(2, central_scored=False) is None
    assert recognised_stars(None, central_scored=True) is None


def test_only_five_star_candidates_enter_the_central_stage():
    assert may_enter(five_star_only=True, band=5)
    assert not may_enter(five_star_only=True, band=4)
    assert not may_enter(five_star_only=True, band=None)
    assert may_enter(five_star_only=False, band=None)


def test_sheet_problems_name_the_parts_that_do_not_add_up():
    maxima = {"A": 40, "B": 25, "C": 35}
    assert sheet_problems(maxima, SHEET) == []
    assert sheet_problems(maxima, SHEET[:-1]) == [("C", 35, 10)]
    assert sheet_problems({"A": 35, "B": 25, "C": 40}, SHEET) == [("A", 35, 40), ("C", 40, 35)]


def test_rerating_is_due_in_the_last_six_months():
    through = date(2029, 1, 28)
    assert rerating_opens(through) == date(2028, 7, 28)
    assert not rerating_due(through, date(2028, 7, 28))
    assert rerating_due(through, date(2028, 7, 29))
    assert rerating_due(through, through)
    assert not rerating_due(through, date(2029, 1, 29))  # expired: a new first rating
    # The month's last day when the day does not exist.
    assert rerating_opens(date(2027, 8, 31)) == date(2027, 2, 28)
