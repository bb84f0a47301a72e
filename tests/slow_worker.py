"""A worker initializer for tests: articles whose text holds SLOW take two minutes to
extract; STUCK, ten minutes deaf to the time budget's alarm (as in a call into C).

It lives in a module of its own so that spawned worker processes can import it.
"""

from __future__ import annotations

import signal
import time
from typing import Any


def init_slow_worker(*args: Any) -> None:
    import checker.extract as extract_pkg
    from checker import engine

    engine._init_worker(*args)
    real = extract_pkg.extract_doc

    def slow(doc, art, rules, kinds=None):
        if "SLOW" in art.text:
            time.sleep(120)
        if "STUCK" in art.text:
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            time.sleep(600)
        return real(doc, art, rules, kinds)

    extract_pkg.extract_doc = slow
