"""``checker serve``: the reports in the browser, with decisions saved in the store.

A small standard-library server (``http.server.ThreadingHTTPServer``):

- ``GET /`` lists the runs: those the store recorded and any other
  ``report.html`` under the reports folder;
- ``GET /r/<folder>/`` serves the report of ``<reports>/<folder>`` (and its
  ``conflicts.json`` / ``claims.csv``); ``GET /run/<id>/`` a store run whose
  folder is elsewhere. The page is the report file itself, plus three
  ``<meta>`` tags that switch its script to saving decisions here;
- ``GET /api/decisions?run=<ref>`` the decisions on that run's conflicts;
  ``POST /api/decisions`` records one; ``GET /api/decisions/export`` the file
  ``checker decisions import`` reads.

Safety. It binds 127.0.0.1 unless told otherwise. Requests whose ``Host`` is
not this server are refused (DNS rebinding). A POST needs the per-server
CSRF token that only the served page carries (sent in the ``X-Checker-CSRF``
header, which a cross-site form cannot set), a JSON body, and, when the
browser says where it comes from, the same origin. Bound beyond loopback,
every request needs the access token (``?token=`` once, then a
``SameSite=Strict`` cookie): the URL to open is printed at start.
"""

from __future__ import annotations

import contextlib
import hmac
import html
import ipaddress
import json
import logging
import re
import secrets
import sqlite3
import sys
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from checker.decisions import (
    DecisionError,
    carried_decision,
    decisions_for,
    export_decisions,
    record_decision,
    value_keys,
)
from checker.errors import CheckerError
from checker.report import SERVE_SLOT, _env

