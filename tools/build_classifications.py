"""Build cdi_workbench/resources/classifications.csv from the Home Office 2026-27 list and the ONS 2018 hierarchy.

Run: python tools/build_classifications.py ../shared/data
Codes in both lists keep the 2026-27 wording. 'Outcomes only' codes are not offered for recording.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def offence_group(cls: str, sub: str, label: str) -> str:
    c, s = cls.lower(), sub.lower()
    if "fraud" in c or "fraud" in s:
        return "fraud"
    if c.startswith("violence against the person"):
        return "vap"
    if c.startswith("sexual"):
        return "rape" if s == "rape" or label.lower().startswith("rape") else "sexual"
    return "other"


def main(data_dir: Path, out: Path) -> None:
    rows: dict[str, dict[str, str]] = {}
    with open(data_dir / "ons_crime_offence_hierarchy_2018.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if "outcomes only" in r["offence"].lower():
                continue
            code = r["ho_code"].strip().upper()
            rows[code] = {"code": code, "label": r["offence"].strip(), "class": r["offence_group"],
                          "sub_class": r["offence_subgroup"], "in_2018": "Y", "in_2026": "N"}
    with open(data_dir / "ho_offence_categories_2026-27.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["ho_class_code"].strip().upper()
            if not code:
                continue
            old = rows.get(code)
            rows[code] = {"code": code, "label": r["offence_category"].strip(), "class": r["class"].strip(),
                          "sub_class": r["sub_class"].strip().capitalize(),
                          "in_2018": old["in_2018"] if old else "N", "in_2026": "Y"}
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["code", "label", "class", "sub_class", "offence_group", "in_2018", "in_2026"])
        w.writeheader()
        for code in sorted(rows, key=lambda c: (len(c.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), c)):
            r = rows[code]
            w.writerow({**r, "offence_group": offence_group(r["class"], r["sub_class"], r["label"])})
    print(f"wrote {len(rows)} codes to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"),
         Path(__file__).resolve().parent.parent / "cdi_workbench" / "resources" / "classifications.csv")
