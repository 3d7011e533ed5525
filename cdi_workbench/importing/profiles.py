"""Mapping profiles: which file header holds which canonical column, plus fixed values and date hints.

Shipped profiles live in cdi_workbench/resources/profiles/*.json (package data); a user's own are saved as JSON
in a directory of their choosing (by default ~/.cdi_workbench/profiles) and shadow a shipped profile of the same
name.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ..classification import RESOURCES
from .errors import MappingError, ProfileError
from .kinds import KINDS, Kind, get_kind

BUILTIN_DIR = RESOURCES / "profiles"
DEFAULT_USER_DIR = Path("~/.cdi_workbench/profiles")
DUPLICATE_POLICIES = ("reject", "keep_first")
REJECTS_COLUMNS = ["row", "problems"]  # what a rejects file adds; dropped when it is imported again


@dataclass
class Profile:
    """How to read one force's export of one kind of record."""

    name: str
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # file header -> canonical column ("" drops it)
    fixed: dict[str, str] = field(default_factory=dict)  # canonical column -> value when the file gives none
    date_formats: list[str] = field(default_factory=list)  # strptime formats tried before the built-in forms
    list_separators: str = ";"  # between crime references in one cell
    duplicates: str = "reject"  # a reference twice with different values: reject | keep_first (noted)
    skip_without_ref: dict[str, list[str]] = field(default_factory=dict)  # canonical column -> values: such
    # rows without a reference are skipped and counted, not rejected (street files: anti-social behaviour)
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    description: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any, source: str = "profile") -> Profile:
        if not isinstance(data, dict):
            raise ProfileError(f"{source}: a profile is a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ProfileError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
        try:
            prof = cls(**data)
        except TypeError as exc:
            raise ProfileError(f"{source}: {exc}") from None
        prof.check(source)
        return prof

    def check(self, source: str = "profile") -> None:
        """Refuse a profile that names an unknown kind or column, or holds values of the wrong type."""
        if self.kind not in KINDS:
            raise ProfileError(f"{source}: unknown kind {self.kind!r} (one of {', '.join(KINDS)})")
        kind = KINDS[self.kind]
        if not isinstance(self.columns, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                         for k, v in self.columns.items()):
            raise ProfileError(f"{source}: 'columns' maps file headers to column names (text to text)")
        for header, target in self.columns.items():
            if target and target not in kind.field_names:
                raise ProfileError(f"{source}: {header!r} is mapped to {target!r}, which is not a column of "
                                   f"{self.kind} ({', '.join(kind.field_names)})")
        for target in [*self.fixed, *self.skip_without_ref]:
            if target not in kind.field_names:
                raise ProfileError(f"{source}: {target!r} is not a column of {self.kind}")
        if self.duplicates not in DUPLICATE_POLICIES:
            raise ProfileError(f"{source}: 'duplicates' is one of {', '.join(DUPLICATE_POLICIES)}")
        if not isinstance(self.date_formats, list) or not all(isinstance(f, str) for f in self.date_formats):
            raise ProfileError(f"{source}: 'date_formats' is a list of strptime formats")


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    kind: str
    description: str
    builtin: bool
    path: Path | Traversable  # a shipped profile is package data (a Path unless installed zipped)


def _user_dir(user_dir: str | Path | None) -> Path:
    return Path(user_dir if user_dir is not None else DEFAULT_USER_DIR).expanduser()


def _read(path: Path | Traversable) -> Profile:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"{path.name}: cannot be read as a profile ({exc})") from None
    return Profile.from_dict(data, path.name)


def _files(user_dir: str | Path | None) -> dict[str, tuple[Path | Traversable, bool]]:
    found: dict[str, tuple[Path | Traversable, bool]] = {}
    directories: tuple[tuple[Path | Traversable, bool], ...] = ((BUILTIN_DIR, True), (_user_dir(user_dir), False))
    for directory, builtin in directories:
        if directory.is_dir():
            for path in sorted((p for p in directory.iterdir() if p.name.endswith(".json")), key=lambda p: p.name):
                found[path.name.removesuffix(".json").lower()] = (path, builtin)
    return found


def list_profiles(user_dir: str | Path | None = None, kind: str | None = None) -> list[ProfileInfo]:
    """Shipped and saved profiles (a saved one shadows a shipped one of the same name), by name."""
    out = []
    for name, (path, builtin) in sorted(_files(user_dir).items()):
        try:
            prof = _read(path)
        except ProfileError:
            continue  # a damaged file in the user's directory must not hide the others
        if kind is None or prof.kind == kind:
            out.append(ProfileInfo(name, prof.kind, prof.description, builtin, path))
    return out


