"""The ``triage`` command: summary, report, fetch and replay (typer + rich).

Errors end the command with one line on stderr (``error: ...``) and exit code 1, never a traceback
(set ``TRIAGE_DEBUG=1`` to get the traceback).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, SupportsInt, cast

import typer
from rich import box
from rich.console import Console, JustifyMethod
from rich.style import Style
from rich.table import Table
from rich.text import Text

from triage import schema as s
from triage.options import EXPORT_FORMATS, ErrorsMode, ExportFormat

__all__ = [
    "app", "CommandError", "ENDPOINT_ENV", "err", "ErrorsOption", "fetch", "Files", "Links", "main", "MinSeverity",
    "out", "replay", "report", "Services", "Signatures", "Since", "summary", "Top", "Until"
]

app = typer.Typer(
    name="triage",
    help="Log triage for Google Cloud Logging: summarize, report, fetch and replay logs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

Files = Annotated[list[Path], typer.Argument(help="Log files (JSON Lines, gcloud JSON, Logs Explorer CSV, text; "
                                                  "gzip ok) or globs.", show_default=False)]
Top = Annotated[int, typer.Option("--top", "-n", help="How many signatures.", min=1)]
Signatures = Annotated[list[str] | None, typer.Option("--signature", "-s", help="Only this signature (repeatable).")]
ENDPOINT_ENV = "TRIAGE_LOGGING_ENDPOINT"


class CommandError(Exception):
    """A problem to report on one line (bad arguments the options parser cannot catch)."""


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every error into one line on stderr and exit code 1 (TRIAGE_DEBUG=1: raise instead)."""
    from triage.sources import LoadError

    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print(Text("interrupted"))
        raise typer.Exit(130) from None
    except (LoadError, CommandError) as exc:
        _fail(_one_line(exc))
    except Exception as exc:  # the user gets one clear line; TRIAGE_DEBUG shows where it came from
        if os.environ.get("TRIAGE_DEBUG"):
            raise
        _fail(f"{type(exc).__name__}: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    from triage.escape import terminal_text

    return terminal_text(str(exc) or type(exc).__name__)


ErrorsOption = Annotated[ErrorsMode, typer.Option("--errors", help="raise: stop at the first bad record (file and "
                                                   "line); report: load the rest and count the rejected ones.")]
Services = Annotated[list[str] | None, typer.Option("--service", help="Only this service (repeatable).")]
MinSeverity = Annotated[str | None, typer.Option("--min-severity", help="Lowest effective severity, e.g. WARNING "
                                                 "(a traceback or 5xx logged at DEFAULT/INFO counts as ERROR).")]
Since = Annotated[str | None, typer.Option("--since", help="Only entries from this time (RFC 3339; naive = UTC) or "
                                           "this long before the newest entry (e.g. 2h, 30m).")]
Until = Annotated[str | None, typer.Option("--until", help="Only entries before this time (RFC 3339; naive = UTC).")]
Links = Annotated[bool, typer.Option("--links/--no-links", help="Print each signature's Logs Explorer link.")]


def _load(files: list[Path], errors: ErrorsMode = "raise") -> Any:
    import triage

    with warnings.catch_warnings(record=True) as caught:  # our own one-line note instead of a Python warning
        warnings.simplefilter("always")
        frame = triage.load([str(f) for f in files], errors=errors)
    for warning in caught:
        if not issubclass(warning.category, DeprecationWarning):
            err.print(Text(f"warning: {_one_line(Exception(str(warning.message)))}"))
    return triage.add_signatures(frame)


def _accounting(frame: Any) -> str:
    """What happened to every record read: loaded, rejected, duplicates, fragments merged."""
    attrs = frame.attrs
    rejected = attrs.get(s.ATTR_REJECTED)
    parts = [f"{_plural(attrs.get(s.ATTR_RECORDS, len(frame)), 'record')} read", f"{len(frame):,} loaded",
             f"{len(rejected) if rejected is not None else 0:,} rejected",
             f"{attrs.get(s.ATTR_DUPLICATES, 0):,} duplicates dropped",
             f"{attrs.get(s.ATTR_FRAGMENTS, 0):,} fragments merged"]
    line = ", ".join(parts)
    if rejected is not None and len(rejected):
        first = rejected.iloc[0]
        line += f" (first rejected: {first.get('source', '?')}:{first.get('line', '?')}: {first.get('reason', '')})"
    return line


def _plural(n: SupportsInt, word: str) -> str:
    count = int(n)
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _instant(value: str, newest: Any, option: str) -> Any:
    """``--since 10m`` (a duration back from the newest entry) or a time, read as the Cloud Logging filter reads it."""
    import pandas as pd

    from triage.sources.cloud_filter import parse_instant

    try:
        span = pd.Timedelta(value)
    except (TypeError, ValueError):
        span = None
    if span is not None and option == "--since":
        return newest - span
    try:
        return parse_instant(value, option)
    except ValueError:
        raise CommandError(f"{option}: not a time (RFC 3339) or a duration like 2h: {value!r}") from None


def _filter(frame: Any, services: list[str] | None, min_severity: str | None, since: str | None,
            until: str | None) -> Any:
    """The entries the options keep (severity: the effective one, triage.analysis.problems)."""
    keep = frame[s.TIMESTAMP].notna() | True
    if services:
        known = set(frame[s.SERVICE].dropna().astype(str))
        missing = [name for name in services if name not in known]
        if missing:
            raise CommandError(f"--service: no entries of {', '.join(missing)} (services here: "
                               f"{', '.join(sorted(known)) or 'none'})")
        keep &= frame[s.SERVICE].isin(services)
    if min_severity:
        from triage.analysis.problems import effective_severity

        try:
            level = s.severity_name(min_severity)
        except (KeyError, ValueError):
            raise CommandError(f"--min-severity: not a severity: {min_severity!r} "
                               f"(one of {', '.join(s.SEVERITY_LEVELS)})") from None
        codes = effective_severity(frame).cat.codes
        keep &= codes >= s.SEVERITY_LEVELS.index(level)
    newest = frame[s.TIMESTAMP].max()
    if since:
        keep &= frame[s.TIMESTAMP] >= _instant(since, newest, "--since")
    if until:
        keep &= frame[s.TIMESTAMP] < _instant(until, newest, "--until")
    chosen = frame[keep]
    chosen.attrs = dict(frame.attrs)
    return chosen


def _seen(first: Any, last: Any, short: bool) -> str:
    """First–last seen; hours and minutes alone when the whole window spans at most a day."""
    fmt = "%H:%M" if short else "%m-%d %H:%M"
    return f"{first.strftime(fmt)}–{last.strftime(fmt)}"


@app.command()
def summary(files: Files, top: Top = 20, errors: ErrorsOption = "raise", service: Services = None,
            min_severity: MinSeverity = None, since: Since = None, until: Until = None, links: Links = False) -> None:
    """Print the top signatures (by priority): events, users, severity, first–last seen, deploy verdict."""
    with _errors():
        import pandas as pd

        import triage
        from triage.analysis.facts import SignatureFacts
        from triage.escape import terminal_text
        from triage.postmortem import logs_explorer_url

        loaded = _load(files, errors)
        frame = _filter(loaded, service, min_severity, since, until)
        if not len(frame):
            raise CommandError("no entries left after the filters")
        summary_frame = triage.summarize(frame)
        table_data = summary_frame.head(top)
        facts = SignatureFacts(revisions=triage.analysis.compare_revisions(frame))
        stamps = frame[s.TIMESTAMP]
        short = stamps.max() - stamps.min() <= pd.Timedelta(days=1)
        names = ", ".join(terminal_text(f.name, limit=60) for f in files)
        wide = out.width >= 120
        span = f"{stamps.min().strftime('%m-%d %H:%M')}–{stamps.max().strftime('%m-%d %H:%M')} UTC"
        # One line per signature at any width: one space between columns, the template cut with an ellipsis.
        table = Table(title=Text(f"{_plural(len(frame), 'event')}, {_plural(frame[s.SIGNATURE].nunique(), 'signature')}"
                                 f" · {names} · {span}", justify="left"), title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False, expand=True, show_edge=False)
        columns: tuple[tuple[str, JustifyMethod], ...] = (
            ("#", "right"), ("events", "right"), ("users", "right"), ("severity", "left"), ("seen", "left"),
            ("verdict", "left"))
        for name, justify in columns:
            table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis",
                             max_width=12 if name == "verdict" else None)
        if wide:
            table.add_column("signature", no_wrap=True)
        table.add_column("template", no_wrap=True, overflow="ellipsis", ratio=1, min_width=16)
        urls = []
        for i, rec in enumerate(table_data.to_dict("records"), start=1):
            sig = str(rec[s.SIGNATURE])
            url = logs_explorer_url(frame, sig)
            urls.append(url)
            verdict = facts.verdict(sig) or "—"
            cells = [str(i), f"{rec[s.COUNT]:,}", f"{rec[s.USERS]:,}", str(rec[s.MAX_SEVERITY]),
                     _seen(rec[s.FIRST_SEEN], rec[s.LAST_SEEN], short), terminal_text(verdict, limit=20)]
            # The template links to its entries in Logs Explorer (a terminal hyperlink, where the terminal has them).
            template = Text(terminal_text(rec[s.TEMPLATE], limit=400), style=Style(link=url))
            table.add_row(*cells, *([Text(sig, style="dim")] if wide else []), template)
        out.print(table)
        err.print(Text(_accounting(loaded), style="dim"))
        if links:
            for i, url in enumerate(urls, start=1):
                out.print(Text(f"{i:>3}  {url}"), soft_wrap=True)


