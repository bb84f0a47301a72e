"""Currency names and signs from maintained data (Babel's CLDR tables, pycountry), as ISO 4217 codes.

The hand-written table in ``rules/units.yaml`` holds the currencies news names most and the
forms it writes them in ("C$", "rupees"). This module is the fallback for the long tail:
every currency CLDR names in English, singular and plural ("Turkish lira", "Dutch guilders",
"Finnish markkas", historic ones included), and the signs CLDR gives each currency in the
languages of the countries that use it ("₾" for the lari, "₭" for the kip). A table kept by
others is both larger and more correct than one we would copy out by hand.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

# Words that are currency names to CLDR but ordinary words after a number in news text:
# "5 gold medals", "10 silver", "Sucre" (a city). Precious metals have codes (XAU), not coins.
_NOT_MONEY = {"gold", "silver", "palladium", "platinum", "sucre"}


@functools.lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    """Lowercase English currency name (singular and plural) -> ISO code."""
    try:
        from babel import Locale
    except ImportError:  # Babel missing: only the rules table is used
        return {}
    en = Locale("en")
    out: dict[str, str] = {}
    for code, name in en.currencies.items():
        if name.lower() not in _NOT_MONEY and not code.startswith("X"):
            out.setdefault(name.lower(), code)
    for code, forms in en._data["currency_names_plural"].items():
        if code.startswith("X"):
            continue
        for form in forms.values() if hasattr(forms, "values") else [forms]:
            if form.lower() not in _NOT_MONEY:
                out.setdefault(form.lower(), code)
    return out


def currency_by_name(name: str) -> str | None:
    """ISO code of a currency named in English ("turkish lira", "Dutch guilders"), or None.

    A name CLDR lacks but written "<country> <currency word>" ("netherlands guilder") is
    looked up among the currencies that country has used whose name ends in that word.
    """
    key = re.sub(r"\s+", " ", name.strip().lower())
    if not key:
        return None
    got = _english_names().get(key)
    if got:
        return got
    parts = key.rsplit(" ", 1)
    if len(parts) == 2:
        return _country_currency(parts[0], parts[1])
    return None


@functools.lru_cache(maxsize=512)
def _country_currency(country: str, word: str) -> str | None:
    """The currency of ``country`` (any period) whose English name's last word starts with ``word``."""
    try:
        import pycountry
        from babel import Locale
        from babel.numbers import get_territory_currencies
    except ImportError:
        return None
    try:
        found = pycountry.countries.lookup(country)
    except LookupError:
        return None
    import datetime

    codes = get_territory_currencies(
        found.alpha_2, start_date=datetime.date(1800, 1, 1), end_date=datetime.date.today(), non_tender=True
    )
    names = Locale("en").currencies
    hits = [c for c in codes if c in names and names[c].lower().split()[-1].startswith(word[:5]) and len(word) >= 3]
    return hits[0] if len(hits) == 1 else None


def is_currency_sign(ch: str) -> bool:
    """A character Unicode files as a currency symbol ("₾", "₭", "₿")."""
    return len(ch) == 1 and unicodedata.category(ch) == "Sc"


#: The sign table below, built once from CLDR and shipped: building it parses about 150
#: locales, which costs each extraction worker about 100 MB that Python never gives back.
#: ``tests/test_currency_names.py`` checks it against the installed Babel;
#: ``python -m checker.currency_names`` rewrites it after a Babel upgrade.
SIGNS_FILE = Path(__file__).with_name("currency_signs.json")


@functools.lru_cache(maxsize=1)
def _signs() -> dict[str, str]:
    """Currency sign -> ISO code (the shipped table of :func:`signs_from_cldr`)."""
    try:
        return json.loads(SIGNS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a broken install: build it (slower, larger)
        return signs_from_cldr()


def signs_from_cldr() -> dict[str, str]:
    """Currency sign -> ISO code, from CLDR: each currency's symbol in English and in the
    official languages of the countries whose tender it is. A sign shared by several
    currencies ("$", "kr") is kept only when English gives it to one of them."""
    try:
        from babel import Locale, UnknownLocaleError
        from babel.languages import get_official_languages
        from babel.numbers import get_territory_currencies
    except ImportError:
        return {}
    en = Locale("en").currency_symbols
    out: dict[str, set[str]] = {}
    for code, sym in en.items():
        if sym != code:
            out.setdefault(sym, set()).add(code)
    from babel.core import get_global

    for territory in get_global("territory_currencies"):
        for code in get_territory_currencies(territory):
            for lang in get_official_languages(territory, de_facto=True)[:2]:
                try:
                    sym = Locale.parse(f"{lang}_{territory}").currency_symbols.get(code)
                except (UnknownLocaleError, ValueError):
                    continue
                if sym and sym != code and any(is_currency_sign(c) for c in sym):
                    out.setdefault(sym, set()).add(code)
    english = {sym: code for code, sym in en.items()}
    return {
        s: (next(iter(c)) if len(c) == 1 else english.get(s, "")) for s, c in out.items() if len(c) == 1 or s in english
    }


def currency_by_sign(sign: str) -> str | None:
    """ISO code of a currency sign CLDR knows ("₾" -> GEL, "MX$" -> MXN), or None."""
    got = _signs().get(sign.strip())
    return got or None


if __name__ == "__main__":
    SIGNS_FILE.write_text(
        json.dumps(signs_from_cldr(), ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8"
    )
    print(f"wrote {SIGNS_FILE}")
