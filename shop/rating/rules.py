"""The rating rules as plain functions: a score sheet's parts, the star bands, the
mandatory criteria, who may enter a stage, and when a re-rating is due. No database,
no request; ``today`` is always a parameter."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from dateutil.relativedelta import relativedelta

from shop.certification.rules import STAR_BANDS
from shop.rating.exceptions import ScoreOutOfRange

PARTS = ("A", "B", "C")
TOTAL_POINTS = 100
# The bands of the 100-point scale (DOMAIN.md): 1 and 2 stars are not OCOP products
# (never certified, never shown with stars); 3, 4 and 5 are certification's bands.
BANDS: dict[int, tuple[int, int]] = {1: (0, 29), 2: (30, 49), **STAR_BANDS}
CERTIFIED_FROM = min(STAR_BANDS)
FIVE_STARS = 5
# A producer sees "apply for re-rating" from this many months before the last valid day.
RERATING_WINDOW_MONTHS = 6


class CriterionLike(Protocol):
    code: str
    part: str
    max_points: int
    mandatory: bool
    min_points: int


def band_for(total: int) -> int | None:
    """The star band of a total (1 to 5), None outside 0–100."""
    for stars, (low, high) in BANDS.items():
        if low <= total <= high:
            return stars
    return None


@dataclass(frozen=True)
class Outcome:
    """What a set of scores earns on a sheet."""

    total: int
    parts: dict[str, int]
    missing: tuple[str, ...]  # criteria not scored
    failed_mandatory: tuple[str, ...]  # mandatory criteria below their minimum
    score_band: int | None  # the band of the total alone

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def band(self) -> int | None:
        """The stars earned: none while a criterion is unscored, and none at all when
        a mandatory criterion fails, whatever the total."""
        if self.missing or self.failed_mandatory:
            return None
        return self.score_band

    @property
    def certified(self) -> bool:
        return self.band is not None and self.band >= CERTIFIED_FROM

    @property
    def five_star_candidate(self) -> bool:
        """Scored 90 or more: sent on to the central council ("tiềm năng 5 sao")."""
        return self.band == FIVE_STARS


def evaluate(criteria: Iterable[CriterionLike], points: Mapping[str, int]) -> Outcome:
    """Score ``points`` (criterion code -> points) against ``criteria``."""
    parts = dict.fromkeys(PARTS, 0)
    missing, failed = [], []
    for criterion in criteria:
        value = points.get(criterion.code)
        if value is None:
            missing.append(criterion.code)
            continue
        if not 0 <= value <= criterion.max_points:
            raise ScoreOutOfRange(criterion.code, value, criterion.max_points)
        parts[criterion.part] = parts.get(criterion.part, 0) + value
        if criterion.mandatory and value < criterion.min_points:
            failed.append(criterion.code)
    total = sum(parts.values())
    return Outcome(total, parts, tuple(missing), tuple(failed), band_for(total))


def recognised_stars(band: int | None, central_scored: bool) -> int | None:
    """The stars a decision may give: a 5-star band counts only when the central
    council scored it; scored 90+ by the province alone, the province recognises 4
    stars (the product is a 5-star candidate, a status, not a star value)."""
    if band is None or band < CERTIFIED_FROM:
        return None
    if band == FIVE_STARS and not central_scored:
        return FIVE_STARS - 1
    return band


def sheet_problems(
    maxima: Mapping[str, int], criteria: Iterable[CriterionLike]
) -> list[tuple[str, int, int]]:
    """The parts whose criteria do not add up to the part's maximum:
    (part, maximum, sum of the criteria's points)."""
    sums = dict.fromkeys(PARTS, 0)
    for criterion in criteria:
        sums[criterion.part] = sums.get(criterion.part, 0) + criterion.max_points
    return [(part, maxima[part], sums[part]) for part in PARTS if sums[part] != maxima[part]]


def may_enter(*, five_star_only: bool, band: int | None) -> bool:
    """A stage for 5-star candidates (the central council) takes only applications
    whose latest scores are in the 5-star band."""
    return not five_star_only or band == FIVE_STARS


def rerating_opens(valid_through: date) -> date:
    """The first day a producer is asked to apply for re-rating: the certificate's
    last six months."""
    return valid_through - relativedelta(months=RERATING_WINDOW_MONTHS)


def rerating_due(valid_through: date, today: date) -> bool:
    """In the last six months of a certificate still valid today."""
    return rerating_opens(valid_through) < today <= valid_through
