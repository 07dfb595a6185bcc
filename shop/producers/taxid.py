"""A household's tax identity: a tax code (mã số thuế) or the citizen ID (CCCD) of
the household's head, which since 1 July 2025 serves as the personal tax code.

Accepted forms (shape only: we do not check the tax code's check digit):
* tax code, 10 digits: ``0101234567``;
* tax code of a dependent unit, 13 digits, written 10-3: ``0101234567-001``
  (13 digits typed without the dash are stored in that form);
* CCCD, 12 digits: ``001089012345``.
Spaces and dots between digits are ignored; all zeros is refused.
"""

import enum

from flask_babel import lazy_gettext as _l


class InvalidTaxId(ValueError):
    pass


class TaxIdKind(enum.StrEnum):
    TAX_CODE = "tax_code"
    CITIZEN_ID = "citizen_id"

    @property
    def label(self):
        return _TAX_ID_LABELS[self]


_TAX_ID_LABELS = {
    TaxIdKind.TAX_CODE: _l("Mã số thuế"),
    TaxIdKind.CITIZEN_ID: _l("CCCD"),
}


def _digits(part: str) -> bool:
    return part.isascii() and part.isdigit()


def normalize_tax_id(text: str) -> str:
    """The stored form of a tax code or CCCD, or InvalidTaxId."""
    compact = "".join((text or "").split()).replace(".", "")
    if "-" in compact:
        head, _, tail = compact.partition("-")
        if not (_digits(head) and _digits(tail) and len(head) == 10 and len(tail) == 3):
            raise InvalidTaxId(text)
        value = f"{head}-{tail}"
    elif _digits(compact) and len(compact) in (10, 12):
        value = compact
    elif _digits(compact) and len(compact) == 13:
        value = f"{compact[:10]}-{compact[10:]}"
    else:
        raise InvalidTaxId(text)
    if set(value) <= {"0", "-"}:
        raise InvalidTaxId(text)
    return value


def kind_of(tax_id: str) -> TaxIdKind:
    return TaxIdKind.CITIZEN_ID if len(tax_id) == 12 else TaxIdKind.TAX_CODE