@app.command()
def report(
    files: Files,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for report.md, report.html, charts/.")],
    title: Annotated[str, typer.Option(help="The report's title.")] = "Postmortem",
    top: Top = 10,
    signature: Signatures = None,
    freq: Annotated[str, typer.Option(help="Time bucket of the charts (pandas frequency).")] = "1min",
    # list[Literal] is not an option type typer reads: the names are checked by export (one line on error).
    image_format: Annotated[list[str] | None, typer.Option("--format", help="Chart image format (repeatable): "
                                                           f"{', '.join(EXPORT_FORMATS)}. Default: png and "
                                                           "svg.")] = None,
    errors: ErrorsOption = "raise",
    service: Services = None,
    min_severity: MinSeverity = None,
    since: Since = None,
    until: Until = None,
) -> None:
    """Write a postmortem bundle (Markdown, HTML, PNG and SVG charts) for the log files."""
    with _errors():
        import triage

        started = time.perf_counter()
        loaded = _load(files, errors)
        frame = _filter(loaded, service, min_severity, since, until)
        if not len(frame):
            raise CommandError("no entries left after the filters")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            html = triage.report(frame, output, title=title, signatures=signature or None, top=top, freq=freq,
                                 formats=cast(list[ExportFormat], image_format) or ("png", "svg"))
        for warning in caught:
            if not issubclass(warning.category, DeprecationWarning):
                err.print(Text(f"warning: {_one_line(Exception(str(warning.message)))}"))
        err.print(Text(_accounting(loaded)))
        err.print(Text(f"wrote {_path(html)} and {_path(html.with_suffix('.md'))} "
                       f"({time.perf_counter() - started:.1f} s)"))


