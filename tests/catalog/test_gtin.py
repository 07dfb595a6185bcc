import pytest

from shop.catalog.gtin import InvalidGtin, check_digit, gtin14, is_vietnamese, normalize_gtin13


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
