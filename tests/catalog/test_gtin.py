import pytest

from shop.catalog.gtin import (
    InvalidGtin,
    check_digit,
    gtin14,
    is_vietnamese,
    normalize_gtin13,
    ocop_gtin13,
    refusal,
)


def test_check_digit_of_a_real_gtin():
    assert check_digit("893604590000") == 0  # 8936045900000
    assert check_digit("400638133393") == 1  # 4006381333931, a widely published example


def test_valid_gtin_is_normalised():
    assert normalize_gtin13(" 8936045 900000 ") == "8936045900000"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("8936045900004", "check digit"),
        ("893604590000", "length"),
        ("89360459000001", "length"),
        ("893604590000X", "length"),
        ("８９３６０４５９００００３", "length"),
    ],
)
def test_invalid_gtin_is_refused(text, reason):
    with pytest.raises(InvalidGtin, match=reason):
        normalize_gtin13(text)


def test_prefix_and_gtin14():
    assert is_vietnamese("8936045900000")
    assert not is_vietnamese("4006381333931")
    assert gtin14("8936045900000") == "08936045900000"


# --- Numbers an OCOP package may not carry (tests first) ---------------------------


def _with_check(first12: str) -> str:
    return first12 + str(check_digit(first12))


@pytest.mark.parametrize(
    ("first12", "reason"),
    [
        ("020000000001", "restricted"),  # 02: restricted circulation (variable measure)
        ("040000000001", "restricted"),  # 04: restricted circulation (in-store numbers)
        ("200000000001", "restricted"),  # 20–29: restricted circulation
        ("250000000001", "restricted"),
        ("290000000001", "restricted"),
        ("977000000001", "publication"),  # ISSN: periodicals
        ("978604000001", "publication"),  # ISBN: books (978-604 is Vietnam's)
        ("979000000001", "publication"),
        ("980000000001", "coupon"),  # refund receipts and coupons
        ("990000000001", "coupon"),
        ("999999999999", "coupon"),
        ("000000000000", "zeros"),
    ],
)
def test_numbers_not_for_ocop_products_are_refused(first12, reason):
    number = _with_check(first12)
    assert normalize_gtin13(number) == number  # a well-formed EAN-13 ...
    with pytest.raises(InvalidGtin, match=reason):  # ... that no OCOP package may carry
        ocop_gtin13(number)
    assert refusal(number) == reason


@pytest.mark.parametrize(
    "first12",
    [
        "893604590000",  # Vietnam
        "400638133393",  # Germany: accepted (the form warns about the prefix)
        "010000000001",  # 01: GS1 US, an ordinary prefix
        "030000000001",  # 03: GS1 US
        "190000000001",  # just below 20
        "300000000001",  # just above 29
        "976000000001",  # just below 977
    ],
)
def test_ordinary_numbers_pass(first12):
    number = _with_check(first12)
    assert refusal(number) is None
    assert ocop_gtin13(" " + number) == number


def test_ocop_check_keeps_the_check_digit_and_length_refusals():
    with pytest.raises(InvalidGtin, match="check digit"):
        ocop_gtin13("8936045900004")
    with pytest.raises(InvalidGtin, match="length"):
        ocop_gtin13("893604590000")