def _path(path: Path) -> str:
    """A path for the terminal: control characters shown, never read as rich markup (printed via Text)."""
    from triage.escape import terminal_text

    return terminal_text(str(path))


@app.command()
def fetch(
    output: Annotated[Path, typer.Option("--output", "-o", help="The sample to write (.jsonl.gz).")],
    project: Annotated[str | None, typer.Option(help="Google Cloud project (default: the credentials').")] = None,
    filter: Annotated[str | None, typer.Option("--filter", help="Extra Logging query clauses.")] = None,
    freshness: Annotated[str | None, typer.Option(help="How far back, e.g. 2h, 1d.")] = None,
    start: Annotated[str | None, typer.Option(help="Window start (RFC 3339), instead of --freshness.")] = None,
    end: Annotated[str | None, typer.Option(help="Window end (RFC 3339).")] = None,
    service: Annotated[list[str] | None, typer.Option(help="Cloud Run service (repeatable).")] = None,
    min_severity: Annotated[str | None, typer.Option(help="Lowest severity, e.g. WARNING.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many entries.", min=0)] = None,
    endpoint: Annotated[str | None, typer.Option(envvar=ENDPOINT_ENV, hidden=True,
                                                  help="Logging API endpoint (tests): anonymous credentials.")] = None,
) -> None:
    """Read entries from Cloud Logging and save them as a sample (with a provenance sidecar)."""
    with _errors():
        import triage

        client = _client(project, endpoint) if endpoint else None
        frame = triage.read_cloud_logging(filter, project=project, freshness=freshness, start=start, end=end,
                                          service=service or None, min_severity=min_severity, limit=limit,
                                          client=client, progress=True)
        written = triage.save_sample(frame, output)
        err.print(Text(f"wrote {_plural(len(frame), 'entry').replace('entrys', 'entries')} to "
                       f"{_path(written if written is not None else output)}"))


def _client(project: str | None, endpoint: str) -> Any:
    """A real Cloud Logging client talking REST to ``endpoint`` with anonymous credentials (tests, emulators)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import logging as cloud_logging

    return cloud_logging.Client(project=project or "triage-local", credentials=AnonymousCredentials(),
                                _use_grpc=False, client_options={"api_endpoint": endpoint})


@app.command()
def replay(
    sample: Annotated[Path, typer.Argument(help="A saved sample (or any log file).", show_default=False)],
    speed: Annotated[float, typer.Option(help="Replay speed: 60 = one hour per minute; 0 = no waiting.", min=0)] = 60,
) -> None:
    """Replay a sample in its own time, printing each signature when it first appears."""
    with _errors():
        import triage

        seen: set[str] = set()
        for batch in triage.replay(sample, speed=speed or None):  # 0: as fast as possible
            _print_new(triage.add_signatures(batch), seen, typer.echo)


def _print_new(batch: Any, seen: set[str], emit: Callable[..., None]) -> None:
    """One line per signature not seen before: time, severity, signature id, template."""
    from triage.escape import terminal_text

    firsts = batch[~batch[s.SIGNATURE].isin(seen)].drop_duplicates(s.SIGNATURE)
    for rec in firsts.to_dict("records"):
        seen.add(rec[s.SIGNATURE])
        when = rec[s.TIMESTAMP].strftime("%Y-%m-%d %H:%M:%S")
        emit(f"{when}  {str(rec[s.SEVERITY]):<8}  new {rec[s.SIGNATURE]}  {terminal_text(rec[s.TEMPLATE], limit=160)}")


def main() -> None:
    """Entry point of the ``triage`` console script."""
    app(prog_name="triage")


if __name__ == "__main__":  # python -m triage.cli
    main()
