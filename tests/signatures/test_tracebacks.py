"""Tracebacks group by final exception type and innermost application frame."""

from __future__ import annotations

import triage
from triage import schema as s
from triage.signatures._tracebacks import parse

LIB = "/usr/local/lib/python3.11/site-packages/asyncpg/connection.py"


def traceback(*, header: str = "", outer: str = "routes/threads.py", line: int = 41, func: str = "get_session",
              exc: str = "asyncpg.exceptions._base.InterfaceError",
              msg: str = "another operation is in progress") -> str:
    head = f"{header}\n" if header else ""
    return (f"{head}Traceback (most recent call last):\n"
            f'  File "/app/netra_backend/app/{outer}", line 88, in handler\n'
            f"    async with get_session() as session:\n"
            f'  File "/app/netra_backend/app/db/session.py", line {line}, in {func}\n'
            f'    await conn.execute("select 1")\n'
            f'  File "{LIB}", line 350, in execute\n'
            f"    raise InterfaceError(msg)\n"
            f"{exc}: {msg}")


def sigs(*messages: str) -> list[str]:
    return triage.templates(list(messages))[s.SIGNATURE].tolist()


def test_headers_outer_frames_line_numbers_and_messages_do_not_split():
    a = traceback()
    b = traceback(header="Error handling request req_2cfe8654141b", outer="routes/agents.py", line=97,
                  msg="cannot perform operation: another operation is in progress (conn 7)")
    assert len(set(sigs(a, b))) == 1


def test_exception_type_and_innermost_application_frame_split():
    base = traceback()
    other_type = traceback(exc="sqlalchemy.exc.TimeoutError")
    other_func = traceback(func="get_db_session")
    assert len(set(sigs(base, other_type, other_func))) == 3


def test_template_is_readable():
    template = triage.templates([traceback()])[s.TEMPLATE].iloc[0]
    assert template == "asyncpg.exceptions._base.InterfaceError in /app/netra_backend/app/db/session.py:get_session"


def test_chains_use_the_final_exception():
    first = traceback(exc="KeyError", msg="'user'")
    chained = (first + "\n\nThe above exception was the direct cause of the following exception:\n\n"
               + traceback(exc="app.errors.LookupFailed", msg="no user"))
    parsed = parse(chained)
    assert parsed.exception == "app.errors.LookupFailed"
    assert parsed.message == "no user"
    assert sigs(chained)[0] != sigs(first)[0]


def test_one_line_exception_does_not_join_a_traceback_of_another_kind():
    one_line = "ValueError: Invalid user_id format: e2e-staging_pipeline"
    assert sigs(one_line, traceback())[0] != sigs(one_line, traceback())[1]
    assert len(set(sigs(one_line, "ValueError: Invalid user_id format: 105945141827451681156"))) == 1


def test_params_hold_the_exception_message():
    frame = triage.add_signatures(__import__("pandas").DataFrame({s.MESSAGE: [traceback(msg="boom 42")]}))
    assert triage.params_of(frame).iloc[0] == ["boom 42"]
