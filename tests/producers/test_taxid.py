import pytest

from shop.producers.taxid import InvalidTaxId, TaxIdKind, kind_of, normalize_tax_id


@pytest.mark.parametrize(
    ("text", "normalised", "kind"),
    [
        ("0101234567", "0101234567", TaxIdKind.TAX_CODE),
        (" 0101 234 567 ", "0101234567", TaxIdKind.TAX_CODE),
        ("0101234567-001", "0101234567-001", TaxIdKind.TAX_CODE),
        ("0101234567001", "0101234567-001", TaxIdKind.TAX_CODE),  # 13 digits: the 10-3 form
        ("0101234567 - 001", "0101234567-001", TaxIdKind.TAX_CODE),
        ("001089012345", "001089012345", TaxIdKind.CITIZEN_ID),  # CCCD, 12 digits
        ("001.089.012.345", "001089012345", TaxIdKind.CITIZEN_ID),
    ],
)
def test_accepted_numbers_are_normalised(text, normalised, kind):
    assert normalize_tax_id(text) == normalised
    assert kind_of(normalised) == kind


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123",
        "12345678901",  # 11 digits: neither
        "01012345-67001",  # the dash in the wrong place
        "0101234567-01",
        "0101234567-0001",
        "01012345678901",  # 14 digits
        "010123456A",
        "０１０１２３４５６７",  # full-width digits
        "000000000000",
        "0000000000",
    ],
)
def test_other_numbers_are_refused(text):
    with pytest.raises(InvalidTaxId):
        normalize_tax_id(text)
