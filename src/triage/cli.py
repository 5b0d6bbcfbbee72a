"""The ``triage`` command: summary, report, fetch and replay (typer + rich).

Errors end the command with one line on stderr (``error: ...``) and exit code 1, never a traceback
(set ``TRIAGE_DEBUG=1`` to get the traceback).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from triage import schema as s

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
        err.print("interrupted")
        raise typer.Exit(130) from None
    except (LoadError, CommandError) as exc:
        _fail(_one_line(exc))
    except Exception as exc:  # the user gets one clear line; TRIAGE_DEBUG shows where it came from
        if os.environ.get("TRIAGE_DEBUG"):
            raise
        _fail(f"{type(exc).__name__}: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    from triage.plot._escape import terminal_text

    return terminal_text(str(exc) or type(exc).__name__)


def _load(files: list[Path]) -> Any:
    import triage

    return triage.add_signatures(triage.load([str(f) for f in files]))


@app.command()
def summary(files: Files, top: Top = 20) -> None:
    """Print the top signatures (by priority) as a table."""
    with _errors():
        import triage
        from triage.plot._escape import terminal_text

        frame = _load(files)
        table_data = triage.summarize(frame).head(top)
        table = Table(title=Text(f"{len(frame):,} events, {frame[s.SIGNATURE].nunique():,} signatures "
                                 f"({', '.join(f.name for f in files)})"), expand=True, show_lines=True)
        for name, justify in (("#", "right"), ("events", "right"), ("users", "right"), ("severity", "left")):
            table.add_column(name, justify=justify, no_wrap=True, min_width=len(name))
        table.add_column("template  (signature · priority: why)", overflow="fold")
        for i, rec in enumerate(table_data.to_dict("records"), start=1):
            table.add_row(
                str(i), f"{rec[s.COUNT]:,}", f"{rec[s.USERS]:,}", str(rec[s.MAX_SEVERITY]),
                Text.assemble(terminal_text(rec[s.TEMPLATE], limit=200), "\n",
                              (f"{terminal_text(rec[s.SIGNATURE])} · {rec[s.PRIORITY]:.3g}: "
                               f"{terminal_text(rec[s.PRIORITY_REASON], limit=120)}", "dim")),
            )
        out.print(table)


@app.command()
def report(
    files: Files,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for report.md, report.html, charts/.")],
    title: Annotated[str, typer.Option(help="The report's title.")] = "Postmortem",
    top: Top = 10,
    signature: Signatures = None,
    freq: Annotated[str, typer.Option(help="Time bucket of the charts (pandas frequency).")] = "1min",
    image_format: Annotated[list[str] | None, typer.Option("--format", help="Chart image format (repeatable): "
                                                           "png, svg, pdf. Default: png and svg.")] = None,
) -> None:
    """Write a postmortem bundle (Markdown, HTML, PNG and SVG charts) for the log files."""
    with _errors():
        import triage

        started = time.perf_counter()
        frame = _load(files)
        html = triage.report(frame, output, title=title, signatures=signature or None, top=top, freq=freq,
                             formats=image_format or ("png", "svg"))
        err.print(f"wrote {html} and {html.with_suffix('.md')} ({time.perf_counter() - started:.1f} s)")


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
        err.print(f"wrote {len(frame):,} entries to {written if written is not None else output}")


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
    from triage.plot._escape import terminal_text

    firsts = batch[~batch[s.SIGNATURE].isin(seen)].drop_duplicates(s.SIGNATURE)
    for rec in firsts.to_dict("records"):
        seen.add(rec[s.SIGNATURE])
        when = rec[s.TIMESTAMP].strftime("%Y-%m-%d %H:%M:%S")
        emit(f"{when}  {str(rec[s.SEVERITY]):<8}  new {rec[s.SIGNATURE]}  {terminal_text(rec[s.TEMPLATE], limit=160)}")


def main() -> None:
    """Entry point of the ``triage`` console script."""
    app(prog_name="triage")


if __name__ == "__main__":  # python -m triage.cli
    sys.exit(main())
