"""Text for the PDF report: what reportlab's built-in fonts can draw, escaped for Paragraph markup.

Pure Python (no reportlab), so the rule can be read and tested on its own.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from xml.sax.saxutils import escape

_FOLD = {"\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i", "\u0126": "H",
         "\u0127": "h", "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u00a0": " "}


def printable(value: str) -> str:
    """Text the built-in fonts can draw (WinAnsi, much like cp1252): other letters lose their accents
    ('\u0141\u00f3d\u017a' -> 'L\u00f3dz') rather than print as black boxes; anything else becomes '?'."""
    try:
        value.encode("cp1252")
        return value  # all drawable: most text, at once rather than letter by letter
    except UnicodeEncodeError:
        pass
    out = []
    for ch in value:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        folded = _FOLD.get(ch) or "".join(c for c in unicodedata.normalize("NFKD", ch)
                                          if not unicodedata.combining(c))
        try:
            folded.encode("cp1252")
            out.append(folded or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def text(value: Any) -> str:
    """Free text made safe for Paragraph markup (escaped, drawable, line breaks kept)."""
    if value is None:
        return ""
    return escape(printable(str(value))).replace("\r\n", "\n").replace("\n", "<br/>")
