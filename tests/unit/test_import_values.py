"""Cell values as forces export them (no disk): dates and times, numbers, yes/no, codes, references."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdi_workbench.importing.kinds import KINDS
from cdi_workbench.importing.rows import Converter
from cdi_workbench.importing.seen import SeenKeys
from cdi_workbench.importing.values import (
    Bad,
    datetime_parser,
    excel_serial,
    from_stored_text,
    parse_age,
    parse_bool,
    parse_code,
    parse_group,
    parse_moment,
    parse_month,
    parse_status,
    refs_parser,
    stored_text,
)


def stored(text: str) -> datetime:
    return from_stored_text(datetime_parser()(text))


@pytest.mark.parametrize(("text", "utc"), [
    ("14/03/2014 21:14", datetime(2014, 3, 14, 21, 14)),  # GMT
    ("01/07/2014 00:30", datetime(2014, 6, 30, 23, 30)),  # BST: the day before in UTC
    ("1/7/2014 9:05", datetime(2014, 7, 1, 8, 5)),
    ("01/07/2014 09:05:30", datetime(2014, 7, 1, 8, 5, 30)),
    ("01/07/2014", datetime(2014, 6, 30, 23, 0)),
    ("2014-07-01", datetime(2014, 6, 30, 23, 0)),
    ("2014-07-01T09:05:30", datetime(2014, 7, 1, 8, 5, 30)),
    ("2014-07-01 09:05:30.250", datetime(2014, 7, 1, 8, 5, 30, 250000)),
    ("2014-07-01T09:05:30Z", datetime(2014, 7, 1, 9, 5, 30)),
    ("2014-07-01T09:05:30+02:00", datetime(2014, 7, 1, 7, 5, 30)),
    ("2014-07-01T09:05-0500", datetime(2014, 7, 1, 14, 5)),
    ("41821.5", datetime(2014, 7, 1, 11, 0)),  # Excel serial: noon UK time
    ("41640", datetime(2014, 1, 1, 0, 0)),
    ("30/03/2014 00:30", datetime(2014, 3, 30, 0, 30)),  # the clocks go forward at 01:00
    ("30/03/2014 02:30", datetime(2014, 3, 30, 1, 30)),
    ("26/10/2014 01:30", datetime(2014, 10, 26, 0, 30)),  # the repeated hour: the first (BST) one
    ("26/10/2014 02:30", datetime(2014, 10, 26, 2, 30)),
])
def test_dates_and_times_are_uk_local_stored_utc(text: str, utc: datetime) -> None:
    assert stored(text) == utc.replace(tzinfo=UTC)


@pytest.mark.parametrize("text", ["31/02/2014", "32/01/2014 10:00", "01/13/2014", "yesterday", "2014-02-30",
                                  "01/01/2014 25:00", "01/01/2014 10:61", "01/01/1850", "0", "2958466", "14/03/14",
                                  "2014-07-01T09:05+25:00"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(Bad):
        datetime_parser()(text)


def test_excel_cells_and_hints() -> None:
    parse = datetime_parser()
    assert from_stored_text(parse(datetime(2014, 7, 1, 12, 0))) == datetime(2014, 7, 1, 11, 0, tzinfo=UTC)
    assert from_stored_text(parse(date(2014, 1, 1))) == datetime(2014, 1, 1, tzinfo=UTC)
    assert from_stored_text(parse(41821.5)) == datetime(2014, 7, 1, 11, 0, tzinfo=UTC)
    assert excel_serial(59.5) == datetime(1900, 2, 28, 12, 0)  # before the 29/02/1900 Excel counts wrongly
    us = datetime_parser(("%m/%d/%Y %I:%M %p",))
    assert from_stored_text(us("07/01/2014 09:05 PM")) == datetime(2014, 7, 1, 20, 5, tzinfo=UTC)
    assert from_stored_text(us("13/01/2014 09:05")) == datetime(2014, 1, 13, 9, 5, tzinfo=UTC)  # falls back


@settings(max_examples=500, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)),
       st.sampled_from(["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%d/%m/%Y"]))
def test_fast_path_agrees_with_zoneinfo(moment: datetime, fmt: str) -> None:
    text = moment.strftime(fmt)
    assert datetime_parser()(text) == stored_text(parse_moment(text))


def test_other_values() -> None:
    assert [parse_bool(v) for v in ("Y", "yes", "TRUE", "1", "n", "No", "false", "0", True)] == \
        [True] * 4 + [False] * 4 + [True]
    with pytest.raises(Bad):
        parse_bool("maybe")
    assert parse_age("34") == 34 and parse_age(34.0) == 34 and parse_age("0") == 0
    for bad in ("34.5", "-1", "121", "x", "nan"):
        with pytest.raises(Bad):
            parse_age(bad)
    assert parse_month("2013-06") == "2013-06" and parse_month("6/2013") == "2013-06"
    assert parse_month(date(2013, 6, 5)) == "2013-06"
    with pytest.raises(Bad):
        parse_month("2013-13")
    assert parse_code("008n") == "8N" and parse_code("105a") == "105A"
    with pytest.raises(Bad, match="unknown Home Office code"):
        parse_code("99Z")
    assert [parse_status(v) for v in ("Recorded", "NO CRIME", "no-crime", "Transferred")] == \
        ["recorded", "cancelled", "cancelled", "transferred"]
    assert [parse_group(v) for v in ("VAP", "Rape", "sexual offences", "All other offences")] == \
        ["vap", "rape", "sexual", "other"]
    refs = refs_parser(";,", 10)
    assert refs(" CR-1 ;CR-2,, CR-1 ") == "CR-1;CR-2" and refs("CR-9") == "CR-9" and refs(123) == "123"
    with pytest.raises(Bad, match="too long"):
        refs("CR-1;CR-123456789")


def test_converter_in_memory() -> None:
    conv = Converter(["Incident_Ref", "received at", "narrative", "Beat"], KINDS["incidents"], user="me")
    key, values, extra, digest, problems, skip = conv.convert([" INC-1 ", "01/07/2014 10:00", "log", "4B"])
    record = conv.record(values)
    assert key == "INC-1" and problems is None and skip is None
    assert record["ref"] == "INC-1" and record["kind"] == "incident" and record["system"] == "Incident"
    assert record["received_at"] == "2014-07-01 09:00:00.000000" and record["crime_refs"] == ""
    assert extra == '{"Beat": "4B"}' and record["import_hash"] == digest and len(digest) == 32
    assert conv.convert([" INC-1 ", "01/07/2014 10:00", "log", "4B"])[3] == digest
    assert conv.convert(["INC-1", "01/07/2014 10:00", "log", "4C"])[3] != digest
    _, _, _, _, problems, _ = conv.convert(["", "bad", "log"])
    assert problems == [("received at", "bad", problems[0][2]), ("Incident_Ref", "", "missing reference")]


def test_seen_keys_find_first_rows() -> None:
    seen = SeenKeys()
    for start in range(0, 40_000, 5000):
        hashes = np.arange(start, start + 5000, dtype=np.int64) * 7919
        assert (seen.find(hashes) == -1).all()
        seen.add(hashes, range(start + 2, start + 5002), [0] * 5000)
    found = seen.find(np.array([7919 * 12345, 5, 7919 * 39999], dtype=np.int64))
    assert found[1] == -1
    assert seen.first(int(found[0]))[0] == 12347 and seen.first(int(found[2]))[0] == 40001
    assert len(seen) == 40_000


def test_every_canonical_column_lands_in_a_model_column() -> None:
    for kind in KINDS.values():
        assert kind.key in kind.field_names and kind.key in kind.required
        for f in kind.fields:
            assert f.column in kind.table.c, (kind.name, f.name)
    assert KINDS["incidents"].max_length("ref") == 60 and KINDS["crimes"].max_length("ho_code") == 10
    delta = stored("01/01/2014 00:00") - stored("31/12/2013 23:00")
    assert delta == timedelta(hours=1)


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_importers_draw_key_is_the_stored_draw_key(ref: str) -> None:
    from cdi_workbench.draw_keys import draw_key
    from cdi_workbench.importing.rows import fast_draw_key

    assert fast_draw_key(ref) == draw_key(ref)
    assert fast_draw_key(ref + "\udc80") == draw_key(ref + "\udc80")  # a lone surrogate, as errors='surrogateescape'
