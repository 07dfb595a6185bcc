"""Who may review, reply and moderate: pure rules over facts the caller reads. No I/O.

Only the buyer writes a review, and only of a line whose shipment was delivered:
the line is the proof of purchase. A buyer with an account writes as that account;
a guest (an order without an account) writes through the order's secret link, the
one the confirmation e-mail carries. Staff may open any order but review none.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from shop.orders.models import ShipmentStatus
from shop.reviews.models import BODY_MAX, MAX_RATING, MIN_RATING, REASON_MAX, REPLY_MAX


class ReviewError(Exception):
    """A refusal with a message for the person; ``status`` is the HTTP answer."""

    status = 409
    message = _l("Không thể thực hiện thao tác này.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message


class NotTheBuyer(ReviewError):
    status = 404  # not a hint that the order exists
    message = _l("Chỉ người mua của đơn hàng mới có thể đánh giá.")


class NotDelivered(ReviewError):
    message = _l("Bạn có thể đánh giá sau khi đơn hàng đã được giao.")


class AlreadyReviewed(ReviewError):
    message = _l("Bạn đã đánh giá sản phẩm này trong đơn hàng này.")


class InvalidReview(ReviewError):
    status = 400
    message = _l("Đánh giá không hợp lệ.")


class NotYourProduct(ReviewError):
    status = 404
    message = _l("Không tìm thấy đánh giá.")


class AlreadyReplied(ReviewError):
    message = _l("Bạn đã trả lời đánh giá này.")


class ReasonRequired(ReviewError):
    status = 400
    message = _l("Vui lòng nhập lý do ẩn đánh giá.")


class InvalidModeration(ReviewError):
    message = _l("Đánh giá đã ở trạng thái này.")


@dataclass(frozen=True)
class Reviewer:
    """Who asks to review: a signed-in user's id (or None), whether the request
    carried the order's secret key, and whether the user is staff (who can open
    any order, and its link, but buy nothing through it)."""

    user_id: int | None
    holds_link: bool = False
    is_staff: bool = False


def is_buyer(order_user_id: int | None, reviewer: Reviewer) -> bool:
    if order_user_id is not None:
        return reviewer.user_id == order_user_id
    return reviewer.holds_link and not reviewer.is_staff


def check_may_review(
    *,
    order_user_id: int | None,
    reviewer: Reviewer,
    shipment_status: ShipmentStatus,
    already_reviewed: bool,
) -> None:
    """Raise the first reason why ``reviewer`` may not review the line, if any."""
    if not is_buyer(order_user_id, reviewer):
        raise NotTheBuyer()
    if shipment_status is not ShipmentStatus.DELIVERED:
        raise NotDelivered()
    if already_reviewed:
        raise AlreadyReviewed()


def may_review(**facts) -> bool:
    try:
        check_may_review(**facts)
    except ReviewError:
        return False
    return True


def clean_text(text: str | None) -> str:
    """Trimmed, Windows line ends made plain, no more than two blank lines in a row."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def check_review(rating, body: str) -> None:
    if not isinstance(rating, int) or isinstance(rating, bool):
        raise InvalidReview(_l("Hãy chọn từ 1 đến 5 sao."))
    if not MIN_RATING <= rating <= MAX_RATING:
        raise InvalidReview(_l("Hãy chọn từ 1 đến 5 sao."))
    if len(body) > BODY_MAX:
        raise InvalidReview(_l("Nhận xét dài tối đa %(n)s ký tự.", n=BODY_MAX))


def check_reply(body: str) -> None:
    if not body:
        raise InvalidReview(_l("Vui lòng nhập nội dung trả lời."))
    if len(body) > REPLY_MAX:
        raise InvalidReview(_l("Trả lời dài tối đa %(n)s ký tự.", n=REPLY_MAX))


def check_reason(reason: str) -> None:
    if not reason:
        raise ReasonRequired()
    if len(reason) > REASON_MAX:
        raise InvalidReview(_l("Lý do dài tối đa %(n)s ký tự.", n=REASON_MAX))


def public_name(full_name: str) -> str:
    """The name a review shows: the given name (last word in Vietnamese) and the
    family name's initial, "Trần Thị Bình" -> "Bình T."; never the phone or e-mail."""
    words = full_name.split()
    if not words:
        return str(_l("Người mua"))
    if len(words) == 1:
        return words[0][:40]
    return f"{words[-1][:40]} {words[0][0]}."