log = logging.getLogger("checker.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_BODY = 256 * 1024
COOKIE = "checker_token"
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
FILES = {
    "report.html": "text/html; charset=utf-8",
    "conflicts.json": "application/json",
    "claims.csv": "text/csv; charset=utf-8",
}
MIN_TOKEN = 16
TOKEN_RX = re.compile(r"[A-Za-z0-9._~-]+")
MAX_PATH = 2048


def confined(folder: Path, name: str) -> Path | None:
    """``folder/name`` when it is a regular file that resolves inside ``folder`` itself, else None.

    A link in a report folder (``conflicts.json -> /etc/passwd``, or to another
    report's file) is not followed out of it.
    """
    try:
        base = folder.resolve(strict=True)
        f = (base / name).resolve(strict=True)
        return f if f.parent == base and f.is_file() else None
    except (OSError, RuntimeError, ValueError):  # missing, a loop, a name too long, a NUL
        return None


def _same(given: str, want: str) -> bool:
    """Constant-time comparison of a secret; any text (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), want.encode("utf-8"))


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServeConfig:
    """What the server serves and how it guards it."""

    reports: Path
    store: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    quiet: bool = False

    def allowed_hosts(self, port: int) -> set[str]:
        """``Host`` header values that name this server."""
        names = {self.host, f"[{self.host}]"} if ":" in self.host else {self.host}
        if is_loopback(self.host):
            names |= {"127.0.0.1", "localhost", "[::1]"}
        return {f"{n}:{port}" for n in names} | ({n for n in names} if port == 80 else set())


@dataclass
class Report:
    """One servable report: its folder, URL and what the store knows of it."""

    ref: str
    folder: Path
    run: dict[str, Any] | None = None

    @property
    def url(self) -> str:
        return "/" + quote(self.ref) + "/"


class ReportServer(ThreadingHTTPServer):
    """The HTTP server; ``config`` is shared by the request handlers."""

    daemon_threads = True

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self._conflicts_cache: dict[Path, tuple[float, dict[str, dict[str, Any]]]] = {}
        self._skipped: set[Path] = set()
        super().__init__((config.host, config.port), Handler)

    @property
    def url(self) -> str:
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        base = f"http://{host}:{self.server_address[1]}/"
        return base + (f"?token={self.config.token}" if self.config.token else "")

    # --- reports -------------------------------------------------------------

    def reports(self) -> list[Report]:
        """Every report: store runs newest first, then other folders under ``reports``."""
        root = self.config.reports.resolve()
        out: list[Report] = []
        seen: set[Path] = set()
        for run in self._store_runs():
            d = run.get("out_dir")
            if not d or confined(Path(d), "report.html") is None:
                continue
            folder = Path(d).resolve()
            if folder in seen:
                continue
            seen.add(folder)
            ref = "r/" + folder.relative_to(root).as_posix() if folder.is_relative_to(root) else f"run/{run['id']}"
            out.append(Report(ref, folder, run))
        found: list[tuple[float, Path]] = []
        try:
            for f in [*root.glob("*/report.html"), *root.glob("*/*/report.html")]:
                folder = f.parent.resolve()
                if not folder.is_relative_to(root):
                    # A report folder linked from outside --reports: not served (a link
                    # would let anyone who can write in --reports publish any folder).
                    self._skip(f.parent, f"it links outside {root}")
                    continue
                real = confined(folder, "report.html")
                if real is None:
                    self._skip(f.parent, "its report.html is not a readable file inside it")
                    continue
                found.append((real.stat().st_mtime, folder))
        except OSError as exc:  # the folder vanished or cannot be listed: serve what was found
            log.warning("cannot list all of %s: %s", root, exc.strerror or exc)
        for _, folder in sorted(found, key=lambda x: (-x[0], str(x[1]))):
            if folder not in seen:
                seen.add(folder)
                out.append(Report("r/" + folder.relative_to(root).as_posix(), folder))
        return out

    def _skip(self, folder: Path, why: str) -> None:
        """Warn once per folder that it is not served."""
        if folder not in self._skipped:
            self._skipped.add(folder)
            log.warning("[E463] %s: not served: %s", folder, why)

    def _store_runs(self) -> list[dict[str, Any]]:
        if not self.config.store.is_file():
            return []
        try:
            from checker.store import list_runs

            return [r for r in list_runs(self.config.store, limit=500) if r.get("status") == "complete"]
        except (CheckerError, OSError, ValueError, sqlite3.Error) as exc:
            log.warning("cannot list the store's runs: %s", exc)
            return []

    def find(self, ref: str) -> Report | None:
        """The report a reference (``r/<folder>`` or ``run/<id>``) names, or None."""
        ref = ref.strip("/")
        if len(ref) > MAX_PATH or any(ord(c) < 32 or c == "\x7f" for c in ref):
            return None
        root = self.config.reports.resolve()
        if ref.startswith("r/"):
            rel = ref[2:]
            if not rel or any(part in ("", ".", "..") for part in rel.split("/")):
                return None
            try:
                folder = (root / rel).resolve()
            except (OSError, RuntimeError, ValueError):
                return None
            if folder.is_relative_to(root) and confined(folder, "report.html") is not None:
                return Report("r/" + rel, folder)
            return None
        m = re.fullmatch(r"run/(\d{1,18})", ref)
        if m:
            for r in self._store_runs():
                if r["id"] == int(m.group(1)) and r.get("out_dir") and confined(Path(r["out_dir"]), "report.html"):
                    return Report(ref, Path(r["out_dir"]).resolve(), r)
        return None

    def conflicts(self, report: Report) -> dict[str, dict[str, Any]]:
        """conflict id -> conflict (from the report's conflicts.json), cached by file time."""
        path = confined(report.folder, "conflicts.json")
        if path is None:
            return {}
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return {}
        hit = self._conflicts_cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            table = {c["id"]: c for c in doc.get("conflicts", [])}
        except (OSError, ValueError, KeyError, TypeError):
            table = {}
        self._conflicts_cache[path] = (mtime, table)
        return table


class Handler(BaseHTTPRequestHandler):
    """One request: checks first (host, token, CSRF), then the route."""

    server: ReportServer
    server_version = "checker"
    _answered = False  # set once this request's response has started

    def version_string(self) -> str:
        return self.server_version

    protocol_version = "HTTP/1.1"

    # --- plumbing --------------------------------------------------------------

    @property
    def cfg(self) -> ServeConfig:
        return self.server.config

    def log_message(self, format: str, *args: Any) -> None:
        if not self.cfg.quiet:
            sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")

    def _send(
        self,
        status: int,
        body: bytes | str,
        ctype: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8", "replace") if isinstance(body, str) else body
        self._answered = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        if self.command == "POST":
            # The body may be unread: close rather than parse it as the next request.
            self.close_connection = True
        if self.path.startswith("/api/"):
            self._json(status, {"error": message})
        else:
            self._send(status, message + "\n")

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        if not is_loopback(self.cfg.host) and self.cfg.token:
            # Beyond loopback the token guards every request; names for the host vary.
            return True
        return host in {h.lower() for h in self.cfg.allowed_hosts(self.server.server_address[1])}

    def _token_ok(self, query: dict[str, list[str]]) -> bool | str:
        """True when no token is needed or one matches; "redirect" when it came in the URL."""
        want = self.cfg.token
        if not want:
            return True
        given = (query.get("token") or [""])[0]
        if given and _same(given, want):
            return "redirect"
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer ") and _same(auth[7:].strip(), want):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except CookieError:
            return False
        return COOKIE in cookie and _same(cookie[COOKIE].value, want)

    def _guard(self) -> tuple[str, dict[str, list[str]]] | None:
        """The request's path and query when it may proceed; else the refusal is sent and None returned."""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        try:
            path = unquote(parts.path, errors="strict")
        except UnicodeDecodeError:
            path = None
        if path is None or len(path) > MAX_PATH or any(ord(c) < 32 or c == "\x7f" for c in path):
            # A NUL or another control character, bad UTF-8, or an absurd length: no file has that name.
            self._error(HTTPStatus.BAD_REQUEST, "malformed path")
            return None
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host: open the address checker serve printed")
            return None
        tok = self._token_ok(query)
        if tok == "redirect" and self.command in ("GET", "HEAD"):
            # Trade the URL token for a cookie, and drop it from the address bar and history.
            rest = "&".join(f"{quote(k)}={quote(v)}" for k, vs in query.items() if k != "token" for v in vs)
            self._send(
                HTTPStatus.SEE_OTHER,
                "",
                headers={
                    "Location": parts.path + (f"?{rest}" if rest else ""),
                    "Set-Cookie": f"{COOKIE}={self.cfg.token}; Path=/; HttpOnly; SameSite=Strict",
                },
            )
            return None
        if not tok:
            self._error(HTTPStatus.UNAUTHORIZED, "a token is required: open the URL checker serve printed (…/?token=…)")
            return None
        return path, query

    # --- routes ----------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        self._safely(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._safely(self._post)

    def _safely(self, route: Any) -> None:
        """Run a route; an unexpected error is a 500 with one log line, never a dropped connection."""
        self._answered = False
        try:
            route()
        except (BrokenPipeError, ConnectionResetError):  # the client went away
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug: answer, log, keep serving
            log.error(
                "[E000] internal error serving %r: %s: %s",
                self.path[:200],
                type(exc).__name__,
                exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            self.close_connection = True
            if not self._answered:
                with contextlib.suppress(OSError):
                    self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error (a bug in checker; see its log)")

    def _get(self) -> None:
        got = self._guard()
        if got is None:
            return
        path, query = got
        if path == "/":
            return self._index()
        if path == "/api/decisions":
            return self._get_decisions((query.get("run") or [""])[0])
        if path == "/api/decisions/export":
            try:
                doc = export_decisions(self.cfg.store)
            except CheckerError as exc:  # the store is locked or damaged
                return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
            return self._send(
                HTTPStatus.OK,
                json.dumps(doc, ensure_ascii=False, indent=1),
                "application/json; charset=utf-8",
                {"Content-Disposition": 'attachment; filename="checker-decisions.json"'},
            )
        if path == "/favicon.ico":
            return self._send(HTTPStatus.NO_CONTENT, b"")
        m = re.fullmatch(r"/((?:r/.+?)|(?:run/\d+))/(report\.html|conflicts\.json|claims\.csv)?", path)
        if not m and self.server.find(path.strip("/")) is not None:
            return self._send(HTTPStatus.MOVED_PERMANENTLY, "", headers={"Location": quote(path.rstrip("/") + "/")})
        if not m:
            return self._error(HTTPStatus.NOT_FOUND, "not found")
        report = self.server.find(m.group(1))
        if report is None:
            return self._error(HTTPStatus.NOT_FOUND, "no such report")
        name = m.group(2) or "report.html"
        if name == "report.html":
            return self._report(report)
        f = confined(report.folder, name)
        if f is None:
            return self._error(HTTPStatus.NOT_FOUND, f"this run has no {name}")
        try:
            data = f.read_bytes()
        except OSError:
            return self._error(HTTPStatus.NOT_FOUND, f"this run's {name} cannot be read")
        self._send(HTTPStatus.OK, data, FILES[name])

    def _post(self) -> None:
        got = self._guard()
        if got is None:
            return
        path, _ = got
        if path != "/api/decisions":
            return self._error(HTTPStatus.NOT_FOUND, "not found")
        problem = self._csrf_problem()
        if problem:
            return self._error(HTTPStatus.FORBIDDEN, problem)
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length <= 0 or length > MAX_BODY:
            return self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > MAX_BODY else HTTPStatus.LENGTH_REQUIRED,
                f"a JSON body of at most {MAX_BODY} bytes is required",
            )
        try:
            entry = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._error(HTTPStatus.BAD_REQUEST, "the body is not JSON")
        if not isinstance(entry, dict):
            return self._error(HTTPStatus.BAD_REQUEST, "a decision must be a JSON object")
        report = self.server.find(str(entry.get("run") or ""))
        if report is None:
            return self._error(HTTPStatus.NOT_FOUND, "unknown run: reload the report")
        conflict = self.server.conflicts(report).get(str(entry.get("conflict") or ""))
        if conflict is None:
            return self._error(HTTPStatus.NOT_FOUND, "this run has no such conflict")
        # What the editor saw comes from the run's own file, not from the request.
        entry.update(
            values=conflict.get("values") or [],
            kind=conflict.get("kind"),
            story=conflict.get("story"),
            subject=conflict.get("subject"),
            run=report.ref,
            at=None,
        )
        try:
            saved = record_decision(self.cfg.store, entry, origin="serve")
        except DecisionError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, str(exc))
        except CheckerError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        out = carried_decision(saved | {"values_signature": None}, value_keys(conflict.get("values") or []))
        self._json(HTTPStatus.OK, out | {"conflict": saved["conflict"]})

    def _csrf_problem(self) -> str | None:
        sent = self.headers.get("X-Checker-CSRF") or ""
        if not _same(sent, self.cfg.csrf):
            return "missing or wrong CSRF token: reload the report from this server"
        site = self.headers.get("Sec-Fetch-Site")
        if site and site not in ("same-origin", "none"):
            return f"cross-site request refused ({site})"
        origin = self.headers.get("Origin")
        if origin and origin.lower() != f"http://{(self.headers.get('Host') or '').lower()}":
            return f"request from another origin refused ({origin})"
        if not (self.headers.get("Content-Type") or "").lower().startswith("application/json"):
            return "Content-Type must be application/json"
        return None

    def _get_decisions(self, ref: str) -> None:
        report = self.server.find(ref) if ref else None
        if ref and report is None:
            return self._error(HTTPStatus.NOT_FOUND, "no such report")
        try:
            if report is None:
                return self._json(HTTPStatus.OK, export_decisions(self.cfg.store))
            got = decisions_for(list(self.server.conflicts(report).values()), self.cfg.store)
        except CheckerError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        self._json(HTTPStatus.OK, {"decisions": got, "run": report.ref})

    def _report(self, report: Report) -> None:
        f = confined(report.folder, "report.html")
        try:
            page = f.read_text(encoding="utf-8") if f is not None else None
        except (OSError, UnicodeDecodeError):
            page = None
        if page is None:
            return self._error(HTTPStatus.NOT_FOUND, "this report cannot be read")
        metas = (
            '<meta name="checker-api" content="/api/decisions">\n'
            f'<meta name="checker-csrf" content="{html.escape(self.cfg.csrf)}">\n'
            f'<meta name="checker-run" content="{html.escape(report.ref)}">'
        )
        # The slot is in the template's <head>; data in the page is escaped, so the first match is the real one.
        page = page.replace(SERVE_SLOT, metas, 1)
        m = CSP_META.search(page, 0, 4000)
        csp = (html.unescape(m.group(1)) + "; " if m else "default-src 'none'; ") + "frame-ancestors 'none'"
        self._send(HTTPStatus.OK, page, "text/html; charset=utf-8", {"Content-Security-Policy": csp})

    def _index(self) -> None:
        reports = self.server.reports()
        body = (
            _env()
            .get_template("index.html")
            .render(reports=reports, store=str(self.cfg.store), folder=str(self.cfg.reports))
        )
        self._send(
            HTTPStatus.OK,
            body,
            "text/html; charset=utf-8",
            {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"},
        )


def make_server(
    reports: str | Path = "reports",
    store: str | Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    quiet: bool = False,
) -> ReportServer:
    """A server ready to ``serve_forever()``; port 0 picks a free one.

    Bound beyond loopback without ``token``, one is generated (see ``.url``).
    """
    if store is None:
        from checker.store import default_store_path

        store = default_store_path()
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise CheckerError("E461", f"--port {port}: a port is a number from 1 to 65535 (0: any free port)")
    if token is not None and (len(token) < MIN_TOKEN or not TOKEN_RX.fullmatch(token)):
        raise CheckerError(
            "E462",
            f"--token: too weak or unusable: at least {MIN_TOKEN} characters of letters, digits and - _ . ~ "
            "(openssl rand -hex 16 gives one)",
        )
    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
    cfg = ServeConfig(reports=Path(reports), store=Path(store), host=host, port=port, token=token, quiet=quiet)
    try:
        return ReportServer(cfg)
    except OSError as exc:
        raise CheckerError("E460", f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    reports: str | Path = "reports",
    store: str | Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    echo: Any = print,
) -> None:
    """Serve the reports until interrupted; prints the address to open."""
    server = make_server(reports, store, host, port, token)
    if not Path(reports).is_dir():
        echo(f"note: no reports folder at {reports} yet (checker run --out {reports}/NAME writes one)")
    echo(f"checker serve: {len(server.reports())} reports from {reports}, decisions in {server.config.store}")
    if server.config.token:
        echo("every request needs the token: open the URL below (it sets a cookie)")
    echo(f"open {server.url}   (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
