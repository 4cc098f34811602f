"""Text normalisation for titles, abstracts and author names. Pure functions.

arXiv metadata is hard-wrapped and full of TeX: ``C. Bal\\'azs``, ``{\\em very}``,
``Schr\\"odinger``. Search and display want plain Unicode with single spaces. Accents
and text markup become Unicode; math (``$...$``) is kept verbatim, since it reads
well as it is and a page can typeset it.

A full TeX parser (pylatexenc) was measured at about 2 ms per arXiv record, which alone
would hold ingest under 500 records/s; these few regular expressions cover what
arXiv metadata actually uses at a small fraction of that.
"""

from __future__ import annotations

import re
import unicodedata

_MATH = re.compile(r"(\$\$.+?\$\$|\$.+?\$|\\\(.+?\\\)|\\\[.+?\\\])", re.DOTALL)

# Accent commands and the combining character each adds.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "\u0131", "j": "\u0237", "&": "&", "%": "%",
    "_": "_", "#": "#", "$": "$",
}  # fmt: skip
# \'a  \'{a}  {\'a}  \c{c}  \v s  \"{\i}
# Patterns begin with a literal where they can (the unescaped brace of _BRACES_RE is
# checked after it): the regex engine then skips ahead to it instead of trying the
# pattern at every character: accents about twice and braces fifteen times faster.
_ACCENT_RE = re.compile(
    r"(?:\{\\|\\)(?P<cmd>['`^\"~=.]|[uvHckrdb](?=[\s{]))\s*"
    r"(?:\{\s*(?P<braced>\\?[A-Za-z])\s*\}|(?P<bare>\\?[A-Za-z]))\}?"
)
_LETTER_RE = re.compile(
    r"\\(?P<name>ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])(?:\{\})?|\\(?P<sym>[&%_#$])"
)
_MARKUP_RE = re.compile(
    r"\\(?:emph|textit|textbf|texttt|textsc|textrm|textsf|mathrm|text|uline|underline)\s*\{([^{}]*)\}"
)
_OLD_MARKUP_RE = re.compile(r"\{\\(?:em|it|bf|tt|sc|rm|sf|sl)\s+([^{}]*)\}")
_BRACES_RE = re.compile(r"\{(?<!\\\{)([^{}\\]*)\}")


# C0 controls but tab and line ends, DEL and C1: invalid in XML 1.0 (or, for DEL and C1,
# invisible), so that one of them in a title would break every feed that carries it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def collapse_whitespace(text: str) -> str:
    """Join hard-wrapped lines and runs of spaces into single spaces; drop control characters.

    Most abstracts are ASCII broken by newlines; replacing those (and runs of spaces)
    takes a third of the time of splitting into words and joining them, or less. For ASCII,
    ``isprintable`` means no other white space and no control characters, and it is
    faster than searching for them. Short texts split faster.
    """
    if len(text) > 80 and text.isascii():
        flat = text.replace("\n", " ").strip(" ")
        if flat.isprintable():
            while "  " in flat:
                flat = flat.replace("  ", " ")
            return flat
    joined = " ".join(text.split())
    if joined.isprintable():  # one pass in C; false too for a few harmless characters
        return joined
    return " ".join(_CONTROL.sub("", joined).split())


def strip_controls(text: str) -> str:
    """``text`` without control characters, but tab and line ends (for text kept as given)."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", text)


def _accent(match: re.Match[str]) -> str:
    letter = match.group("braced") or match.group("bare")
    if letter.startswith("\\"):  # \i and \j lose their dot only to take an accent
        base = letter[1:] if letter[1:] in "ij" else _LETTERS.get(letter[1:], letter[1:])
    else:
        base = letter
    return unicodedata.normalize("NFC", base + _ACCENTS[match.group("cmd")])


def _letter(match: re.Match[str]) -> str:
    return _LETTERS[match.group("name") or match.group("sym")]


def _plain_text_part(text: str) -> str:
    if "\\" in text:
        text = _ACCENT_RE.sub(_accent, text)
        text = _MARKUP_RE.sub(r"\1", text)
        text = _OLD_MARKUP_RE.sub(r"\1", text)
        text = _LETTER_RE.sub(_letter, text)
    if "{" in text:
        text = _BRACES_RE.sub(r"\1", text)
    return text.replace("~", " ") if "~" in text else text


def latex_to_text(text: str) -> str:
    """TeX accents and text markup as Unicode, outside math; math left as written."""
    if "\\" not in text and "{" not in text and "~" not in text:
        return text
    parts = _MATH.split(text)
    # split() with one capture group: even indexes are text, odd ones are math.
    return "".join(part if i % 2 else _plain_text_part(part) for i, part in enumerate(parts))


def normalise(text: str | None) -> str:
    """Whitespace-collapsed, NFC-normalised text with TeX accents as Unicode ("" for None)."""
    if not text:
        return ""
    plain = latex_to_text(collapse_whitespace(text))
    if not plain.isascii():
        plain = unicodedata.normalize("NFC", plain)
    return collapse_whitespace(plain) if "  " in plain else plain