def load_profile(name: str, user_dir: str | Path | None = None) -> Profile:
    """A profile by name, or from a .json file path."""
    if name.lower().endswith(".json") or "/" in name or "\\" in name:
        return _read(Path(name).expanduser())
    files = _files(user_dir)
    entry = files.get(name.lower())
    if entry is None:
        raise ProfileError(f"no profile named {name!r} (known: {', '.join(sorted(files)) or 'none'})")
    return _read(entry[0])


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,59}")


def save_profile(profile: Profile, user_dir: str | Path | None = None) -> Path:
    """Save a profile in the user's directory as NAME.json (replacing one of that name); returns the path."""
    if not _SAFE_NAME.fullmatch(profile.name) or profile.name.endswith("."):
        raise ProfileError(f"{profile.name!r} cannot name a profile: use letters, digits, spaces, '-', '_' or '.'")
    profile.check(profile.name)
    directory = _user_dir(user_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{profile.name.lower()}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(profile.to_json(), encoding="utf-8")
    tmp.replace(path)
    return path


def header_key(text: str) -> str:
    """How headers compare: case, spacing and punctuation aside ('Incident Ref' ~ 'incident_ref')."""
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def resolve_columns(headers: list[str], kind: Kind, profile: Profile | None) -> list[str | None]:
    """For each header: the canonical column it fills, '' to drop it, or None to keep it in `extra`.

    The profile's mapping comes first; any other header named like a canonical column fills that column.
    """
    by_key = {header_key(h): t for h, t in (profile.columns if profile else {}).items()}
    canonical = {header_key(n): n for n in kind.field_names}
    out: list[str | None] = []
    for h in headers:
        k = header_key(h)
        out.append(by_key[k] if k in by_key else None)
    seen: dict[str, str] = {}
    for h, t in zip(headers, out, strict=True):
        if t and t in seen:
            raise MappingError(f"columns {seen[t]!r} and {h!r} both map to {t}: map one of them only")
        if t:
            seen[t] = h
    by_profile = set(seen)
    for i, h in enumerate(headers):
        target = canonical.get(header_key(h))
        if out[i] is not None or target is None or target in by_profile:
            continue  # a column the profile fills already: this one is kept in `extra`
        if target in seen:
            raise MappingError(f"columns {seen[target]!r} and {h!r} both map to {target}: map one of them only")
        out[i], seen[target] = target, h
    if headers[-2:] == REJECTS_COLUMNS and len(headers) > 2:
        out[-2:] = ["", ""]
    return out


@dataclass
class MappingProposal:
    """What the importer would do with a file's headers: the GUI shows it for the user to adjust."""

    kind: str
    headers: list[str]
    profile: Profile  # columns: header -> canonical for every matched header
    extra: list[str]  # headers kept in the records' `extra`
    missing: list[str]  # required canonical columns nothing fills
    suggestions: list[str]  # names of profiles whose headers fit this file, best first


def propose_mapping(headers: list[str], kind: str, profile: Profile | None = None,
                    user_dir: str | Path | None = None, system: str | None = None) -> MappingProposal:
    """Match headers to canonical columns (exact, case-insensitive), on top of a profile if one is given."""
    k = get_kind(kind)
    targets = resolve_columns(headers, k, profile)
    columns = {h: t for h, t in zip(headers, targets, strict=True) if t is not None}
    base = profile or Profile(name="", kind=kind)
    proposed = Profile(**{**asdict(base), "columns": columns})
    fixed = set(base.fixed) | ({"system"} if system else set())
    missing = [r for r in k.required if r not in columns.values() and r not in fixed]
    return MappingProposal(kind, list(headers), proposed, [h for h, t in zip(headers, targets, strict=True)
                                                           if t is None], missing,
                           suggest_profiles(headers, kind, user_dir))


def suggest_profiles(headers: list[str], kind: str, user_dir: str | Path | None = None) -> list[str]:
    """Profiles of this kind that fill every required column from these headers, best match first."""
    keys = {header_key(h) for h in headers}
    k = get_kind(kind)
    scored = []
    for info in list_profiles(user_dir, kind):
        prof = load_profile(info.name, user_dir)
        mapped = {header_key(h): t for h, t in prof.columns.items() if t}
        present = {t for h, t in mapped.items() if h in keys}
        if not mapped or any(r not in present and r not in prof.fixed for r in k.required):
            continue
        scored.append((len(present) / len(mapped), info.name))
    return [name for score, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score >= 0.5]
