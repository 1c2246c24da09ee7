"""Proximity search and map benchmark (docs/performance.md T1, T2, T3, T5).

Builds N members spread like France's population (communes drawn by population,
points spread around the town hall, snapped like the services do: res 7, coarser
for small communes, some members at district/area precision) in a SEPARATE bench
database per backend, then runs the same random searches (k=20, with and without
filters) through the project's own search service (`sorority.places.search.nearest`,
no HTTP), checks every answer against a brute-force scan (numpy), and, on
PostgreSQL, runs the same searches with PostGIS geography KNN (`ORDER BY geog <->
origin LIMIT k`, GiST index) on the same points as the reference. Finally it
times the map selector (`selectors.map_cells`) at zooms 5-15.

    .venv/bin/python bench/proximity.py                       # 1,000,000 members, SQLite
    .venv/bin/python bench/proximity.py --members 200000 \\
        --pg postgres://postgres@127.0.0.1:5432/sorority_bench   # + PostgreSQL + PostGIS

The bench databases (var/bench_proximity_<N>.sqlite3 and the --pg database) are
reused when they already hold N members; they are never the test databases.
Each backend runs in its own child process (Django binds one database per
process); the parent prints the comparison.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILTER_MIXES = ("none", "support_kind", "bed_available", "selective")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values) if values else float("nan"),
    }


# --------------------------------------------------------------------------- #
# Child: one backend
# --------------------------------------------------------------------------- #


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings

    # DEBUG on (no production secrets needed) but no query logging: a debug cursor
    # records every SQL statement and would slow the measured path down.
    settings.DEBUG = False


def _ensure_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _population_sampler(rng: random.Random):
    from sorority.places import gazetteer

    communes = [
        c for c in gazetteer.all_communes() if c.code not in {"75056", "69123", "13055"}
    ]
    cum = list(itertools.accumulate(max(c.population, 1) for c in communes))

    def draw():
        return rng.choices(communes, cum_weights=cum, k=1)[0]

    return draw


def _point(rng: random.Random, commune) -> tuple[float, float]:
    spread_km = min(8.0, 0.5 + math.sqrt(commune.population) / 150)
    d = spread_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = commune.lat + (d / 111.2) * math.cos(theta)
    lng = commune.lng + (d / (111.2 * math.cos(math.radians(commune.lat)))) * math.sin(theta)
    return lat, lng


def _build(n: int, seed: int, log) -> None:
    """Create n bench members with search rows, then the map roll-up."""
    from django.db import connection, transaction

    from sorority.accounts.models import User
    from sorority.places import geo
    from sorority.places.models import CellCount, OfferIndex
    from sorority.places.services import rebuild_cell_counts

    rng = random.Random(seed)
    draw = _population_sampler(rng)
    t0 = time.perf_counter()
    with transaction.atomic():
        OfferIndex.objects.all().delete()
        CellCount.objects.all().delete()
        User.objects.filter(email__startswith="bench-").delete()
    log(f"  cleared in {time.perf_counter() - t0:.1f}s")

    fields = [f for f in User._meta.local_concrete_fields if not f.primary_key]
    fixed = {
        f.column: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.column not in {"email", "display_name", "status", "password", "date_joined"}
    }
    from django.utils import timezone

    now = fields[0].model._meta.get_field("date_joined").get_db_prep_save(
        timezone.now(), connection
    )
    cols = ["email", "display_name", "status", "password", "date_joined", *fixed]
    qn = connection.ops.quote_name
    user_sql = (
        f"INSERT INTO {qn(User._meta.db_table)} ({', '.join(qn(c) for c in cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))})"
    )
    fixed_values = list(fixed.values())
    batch = 20000
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for start in range(0, n, batch):
            rows = [
                (f"bench-{i}@bench.invalid", f"B{i}", "member", "!", now, *fixed_values)
                for i in range(start, min(n, start + batch))
            ]
            with transaction.atomic():
                cursor.executemany(user_sql, rows)
    ids = dict(
        User.objects.filter(email__startswith="bench-").values_list("email", "id")
    )
    log(f"  {n:,} users in {time.perf_counter() - t0:.1f}s")

    t0 = time.perf_counter()
    offer_cols = [
        "kind", "member_id", "available", "immediate", "assoc_only", "kinds_mask",
        "place_type", "adults", "children", "animals_mask", "step_free", "max_nights",
        "men_at_night", "cell", "res", "pub_lat", "pub_lng", "band",
    ]
    offer_sql = (
        f"INSERT INTO {qn(OfferIndex._meta.db_table)} "
        f"({', '.join(qn(c) for c in offer_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(offer_cols))})"
    )
    rows: list[tuple] = []
    total = 0

    def flush() -> None:
        nonlocal rows, total
        if rows:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(offer_sql, rows)
            total += len(rows)
            rows = []

    for i in range(n):
        commune = draw()
        lat, lng = _point(rng, commune)
        res = geo.coarsen_for_commune(7, commune.population)
        u = rng.random()
        if u < 0.05:
            res = min(res, 5)
        elif u < 0.2:
            res = min(res, 6)
        cell = geo.snap(lat, lng, res)
        plat, plng = geo.cell_center(cell)
        band = geo.band(plat)
        member = ids[f"bench-{i}@bench.invalid"]
        if rng.random() < 0.6:
            rows.append((
                1, member, True, True, False, rng.randrange(1, 128), 0, 0, 0, 0,
                False, 0, False, cell, res, plat, plng, band,
            ))
        if rng.random() < 0.35:
            mode = rng.random()
            rows.append((
                2, member, mode < 0.9, mode < 0.4, rng.random() < 0.1, 0,
                rng.randint(1, 3), rng.randint(1, 3), rng.choice([0, 0, 1, 2, 3]),
                rng.randrange(0, 8), rng.random() < 0.3, rng.choice([1, 2, 3, 7, 14, 30]),
                rng.random() < 0.15, cell, res, plat, plng, band,
            ))
        if len(rows) >= batch:
            flush()
    flush()
    log(f"  {total:,} offer rows in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    cells = rebuild_cell_counts()
    log(f"  {cells:,} map cells in {time.perf_counter() - t0:.1f}s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _queries(count: int, seed: int) -> list[dict]:
    """Random searches: origins where people live (80 %) or anywhere in France."""
    from sorority.places import search

    rng = random.Random(seed + 1)
    draw = _population_sampler(rng)
    out = []
    for i in range(count):
        if rng.random() < 0.8:
            c = draw()
            lat, lng = c.lat, c.lng
        else:
            lat, lng = rng.uniform(42.5, 51.0), rng.uniform(-4.5, 8.0)
        mix = FILTER_MIXES[i % len(FILTER_MIXES)]
        if mix == "none":
            kind, filters = 1, search.Filters()
        elif mix == "support_kind":
            kind, filters = 1, search.Filters(kinds=("police",))
        elif mix == "bed_available":
            kind, filters = 2, search.Filters(adults=2, immediate=True)
        else:  # ~2 % of hosts
            kind, filters = 2, search.Filters(
                children=2, animals=("dog",), step_free=True, no_men_at_night=True
            )
        out.append({"lat": lat, "lng": lng, "kind": kind, "filters": filters, "mix": mix})
    return out


class Brute:
    """Brute-force reference over every row, vectorised with numpy."""

    def __init__(self) -> None:
        import numpy as np
        from django.db import connection

        from sorority.accounts.models import User
        from sorority.places.models import OfferIndex

        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT o.member_id, o.kind, o.available, o.immediate, o.assoc_only, "
                f"o.kinds_mask, o.adults, o.children, o.animals_mask, o.step_free, "
                f"o.men_at_night, o.max_nights, o.place_type, o.pub_lat, o.pub_lng "
                f"FROM {qn(OfferIndex._meta.db_table)} o JOIN {qn(User._meta.db_table)} u "
                f"ON u.id = o.member_id WHERE u.status = 'member' AND u.is_active"
                + (" = 1" if connection.vendor == "sqlite" else "")
            )
            rows = cursor.fetchall()
        a = np.array(rows, dtype=np.float64)
        self.np = np
        self.member = a[:, 0].astype(np.int64)
        (self.kind, self.available, self.immediate, self.assoc_only) = (
            a[:, 1], a[:, 2] > 0, a[:, 3] > 0, a[:, 4] > 0
        )
        self.kinds_mask = a[:, 5].astype(np.int64)
        self.adults, self.children = a[:, 6], a[:, 7]
        self.animals_mask = a[:, 8].astype(np.int64)
        self.step_free, self.men = a[:, 9] > 0, a[:, 10] > 0
        self.nights, self.place_type = a[:, 11], a[:, 12]
        self.lat, self.lng = np.radians(a[:, 13]), np.radians(a[:, 14])
        self.pub_lat, self.pub_lng = a[:, 13], a[:, 14]

    def nearest(self, q: dict, k: int) -> list[tuple[float, int]]:
        from sorority.places import geo
        from sorority.places.models import ANIMALS, SUPPORT_KINDS, mask_of

        np = self.np
        f = q["filters"]
        m = (self.kind == q["kind"]) & self.available
        if q["kind"] == 1:
            if f.kinds:
                m &= (self.kinds_mask & mask_of(f.kinds, SUPPORT_KINDS)) != 0
        else:
            m &= ~self.assoc_only
            want = mask_of(f.animals, ANIMALS)
            m &= (self.adults >= f.adults) & (self.children >= f.children)
            m &= (self.animals_mask & want) == want
            m &= self.nights >= f.nights
            if f.step_free:
                m &= self.step_free
            if f.immediate:
                m &= self.immediate
            if f.no_men_at_night:
                m &= ~self.men
        idx = np.nonzero(m)[0]
        phi1, lmb1 = math.radians(q["lat"]), math.radians(q["lng"])
        dphi = self.lat[idx] - phi1
        dlmb = self.lng[idx] - lmb1
        h = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(self.lat[idx]) * np.sin(dlmb / 2) ** 2
        d = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        if len(idx) == 0:
            return []
        # Every row within float noise of the k-th smallest distance (ties included:
        # many members share a cell), then exact re-ranking with the engine's own
        # haversine and the same (distance, member id) order.
        kth_approx = np.partition(d, k - 1)[k - 1] if len(d) >= k else np.inf
        sel = np.nonzero(d <= kth_approx + 1e-6)[0]
        cand = sorted(
            (geo.haversine_km(q["lat"], q["lng"], self.pub_lat[idx[j]], self.pub_lng[idx[j]]),
             int(self.member[idx[j]]))
            for j in sel
        )
        return cand[:k]


def _postgis(queries: list[dict], k: int, log) -> dict:
    from django.db import connection

    from sorority.places.models import ANIMALS, SUPPORT_KINDS, OfferIndex, mask_of

    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except Exception as exc:
            log(f"  PostGIS unavailable: {exc}")
            return {}
        cursor.execute("SELECT to_regclass('bench_geog')")
        count = None
        if cursor.fetchone()[0]:
            cursor.execute("SELECT count(*) FROM bench_geog")
            count = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {qn(OfferIndex._meta.db_table)}")
        if count != cursor.fetchone()[0]:
            t0 = time.perf_counter()
            cursor.execute("DROP TABLE IF EXISTS bench_geog")
            cursor.execute(
                "CREATE TABLE bench_geog AS SELECT member_id, kind, available, immediate, "
                "assoc_only, kinds_mask, adults, children, animals_mask, step_free, "
                "men_at_night, max_nights, "
                "ST_SetSRID(ST_MakePoint(pub_lng, pub_lat), 4326)::geography AS geog "
                f"FROM {qn(OfferIndex._meta.db_table)}"
            )
            cursor.execute("CREATE INDEX bench_geog_gist ON bench_geog USING gist (geog)")
            cursor.execute("ANALYZE bench_geog")
            log(f"  PostGIS table + GiST index in {time.perf_counter() - t0:.1f}s")
        times: list[float] = []
        by_mix: dict[str, list[float]] = {}
        answers = []
        for q in queries:
            f = q["filters"]
            where = ["kind = %s", "available"]
            params: list = [q["kind"]]
            if q["kind"] == 1 and f.kinds:
                where.append("(kinds_mask & %s) <> 0")
                params.append(mask_of(f.kinds, SUPPORT_KINDS))
            if q["kind"] == 2:
                want = mask_of(f.animals, ANIMALS)
                where += [
                    "NOT assoc_only", "adults >= %s", "children >= %s",
                    "(animals_mask & %s) = %s", "max_nights >= %s",
                ]
                params += [f.adults, f.children, want, want, f.nights]
                if f.step_free:
                    where.append("step_free")
                if f.immediate:
                    where.append("immediate")
                if f.no_men_at_night:
                    where.append("NOT men_at_night")
            sql = (
                "SELECT member_id FROM bench_geog WHERE " + " AND ".join(where)
                + " ORDER BY geog <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography "
                "LIMIT %s"
            )
            t0 = time.perf_counter()
            cursor.execute(sql, [*params, q["lng"], q["lat"], k])
            ids = [r[0] for r in cursor.fetchall()]
            ms = (time.perf_counter() - t0) * 1000
            times.append(ms)
            by_mix.setdefault(q["mix"], []).append(ms)
            answers.append(ids)
    return {"times": times, "answers": answers, "by_mix": by_mix}


def _map(seed: int, log) -> dict:
    from sorority.accounts.models import User
    from sorority.places import selectors

    user, _ = User.objects.get_or_create(
        email="bench-viewer@bench.invalid",
        defaults={"display_name": "Viewer", "status": "member"},
    )
    rng = random.Random(seed + 2)
    # A viewer blocked by 10 bench members and blocking 10 others: her counts are
    # corrected for them (selectors._hidden_from), as on a real account.
    from sorority.accounts.models import Block
    from sorority.places.models import OfferIndex

    others = list(OfferIndex.objects.values_list("member_id", flat=True)[:5000])
    for i, other in enumerate(rng.sample(others, 20)):
        pair = {"blocker_id": user.pk, "blocked_id": other}
        if i % 2:
            pair = {"blocker_id": other, "blocked_id": user.pk}
        Block.objects.get_or_create(**pair)
    draw = _population_sampler(rng)
    out = {}
    for zoom in range(5, 16):
        times, sizes, cells = [], [], []
        for i in range(60):
            c = draw()
            w = 1280 * 360 / (256 * 2**zoom)
            h = 800 * 360 / (256 * 2**zoom) * math.cos(math.radians(c.lat))
            bbox = (
                max(-90.0, c.lat - h / 2), max(-180.0, c.lng - w / 2),
                min(90.0, c.lat + h / 2), min(180.0, c.lng + w / 2),
            )
            layer = "support" if i % 2 else "safe_place"
            t0 = time.perf_counter()
            data = selectors.map_cells(user, bbox=bbox, zoom=zoom, layer=layer)
            body = json.dumps(data, separators=(",", ":"))
            times.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(body))
            cells.append(len(data["cells"]))
        out[zoom] = {**summary(times), "max_bytes": max(sizes), "max_cells": max(cells)}
    return out


def child(args: argparse.Namespace) -> None:
    url = args.database_url
    if url.startswith("postgres"):
        _ensure_pg_database(url)
    _setup(url)
    from django.core.management import call_command
    from django.db import connection

    from sorority.accounts.models import User
    from sorority.places import search

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log(f"[{connection.vendor}] migrating bench database")
    call_command("migrate", verbosity=0)
    have = (
        User.objects.filter(email__startswith="bench-", status="member")
        .exclude(email="bench-viewer@bench.invalid")
        .count()
    )
    if have != args.members:
        log(f"[{connection.vendor}] building {args.members:,} members")
        User.objects.filter(email="bench-viewer@bench.invalid").delete()
        _build(args.members, args.seed, log)
    else:
        log(f"[{connection.vendor}] reusing {args.members:,} members")

    queries = _queries(args.queries, args.seed)
    # Warm-up (gazetteer caches, connection, page cache).
    for q in queries[:20]:
        search.nearest(lat=q["lat"], lng=q["lng"], kind=q["kind"], filters=q["filters"], limit=args.k)
    times: dict[str, list[float]] = {m: [] for m in ("all", *FILTER_MIXES)}
    candidates: list[int] = []
    rounds: list[int] = []
    answers = []
    for q in queries:
        t0 = time.perf_counter()
        page = search.nearest(
            lat=q["lat"], lng=q["lng"], kind=q["kind"], filters=q["filters"], limit=args.k
        )
        ms = (time.perf_counter() - t0) * 1000
        times["all"].append(ms)
        times[q["mix"]].append(ms)
        candidates.append(page.candidates)
        rounds.append(page.rounds)
        answers.append([(h.distance_km, h.member_id) for h in page.hits])

    log(f"[{connection.vendor}] brute force check")
    brute = Brute()
    mismatches = 0
    for q, got in zip(queries, answers, strict=True):
        expected = brute.nearest(q, args.k)
        if [m for _, m in got] != [m for _, m in expected]:
            mismatches += 1
    result = {
        "vendor": connection.vendor,
        "members": args.members,
        "rows": brute.member.size,
        "search": {m: summary(v) for m, v in times.items()},
        "candidates": summary([float(c) for c in candidates]),
        "rounds": summary([float(r) for r in rounds]),
        "mismatches": mismatches,
        "queries": len(queries),
    }
    if connection.vendor == "postgresql" and not args.no_postgis:
        log("[postgresql] PostGIS geography KNN reference")
        pg = _postgis(queries, args.k, log)
        if pg:
            # PostGIS breaks ties (members sharing a cell) its own way: count a
            # query as exact when its k distances equal the brute-force ones.
            where = {
                m: (la, ln) for m, la, ln in zip(
                    brute.member.tolist(), brute.pub_lat.tolist(), brute.pub_lng.tolist(),
                    strict=True,
                )
            }
            from sorority.places import geo

            ok = 0
            for q, ids in zip(queries, pg["answers"], strict=True):
                expected = [round(d, 6) for d, _ in brute.nearest(q, args.k)]
                got = sorted(
                    round(geo.haversine_km(q["lat"], q["lng"], *where[m]), 6) for m in ids
                )
                ok += got == expected
            result["postgis"] = {
                **summary(pg["times"]),
                "exact_answers": ok,
                "by_mix": {m: summary(v) for m, v in pg["by_mix"].items()},
            }
    log(f"[{connection.vendor}] map viewports")
    result["map"] = _map(args.seed, log)
    print("RESULT " + json.dumps(result))


# --------------------------------------------------------------------------- #
# Parent: run the backends and compare
# --------------------------------------------------------------------------- #


def _run_child(args: argparse.Namespace, url: str) -> dict:
    cmd = [
        sys.executable, __file__, "--child", "--database-url", url,
        "--members", str(args.members), "--queries", str(args.queries),
        "--k", str(args.k), "--seed", str(args.seed),
    ]
    if args.no_postgis:
        cmd.append("--no-postgis")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)  # noqa: S603
    sys.stderr.write(proc.stderr[-4000:] if proc.returncode else "")
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"bench child failed ({url}):\n{proc.stderr[-4000:]}")


def _print(results: list[dict]) -> None:
    print()
    for r in results:
        print(f"== {r['vendor']}: {r['members']:,} members, {r['rows']:,} offer rows, "
              f"{r['queries']} searches (k=20), service call, ms ==")
        print(f"{'filter':<15}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
        for mix, s in r["search"].items():
            print(f"{mix:<15}{s['n']:>5}{s['p50']:>9.3f}{s['p95']:>9.3f}{s['p99']:>9.3f}{s['max']:>9.3f}")
        c = r["candidates"]
        rr = r["rounds"]
        print(f"rows fetched per search (last round): p50 {c['p50']:.0f}, p99 {c['p99']:.0f}; "
              f"rounds p50 {rr['p50']:.0f}, p99 {rr['p99']:.0f}")
        print(f"exactness vs brute force: {r['queries'] - r['mismatches']}/{r['queries']} "
              f"identical (recall {(r['queries'] - r['mismatches']) / r['queries']:.1%})")
        if "postgis" in r:
            p = r["postgis"]
            print(f"PostGIS geography KNN: p50 {p['p50']:.3f}  p95 {p['p95']:.3f}  "
                  f"p99 {p['p99']:.3f} ms; same k distances as brute force {p['exact_answers']}/{p['n']}")
            for mix, m in p["by_mix"].items():
                ours = r["search"][mix]
                print(f"  {mix:<15} PostGIS p50 {m['p50']:8.3f} p95 {m['p95']:8.3f} | ours p50 "
                      f"{ours['p50']:8.3f} p95 {ours['p95']:8.3f}")
        print("map viewport (1280x800 px), selector + JSON, ms:")
        print(f"{'zoom':>5}{'p50':>9}{'p95':>9}{'max cells':>11}{'max bytes':>11}")
        for zoom, s in r["map"].items():
            print(f"{zoom:>5}{s['p50']:>9.3f}{s['p95']:>9.3f}{s['max_cells']:>11}{s['max_bytes']:>11}")
        print()
    reference = next((r["postgis"] for r in results if "postgis" in r), None)
    if reference:
        print("== ratios against PostGIS geography KNN p95 (same run, same points) ==")
        for r in results:
            ratio = r["search"]["all"]["p95"] / reference["p95"]
            target = 1.0 if r["vendor"] == "sqlite" else 1.5
            verdict = "OK" if ratio <= target else "over target"
            print(f"{r['vendor']:<12} p95 {r['search']['all']['p95']:.3f} ms / "
                  f"{reference['p95']:.3f} ms = {ratio:.2f}  (target <= {target}) {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", default="", help="PostgreSQL URL of a bench database")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgis", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    urls = []
    if not args.no_sqlite:
        path = ROOT / "var" / f"bench_proximity_{args.members}.sqlite3"
        urls.append(f"sqlite:///{path}")
    if args.pg:
        base, name = args.pg.rsplit("/", 1)
        if "bench" not in name:  # never the suite's database: use a sibling
            name = f"{name}_bench_proximity"
        urls.append(f"{base}/{name}")
    results = [_run_child(args, url) for url in urls]
    _print(results)


if __name__ == "__main__":
    main()
