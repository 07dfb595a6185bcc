"""What a card refusal means, in words a buyer can act on.

Stripe answers a refused card with an error ``code`` (``card_declined``,
``expired_card``, ``incorrect_cvc``…) and, for ``card_declined``, a
``decline_code`` from the bank (``insufficient_funds``, ``lost_card``…).
Stripe's own message is English and sometimes says too much (a lost or stolen
card is told as a plain refusal, as Stripe advises). Each known code has one
message here; anything else is the generic refusal."""

from flask_babel import lazy_gettext as _l

GENERIC = _l(
    "Thẻ bị từ chối. Vui lòng thử thẻ khác, hoặc đổi sang thanh toán khi nhận hàng "
    "hay chuyển khoản VietQR bên dưới."
)
_CALL_BANK = _l(
    "Ngân hàng từ chối thẻ này. Vui lòng liên hệ ngân hàng phát hành thẻ, thử thẻ khác, "
    "hoặc đổi cách thanh toán bên dưới."
)
_INSUFFICIENT = _l(
    "Thẻ không đủ số dư hoặc hạn mức. Vui lòng dùng thẻ khác hoặc đổi cách thanh toán."
)
_EXPIRED = _l("Thẻ đã hết hạn. Vui lòng dùng thẻ khác.")
_CVC = _l("Mã bảo mật (CVC/CVV) không đúng. Vui lòng kiểm tra 3 số ở mặt sau thẻ.")
_NUMBER = _l("Số thẻ không đúng. Vui lòng kiểm tra lại số thẻ.")
_EXPIRY = _l("Ngày hết hạn của thẻ không đúng. Vui lòng kiểm tra lại tháng/năm.")
_PROCESSING = _l(
    "Có lỗi khi xử lý thẻ. Tiền chưa bị trừ: vui lòng thử lại sau ít phút, "
    "hoặc đổi cách thanh toán."
)
_AUTHENTICATION = _l(
    "Ngân hàng cần xác thực giao dịch (3-D Secure) nhưng xác thực không thành công. "
    "Vui lòng thử lại và hoàn tất bước xác thực của ngân hàng."
)
_NOT_SUPPORTED = _l("Thẻ này không hỗ trợ loại giao dịch này. Vui lòng dùng thẻ khác.")
_CURRENCY = _l("Thẻ này không thanh toán được bằng đồng Việt Nam. Vui lòng dùng thẻ khác.")
_LIMIT = _l("Thẻ đã vượt quá số lần hoặc hạn mức giao dịch. Vui lòng dùng thẻ khác.")
_TRY_AGAIN = _l("Giao dịch chưa thực hiện được. Vui lòng thử lại.")

# Stripe's decline codes (https://docs.stripe.com/declines/codes). Lost, stolen,
# pickup and fraud codes get the plain refusal: Stripe asks not to tell the holder.
DECLINE_CODES = {
    "generic_decline": GENERIC,
    "do_not_honor": _CALL_BANK,
    "call_issuer": _CALL_BANK,
    "card_not_supported": _NOT_SUPPORTED,
    "currency_not_supported": _CURRENCY,
    "insufficient_funds": _INSUFFICIENT,
    "withdrawal_count_limit_exceeded": _LIMIT,
    "card_velocity_exceeded": _LIMIT,
    "lost_card": GENERIC,
    "stolen_card": GENERIC,
    "pickup_card": GENERIC,
    "fraudulent": GENERIC,
    "merchant_blacklist": GENERIC,
    "expired_card": _EXPIRED,
    "incorrect_cvc": _CVC,
    "invalid_cvc": _CVC,
    "incorrect_number": _NUMBER,
    "invalid_number": _NUMBER,
    "invalid_expiry_month": _EXPIRY,
    "invalid_expiry_year": _EXPIRY,
    "processing_error": _PROCESSING,
    "issuer_not_available": _PROCESSING,
    "try_again_later": _TRY_AGAIN,
    "authentication_required": _AUTHENTICATION,
    "approve_with_id": _TRY_AGAIN,
}

# Error codes (the ``code`` beside or instead of a decline code). Stripe.js
# reports the same codes for a card it cannot even tokenise.
ERROR_CODES = {
    "card_declined": GENERIC,
    "expired_card": _EXPIRED,
    "incorrect_cvc": _CVC,
    "invalid_cvc": _CVC,
    "incomplete_cvc": _CVC,
    "incorrect_number": _NUMBER,
    "invalid_number": _NUMBER,
    "incomplete_number": _NUMBER,
    "invalid_expiry_month": _EXPIRY,
    "invalid_expiry_year": _EXPIRY,
    "incomplete_expiry": _EXPIRY,
    "processing_error": _PROCESSING,
    "authentication_required": _AUTHENTICATION,
    "payment_intent_authentication_failure": _AUTHENTICATION,
    "card_decline_rate_limit_exceeded": _LIMIT,
}


def decline_message(code: str | None, decline_code: str | None = None) -> str:
    """The buyer's message for a refusal: the bank's decline code first (it is
    the more precise), then Stripe's error code, else the generic refusal."""
    message = DECLINE_CODES.get(decline_code or "") or ERROR_CODES.get(code or "") or GENERIC
    return str(message)


def stored_code(code: str | None, decline_code: str | None) -> str:
    """How a refusal is kept on the card payment row (``last_error``): codes,
    never Stripe's English, so the page can say it in the buyer's language."""
    return ":".join(part for part in (code or "card_declined", decline_code) if part)


def message_for_stored(value: str | None) -> str | None:
    """The message for a ``last_error`` as ``stored_code`` wrote it (older rows
    hold Stripe's English sentence: they get the generic refusal)."""
    if not value:
        return None
    code, _sep, decline = value.partition(":")
    return decline_message(code, decline or None)


def client_messages() -> dict[str, str]:
    """The messages card.js shows for Stripe.js's own errors (a card it cannot
    tokenise), by code: rendered into the page, so they are translated too."""
    return {code: str(message) for code, message in ERROR_CODES.items()} | {
        "_generic": str(GENERIC)
    }
