"""Chinese numerals (一 十一 廿 两 〇/零 百 千, and full-width digits) read as integers.

Small and tested instead of cn2an: the drafter needs numbers up to a few
thousand (dates, counts, years written 二〇二〇), and no dependency.
"""

from __future__ import annotations

import re

__all__ = ["CN_NUMERAL", "cn_to_int", "normalize_digits"]

_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
           "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "廿": 20, "卅": 30, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
#: A regex character class matching one Chinese numeral character.
CN_NUMERAL = "[〇零○一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾廿卅百佰千仟]"
_FULLWIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")


def normalize_digits(text: str) -> str:
    """Full-width digits and colon to ASCII; everything else (and the length) unchanged."""
    return text.translate(_FULLWIDTH)


def cn_to_int(text: str) -> int:
    """The value of a numeral: ``"十一"`` → 11, ``"廿三"`` → 23, ``"二〇二〇"`` → 2020, ``"17"`` → 17.

    A string of plain digits (一 to 九 and 〇) with no 十/百/千 is read digit by
    digit, as years are written.

    Raises:
        ValueError: the text is not a numeral.
    """
    s = normalize_digits(text.strip())
    if not s:
        raise ValueError("empty numeral")
    if s.isascii() and s.isdigit():
        return int(s)
    if all(ch in _DIGITS for ch in s):
        if len(s) == 1:
            return _DIGITS[s]
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total = 0
    current = 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit in (20, 30):  # 廿 and 卅 stand alone, never multiply
                total += unit
            else:
                total += (current or 1) * unit
            current = 0
        elif ch.isdigit():
            current = current * 10 + int(ch)
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


_NUMBER = re.compile(rf"[0-9０-９]+|{CN_NUMERAL}+")
