"""Composing log text from fragments: a small template language and a timestamped log builder.

Templates: `{a|b|c}` picks one alternative (nesting allowed, `{a|}` makes a part optional) and `<name>`
inserts a value from the context (`<name^>` capitalised). Every choice comes from the caller's Random, so
the text is deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cdi_workbench.timeutil import display

_ALT = re.compile(r"\{([^{}]*)\}")
_VAR = re.compile(r"<(\w+)(\^?)>")
_SPACES = re.compile(r"[ \t]{2,}")
_SENTENCE = re.compile(r"([.!?] )([a-z])")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def expand(rng: random.Random, template: str, ctx: dict[str, str] | None = None, upper: bool = True) -> str:
    """Fill a template: choose among alternatives (innermost first), then insert context values."""
    text = template
    while True:
        m = _ALT.search(text)
        if m is None:
            break
        text = text[:m.start()] + rng.choice(m.group(1).split("|")) + text[m.end():]
    if ctx is not None:
        text = _VAR.sub(lambda m: cap(ctx[m.group(1)]) if m.group(2) else ctx[m.group(1)], text)
    return tidy(text, upper)


def tidy(text: str, upper: bool = True) -> str:
    text = _SPACES.sub(" ", text).replace(" ,", ",").replace(" .", ".").replace("..", ".").strip()
    text = _SENTENCE.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return cap(text) if upper else text


@dataclass
class Log:
    """Timestamped entries ('dd/mm/yyyy HH:MM [Author] text'), rendered in time order."""

    start: datetime  # aware UTC
    entries: list[tuple[datetime, int, str, str]] = field(default_factory=list)

    def add(self, minutes: float, author: str, text: str, *more: str) -> datetime:
        """An entry `minutes` after the start; extra lines become untimed continuation lines."""
        at = self.start + timedelta(minutes=minutes)
        body = "\n".join([text, *[m for m in more if m]])
        self.entries.append((at, len(self.entries), author, body))
        return at

    def add_at(self, at: datetime, author: str, text: str, *more: str) -> None:
        self.entries.append((at, len(self.entries), author, "\n".join([text, *[m for m in more if m]])))

    def render(self) -> str:
        lines = []
        for at, _n, author, body in sorted(self.entries, key=lambda e: (e[0], e[1])):
            first, *rest = body.split("\n")
            lines.append(f"{display(at)} [{author}] {first}")
            lines.extend(f"    {r}" for r in rest)
        return "\n".join(lines)


def officer(rng: random.Random, rank: str = "PC") -> str:
    return f"{rank} {rng.randint(1000, 9999) if rank in ('PC', 'DC') else rng.randint(100, 999)}"
