"""VietQR (NAPAS 247, EMVCo merchant-presented) payloads: build, parse, render.

Pure functions, no Flask. The payload layout is the one in DOMAIN.md:

    00 "01" | 01 "11"/"12" | 38 {00 GUID, 01 {00 BIN, 01 account}, 02 "QRIBFTTA"}
    | 53 "704" | 54 amount | 58 "VN" | 62 {08 content} | 63 CRC-16/CCITT-FALSE
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC = "11"  # reusable, payer types the amount
DYNAMIC = "12"  # one-time, amount fixed in the code

MAX_CONTENT_LEN = 25  # bank apps keep about this many characters
MAX_AMOUNT_VND = 10**13 - 1  # tag 54 holds at most 13 characters

_BIN_RE = re.compile(r"[0-9]{6}")
_ACCOUNT_RE = re.compile(r"[0-9A-Za-z]{1,19}")
_CONTENT_RE = re.compile(r"[0-9A-Za-z ]*")
_TAG_RE = re.compile(r"[0-9]{2}")
_CRC_RE = re.compile(r"[0-9A-F]{4}")
_CRC_PREFIX = "6304"  # tag 63, length 04: the CRC covers this too


@dataclass(frozen=True, slots=True)
class VietQR:
    """The fields of a VietQR transfer-to-account code."""

    bank_bin: str
    account: str
    amount_vnd: int | None
    content: str
    one_time: bool


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"tag {tag} value is {len(value)} characters, at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def _check_bank_bin(bank_bin: object) -> str:
    if not isinstance(bank_bin, str) or not _BIN_RE.fullmatch(bank_bin):
        raise ValueError(f"bank BIN must be exactly 6 digits, got {bank_bin!r}")
    return bank_bin


def _check_account(account: object) -> str:
    if not isinstance(account, str) or not _ACCOUNT_RE.fullmatch(account):
        raise ValueError(f"account must be 1-19 ASCII letters or digits, got {account!r}")
    return account


def _check_amount(amount_vnd: object) -> int | None:
    if amount_vnd is None:
        return None
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise ValueError(
            f"amount must be a whole number of đồng (int), got {type(amount_vnd).__name__}"
        )
    if amount_vnd <= 0:
        raise ValueError(f"amount must be positive, got {amount_vnd}")
    if amount_vnd > MAX_AMOUNT_VND:
        raise ValueError(f"amount {amount_vnd} has more than 13 digits")
    return amount_vnd


def _check_content(content: object) -> str:
    if not isinstance(content, str):
        raise ValueError(f"content must be a str, got {type(content).__name__}")
    if not content.isascii():
        raise ValueError(f"content must be ASCII (fold Vietnamese letters first): {content!r}")
    if not _CONTENT_RE.fullmatch(content):
        raise ValueError(f"content may hold only letters, digits and spaces: {content!r}")
    if len(content) > MAX_CONTENT_LEN:
        raise ValueError(f"content is {len(content)} characters, at most {MAX_CONTENT_LEN}")
    return content


def build_payload(
    *,
    bank_bin: str,
    account: str,
    amount_vnd: int | None,
    content: str = "",
) -> str:
    """The VietQR text for a transfer; one-time ("12") when an amount is given."""
    bank_bin = _check_bank_bin(bank_bin)
    account = _check_account(account)
    amount_vnd = _check_amount(amount_vnd)
    content = _check_content(content)

    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        _tlv("00", "01"),
        _tlv("01", STATIC if amount_vnd is None else DYNAMIC),
        _tlv("38", merchant),
        _tlv("53", CURRENCY_VND),
    ]
    if amount_vnd is not None:
        parts.append(_tlv("54", str(amount_vnd)))
    parts.append(_tlv("58", COUNTRY_VN))
    if content:
        parts.append(_tlv("62", _tlv("08", content)))
    body = "".join(parts) + _CRC_PREFIX
    return f"{body}{crc16_ccitt_false(body.encode('ascii')):04X}"


def _split_tlv(text: str, where: str) -> dict[str, str]:
    """{tag: value} for a run of TLVs; ValueError on a malformed or repeated tag."""
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not _TAG_RE.fullmatch(head[:2]) or not _TAG_RE.fullmatch(head[2:]):
            raise ValueError(f"malformed TLV in {where} at position {pos}: {head!r}")
        tag, length = head[:2], int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if length == 0 or len(value) != length:
            raise ValueError(f"tag {tag} in {where} has a bad length {head[2:]}")
        if tag in fields:
            raise ValueError(f"tag {tag} repeated in {where}")
        fields[tag] = value
        pos += 4 + length
    return fields


def parse_payload(payload: str) -> dict[str, str]:
    """Top-level {tag: value} of an EMVCo QR text, after checking its CRC (tag 63)."""
    if not isinstance(payload, str):
        raise ValueError(f"payload must be a str, got {type(payload).__name__}")
    fields = _split_tlv(payload, "payload")
    if list(fields)[-1:] != ["63"] or payload[-8:-4] != _CRC_PREFIX:
        raise ValueError("payload does not end with a CRC (tag 63, length 04)")
    written = fields["63"]
    if not _CRC_RE.fullmatch(written.upper()):
        raise ValueError(f"CRC is not 4 hex digits: {written!r}")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    if written.upper() != expected:
        raise ValueError(f"CRC mismatch: payload says {written}, content gives {expected}")
    return fields


def parse(payload: str) -> VietQR:
    """Read a VietQR transfer-to-account payload; ValueError if it is not one."""
    fields = parse_payload(payload)
    if next(iter(fields)) != "00" or fields["00"] != "01":
        raise ValueError("payload must start with format indicator 00 = '01'")
    initiation = fields.get("01", STATIC)
    if initiation not in (STATIC, DYNAMIC):
        raise ValueError(f"point of initiation must be 11 or 12, got {initiation!r}")
    if "38" not in fields:
        raise ValueError("no NAPAS merchant account information (tag 38)")
    merchant = _split_tlv(fields["38"], "tag 38")
    if merchant.get("00") != NAPAS_GUID:
        raise ValueError(f"tag 38 is not NAPAS (GUID {merchant.get('00')!r})")
    if merchant.get("02") != SERVICE_TO_ACCOUNT:
        raise ValueError(f"not a transfer to account (service {merchant.get('02')!r})")
    beneficiary = _split_tlv(merchant.get("01", ""), "tag 38.01")
    bank_bin = _check_bank_bin(beneficiary.get("00"))
    account = _check_account(beneficiary.get("01"))
    if fields.get("53") != CURRENCY_VND:
        raise ValueError(f"currency must be 704 (VND), got {fields.get('53')!r}")
    if fields.get("58") != COUNTRY_VN:
        raise ValueError(f"country must be VN, got {fields.get('58')!r}")

    amount_vnd = None
    if "54" in fields:
        raw = fields["54"]
        if not (raw.isascii() and raw.isdigit()):
            raise ValueError(f"amount must be a whole number of đồng, got {raw!r}")
        amount_vnd = _check_amount(int(raw))

    content = ""
    if "62" in fields:
        content = _split_tlv(fields["62"], "tag 62").get("08", "")

    return VietQR(
        bank_bin=bank_bin,
        account=account,
        amount_vnd=amount_vnd,
        content=content,
        one_time=initiation == DYNAMIC,
    )


def _make_qr(payload: str, scale: int) -> segno.QRCode:
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive int, got {scale!r}")
    if not payload:
        raise ValueError("payload is empty")
    return segno.make(payload, error="m", micro=False, boost_error=False)


def qr_svg(payload: str, *, scale: int = 4, title: str | None = None) -> str:
    """Inline <svg> (no XML declaration) for embedding in a page; segno escapes the title."""
    qr = _make_qr(payload, scale)
    return qr.svg_inline(scale=scale, border=4, title=title)


def qr_png(payload: str, *, scale: int = 8) -> bytes:
    """PNG bytes of the QR code, 4-module quiet zone."""
    qr = _make_qr(payload, scale)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
