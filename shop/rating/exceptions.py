class RatingError(Exception):
    pass


class ScoreOutOfRange(RatingError, ValueError):
    """A criterion scored below 0 or above its maximum."""

    def __init__(self, code: str, points: int, max_points: int):
        super().__init__(f"{code}: {points} is outside 0–{max_points}")
        self.code, self.points, self.max_points = code, points, max_points


class IllegalMove(RatingError):
    """A stage change the year's plan does not allow (or not for this application)."""

    def __init__(self, current, target, why: str = ""):
        super().__init__(f"{current} → {target} is not allowed{': ' + why if why else ''}")
        self.current, self.target, self.why = current, target, why


class NotDraft(RatingError):
    """Only a draft can be edited or submitted."""


class IncompleteApplication(RatingError):
    """Submitted without every criterion scored or without the required documents."""

    def __init__(self, missing_scores: tuple[str, ...], missing_documents: tuple):
        super().__init__(f"missing scores {missing_scores}, documents {missing_documents}")
        self.missing_scores, self.missing_documents = missing_scores, missing_documents


class SheetNotReady(RatingError):
    """The score sheet's criteria do not add up to its parts' maxima."""


class SheetInUse(RatingError):
    """Points of a sheet that applications have scored against cannot change."""


class NoScores(RatingError):
    """A decision needs a council's scores."""


class AlreadyOpen(RatingError):
    """The product already has an application in progress."""

    def __init__(self, application_id: int):
        super().__init__(f"application {application_id} is open")
        self.application_id = application_id
