"""Narratives as timelines: split a log into timestamped entries and find offence words to highlight."""

from __future__ import annotations

import re
from dataclasses import dataclass

ENTRY = re.compile(r"^\s*(\d{2}/\d{2}/\d{4} \d{2}:\d{2})(?::\d{2})?\s*(?:\[([^\]]+)\]|-)?\s*(.*)$")

# Words that suggest a notifiable offence; highlighted so the auditor's eye goes to them first.
OFFENCE_WORDS = (
    "assault", "assaulted", "punched", "kicked", "hit", "slapped", "strangled", "choked", "headbutted",
    "stabbed", "knife", "injury", "injuries", "bleeding", "bruise", "bruising", "threatened", "threats",
    "threat to kill", "harass", "harassment", "stalking", "rape", "raped", "sexual", "touched", "indecent",
    "stole", "stolen", "theft", "burglary", "broke in", "break-in", "damage", "damaged", "smashed",
    "robbed", "robbery", "fraud", "coercive", "controlling", "grabbed", "pushed", "shoved", "arson",
    "set fire", "weapon", "drugs", "malicious", "abuse", "abused", "neglect", "exploitation",
    "kill", "killed", "threatening", "course of conduct", "followed", "intimidated", "forced", "attacked",
    "bitten", "cut", "wound", "wounded", "shoplifting", "trespass", "assaulting",
)
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(OFFENCE_WORDS, key=len, reverse=True))
                    + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    time: str
    author: str
    text: str


def entries(narrative: str) -> list[Entry]:
    """Timestamped entries; lines without a time continue the entry before them."""
    out: list[Entry] = []
    for line in narrative.splitlines():
        m = ENTRY.match(line)
        if m:
            out.append(Entry(m.group(1), (m.group(2) or "").strip(), m.group(3).strip()))
        elif line.strip():
            if out:
                last = out[-1]
                out[-1] = Entry(last.time, last.author, f"{last.text}\n{line.strip()}")
            else:
                out.append(Entry("", "", line.strip()))
    return out


def offence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of offence words in text, for highlighting."""
    return [m.span() for m in _WORDS.finditer(text)]
