"""Vietnamese alphabetical order, for lists people scan or type into.

``fold()`` (shop/text.py) is for search: it makes "Đà Nẵng" equal "Da Nang". A
sorted list needs more: in the Vietnamese alphabet "đ" is a letter after "d",
"ă" and "â" follow "a", and tone marks only break ties (a, à, á, ả, ã, ạ).
"""

import unicodedata

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}  # breve, circumflex, horn
# Tones in dictionary order: level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_WITH_MARK = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê"}
_FOREIGN = {"f": "ê", "j": "i", "w": "v", "z": "y"}
_WITH_MARK |= {("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


def _letters(text: str) -> list[tuple[str, int]]:
    """(letter of the Vietnamese alphabet or other character, tone) pairs."""
    out: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFD", text.lower()):
        if char in _TONES and out:
            out[-1] = (out[-1][0], _TONES[char])
        elif char in _LETTER_MARKS and out:
            letter, tone = out[-1]
            out[-1] = (_WITH_MARK.get((letter, char), letter), tone)
        elif not unicodedata.combining(char):
            out.append((char, 0))
    return out


def _rank(letter: str) -> tuple[int, float]:
    position = _ALPHABET.find(letter)
    if position >= 0:
        return (1, position)
    if letter in _FOREIGN:  # f, j, w, z of foreign names: beside their Latin neighbours
        return (1, _ALPHABET.find(_FOREIGN[letter]) + 0.5)
    return (0, ord(letter))  # digits, spaces and punctuation before letters


def collation_key(text: str) -> tuple:
    """Sort key: letters first, then tones, then the text itself for a stable order.
    Runs of spaces count as one (the ward data has "Xã  Bắc Đông Quan")."""
    letters = _letters(" ".join(text.split()))
    return (
        tuple(_rank(letter) for letter, _ in letters),
        tuple(tone for _, tone in letters),
        text,
    )
