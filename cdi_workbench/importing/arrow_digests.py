"""The digests the compiled read path works out for each row, byte-identical to the reference converter's and
storage.content's (existing samples keep their order, `cdi verify` finds no change): the import digest, the draw
key and the content digest, hashed row by row from Arrow's buffers with no Python string per cell."""

from __future__ import annotations

from typing import Any

from .rows import Converter


def json_texts(arr: Any) -> list[Any]:
    """Pieces that, joined, write each string as json.dumps(ensure_ascii=False) does (quoted, escaped), null as
    null. Only the replacements the text needs are made (each copies every string): which characters occur is
    looked up in the column's bytes at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data = arr.buffers()[2]
    held = data.to_pybytes() if data is not None else b""  # (may hold bytes outside a slice: a needless pass)
    pairs = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f")]
    pairs += [(chr(c), f"\\u{c:04x}") for c in range(0x20) if chr(c) not in "\n\r\t\b\f"]
    for ch, written in pairs:  # the backslash first
        if ch.encode() in held:
            arr = pc.replace_substring(arr, ch, written)
    quote = pa.scalar('"', pa.string())
    if not arr.null_count:
        return [quote, arr, quote]
    return [pc.fill_null(pc.binary_join_element_wise(quote, arr, quote, ""), "null")]


def contents(conv: Converter, values: dict[int, Any], extras: list[str | None] | None, n: int) -> list[str]:
    """Each row's content digest as storage.content works it out from the values inserted (insert_digest):
    BLAKE2b of the JSON list [table, values of CONTENT_COLUMNS...], the list built column-wise."""
    import pyarrow as pa

    from ..storage.content import _DUMPS, _HASH, CONTENT_COLUMNS, _digester, _extra

    table = conv.kind.table.name
    digester = _digester(table)
    bound = conv.bound

    def canonical(position: int, value: Any) -> Any:
        """One value as the digester turns it before writing it as JSON."""
        if position in digester.dates and value is not None and value.__class__ is not str:
            from ..storage.content import canonical as canon

            return canon(value)
        if position in digester.flags and value is not None:
            return int(value)
        if position == digester.extra and value is not None:
            return _extra(value)
        return value

    def constant(text: str) -> Any:
        return pa.scalar(text, pa.string())

    frags: list[Any] = [constant("[" + _DUMPS([table])[1:-1])]
    for position, column in enumerate(CONTENT_COLUMNS[table]):
        expr = bound.get(column)
        if expr is None or expr.startswith("C_"):
            value = conv.ns[expr] if expr is not None else conv.constants.get(column)
            frags += [constant(","), constant(_DUMPS([canonical(position, value)])[1:-1])]
            continue
        frags.append(constant(","))
        got: Any = extras if expr == "extra" else values[int(expr[1:])] if expr.startswith("v") else None
        if got is None:
            raise ValueError(f"{column}: not a column the content digest can read ({expr})")
        if not isinstance(got, list) and got.type == pa.string() and position != digester.extra:
            frags += json_texts(got)
            continue
        items = got if isinstance(got, list) else got.to_pylist()
        items = [canonical(position, v) for v in items]
        if all(v is None or v.__class__ is str for v in items):
            frags += json_texts(pa.array(items, pa.string()))
        else:
            frags.append(pa.array([_DUMPS([v])[1:-1] for v in items], pa.string()))
    import pyarrow.compute as pc

    listed = pc.binary_join_element_wise(*frags, constant("]"), "")
    if not isinstance(listed, pa.Array):  # (every fragment a constant)
        listed = pa.array([listed.as_py()] * n, pa.string())
    return hash_rows(listed, _HASH, 0)[0]


def draw_keys(refs: Any) -> list[int | None]:
    """draw_keys.draw_key of each reference (fast_draw_key: BLAKE2b keyed 'cdi-draw-key', 8 bytes, >> 2), hashed
    from Arrow's buffers and turned into integers by numpy (None for a row without one)."""
    import numpy as np

    from .rows import _DRAW_KEY_HASH

    if not len(refs):
        return []
    filled = refs.fill_null("")
    _, offsets_buf, data_buf = filled.buffers()
    width = np.int64 if str(filled.type) == "large_string" else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[filled.offset:filled.offset + len(filled) + 1]
    data = memoryview(data_buf)[int(offsets[0]):] if data_buf is not None else memoryview(b"")
    bounds = (offsets - offsets[0]).tolist()
    copy = _DRAW_KEY_HASH.copy
    digests: list[bytes] = []
    append = digests.append
    for a, b in zip(bounds, bounds[1:], strict=False):
        h = copy()
        h.update(data[a:b])
        append(h.digest())
    keys: list[int | None] = (np.frombuffer(b"".join(digests), dtype=">u8") >> np.uint64(2)).tolist()
    if refs.null_count or (np.diff(offsets) == 0).any():
        present = (np.diff(offsets) > 0) & ~np.asarray(refs.is_null().to_numpy(zero_copy_only=False))
        keys = [k if p else None for k, p in zip(keys, present.tolist(), strict=True)]
    return keys


def hash_rows(joined: Any, start: Any, cut: int) -> tuple[list[str], list[int]]:
    """A copy of the hash `start` updated with each row's text (its UTF-8 bytes, from Arrow's buffers): hex
    digests (cut to `cut` characters, 0: whole); and the rows' offsets in the text."""
    import numpy as np

    if hasattr(joined, "combine_chunks"):
        joined = joined.combine_chunks()
    _, offsets_buf, data_buf = joined.buffers()
    width = np.int64 if str(joined.type) == "large_string" else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[joined.offset:joined.offset + len(joined) + 1]
    data = memoryview(data_buf)[int(offsets[0]):] if data_buf is not None else memoryview(b"")
    copy = start.copy
    out: list[str] = []
    append = out.append
    bounds = (offsets - offsets[0]).tolist()
    if cut:
        for a, b in zip(bounds, bounds[1:], strict=False):
            h = copy()
            h.update(data[a:b])
            append(h.hexdigest()[:cut])
    else:
        for a, b in zip(bounds, bounds[1:], strict=False):
            h = copy()
            h.update(data[a:b])
            append(h.hexdigest())
    return out, bounds


def digests(raw: list[Any], sig: Any) -> tuple[list[str], list[int]]:
    """Each row's import digest as the reference converter works it out: SHA-1 (keyed by the mapping's signature)
    of its cells joined by \\x1f, as 32 hex characters - hashed straight from Arrow's buffers; and the offsets
    of the rows in that joined text."""
    import pyarrow.compute as pc

    joined = pc.binary_join_element_wise(*raw, "\x1f") if len(raw) > 1 else raw[0]
    return hash_rows(joined, sig, 32)
