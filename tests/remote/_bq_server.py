"""A fake BigQuery REST server on 127.0.0.1 for the real ``google-cloud-bigquery`` client.

It speaks the REST shapes the client uses for ``query_and_wait`` and dry runs:

- ``POST /bigquery/v2/projects/{p}/queries`` (jobs.query): runs the GoogleSQL text — transpiled to DuckDB
  by sqlglot, executed by DuckDB on the tables loaded with :meth:`FakeBigQuery.table` — and answers with the
  schema, the first page of rows (``{"f": [{"v": ...}]}``, REPEATED fields as ``{"v": [{"v": ...}]}``),
  ``totalRows``, ``totalBytesProcessed``, ``jobReference`` and a ``pageToken`` when more rows remain;
- ``GET .../queries/{jobId}`` (jobs.getQueryResults): further pages (``pageToken`` / ``startIndex``);
- ``POST .../jobs`` (jobs.insert): dry runs (``configuration.dryRun``) answer the job with
  ``statistics.query.totalBytesProcessed`` and state DONE; ``GET .../jobs/{jobId}`` (jobs.get) answers a job.

Bytes processed are the bytes of the referenced columns of the referenced tables (their values' text
length), so a query reading more columns scans more. ``maximumBytesBilled`` below that answers 400
``bytesBilledLimitExceeded``, as BigQuery does. SQL the fake cannot parse answers 400 ``invalidQuery``.
Every request is recorded in :attr:`FakeBigQuery.requests`.

    with FakeBigQuery() as server:
        server.table("demo.logs.stderr", "SELECT ...")   # DuckDB SQL building the table
        client = server.client(project="demo")            # a real google.cloud.bigquery.Client
"""

from __future__ import annotations

import itertools
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import duckdb
import orjson
import sqlglot
from sqlglot import exp

DEFAULT_PAGE_SIZE = 100_000

_TYPES = {"BIGINT": "INTEGER", "INTEGER": "INTEGER", "HUGEINT": "INTEGER", "DOUBLE": "FLOAT", "FLOAT": "FLOAT",
          "VARCHAR": "STRING", "BOOLEAN": "BOOLEAN", "JSON": "JSON", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
          "DECIMAL": "NUMERIC"}


class _Error(Exception):
    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


def _field(name: str, duck_type: str) -> dict:
    mode = "NULLABLE"
    if duck_type.endswith("[]"):
        mode, duck_type = "REPEATED", duck_type[:-2]
    base = duck_type.split("(")[0]
    return {"name": name, "type": _TYPES.get(base, "STRING"), "mode": mode}


def _cell(value, field: dict):
    if value is None:
        return None if field["mode"] != "REPEATED" else []
    if field["mode"] == "REPEATED":
        return [{"v": _cell(v, {**field, "mode": "NULLABLE"})} for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FakeBigQuery:
    """The server; use as a context manager (it listens on a free port of 127.0.0.1 while open)."""

    def __init__(self, page_size: int = DEFAULT_PAGE_SIZE):
        self.page_size = page_size
        self.requests: list[dict] = []
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        self._results: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._ids = itertools.count(1)

    # --- set-up -----------------------------------------------------------------------------------
    def table(self, table_id: str, select_sql: str) -> None:
        """Create ``project.dataset.table`` from a DuckDB ``SELECT``."""
        project, dataset, name = table_id.split(".")
        catalogs = {row[0] for row in self.con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
        if project not in catalogs:
            self.con.execute(f'ATTACH \':memory:\' AS "{project}"')
        self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{project}"."{dataset}"')
        self.con.execute(f'CREATE OR REPLACE TABLE "{project}"."{dataset}"."{name}" AS {select_sql}')

    @property
    def url(self) -> str:
        assert self._server is not None, "use the server as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def client(self, project: str = "demo"):
        """A real BigQuery client pointed at this server, with anonymous credentials."""
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(project=project, credentials=AnonymousCredentials(),
                               client_options={"api_endpoint": self.url})

    def __enter__(self) -> FakeBigQuery:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.con.close()

    # --- BigQuery semantics -----------------------------------------------------------------------
    def _parse(self, sql: str) -> tuple[exp.Expression, str]:
        try:
            tree = sqlglot.parse_one(sql, read="bigquery")
            return tree, tree.sql(dialect="duckdb")
        except sqlglot.errors.ParseError as error:
            raise _Error(400, "invalidQuery", f"Syntax error: {error}") from None

    def bytes_processed(self, tree: exp.Expression) -> int:
        """Text bytes of every referenced column of every referenced table."""
        total = 0
        tables = [t for t in tree.find_all(exp.Table) if t.args.get("db") and t.args.get("catalog")]
        columns = {identifier.name for identifier in tree.find_all(exp.Identifier)}
        for table in tables:
            name = f'"{table.catalog}"."{table.db}"."{table.name}"'
            try:
                present = [r[0] for r in self.con.execute(f"DESCRIBE {name}").fetchall()]
            except duckdb.Error:
                raise _Error(404, "notFound", f"Not found: Table {table.catalog}:{table.db}.{table.name}") from None
            used = [c for c in present if c in columns] or present
            sums = ", ".join(f'COALESCE(SUM(strlen(CAST("{c}" AS VARCHAR))), 0)' for c in used)
            total += sum(self.con.execute(f"SELECT {sums} FROM {name}").fetchone())
        return int(total)

    def run(self, body: dict, project: str) -> dict:
        sql = body.get("query", "")
        if body.get("useLegacySql"):
            raise _Error(400, "invalidQuery", "legacy SQL is not supported by this fake")
        tree, duck_sql = self._parse(sql)
        scanned = self.bytes_processed(tree)
        limit = body.get("maximumBytesBilled")
        if limit is not None and scanned > int(limit):
            raise _Error(400, "bytesBilledLimitExceeded",
                         f"Query exceeded limit for bytes billed: {limit}. {scanned} or higher required.")
        job_id = f"job_{next(self._ids)}_{uuid.uuid4().hex[:8]}"
        reference = {"projectId": project, "jobId": job_id, "location": body.get("location") or "US"}
        if body.get("dryRun"):
            return {"kind": "bigquery#queryResponse", "jobReference": reference, "jobComplete": True,
                    "totalBytesProcessed": str(scanned), "schema": {"fields": []}, "cacheHit": False}
        with self._lock:
            try:
                cursor = self.con.execute(duck_sql)
                rows = cursor.fetchall()
                description = cursor.description
            except duckdb.Error as error:
                raise _Error(400, "invalidQuery", str(error)) from None
        fields = [_field(d[0], str(d[1])) for d in description]
        encoded = [{"f": [{"v": _cell(v, f)} for v, f in zip(row, fields)]} for row in rows]
        self._results[job_id] = {"reference": reference, "fields": fields, "rows": encoded, "bytes": scanned,
                                 "query": sql}
        return self._page(job_id, 0, body.get("maxResults"), kind="bigquery#queryResponse")

    def _page(self, job_id: str, start: int, max_results, *, kind: str) -> dict:
        result = self._results.get(job_id)
        if result is None:
            raise _Error(404, "notFound", f"Not found: Job {job_id}")
        size = min(int(max_results), self.page_size) if max_results not in (None, "", "0", 0) else self.page_size
        rows = result["rows"][start:start + size]
        page = {"kind": kind, "jobReference": result["reference"], "jobComplete": True,
                "schema": {"fields": result["fields"]}, "totalRows": str(len(result["rows"])), "rows": rows,
                "totalBytesProcessed": str(result["bytes"]), "cacheHit": False}
        if start + size < len(result["rows"]):
            page["pageToken"] = str(start + size)
        return page

    def job(self, body: dict, project: str) -> dict:
        """jobs.insert: dry runs only (the client runs queries through jobs.query)."""
        config = body.get("configuration", {})
        query = config.get("query", {})
        if not config.get("dryRun"):
            raise _Error(400, "invalid", "this fake runs queries through jobs.query only; jobs.insert is for dry runs")
        tree, _ = self._parse(query.get("query", ""))
        scanned = self.bytes_processed(tree)
        reference = body.get("jobReference") or {"projectId": project, "jobId": f"dry_{uuid.uuid4().hex[:8]}"}
        return {"kind": "bigquery#job", "id": f"{project}:{reference.get('jobId')}", "jobReference": reference,
                "configuration": config, "status": {"state": "DONE"},
                "statistics": {"totalBytesProcessed": str(scanned),
                               "query": {"totalBytesProcessed": str(scanned), "statementType": "SELECT",
                                         "cacheHit": False}}}

    def get_job(self, job_id: str, project: str) -> dict:
        result = self._results.get(job_id)
        if result is None:
            raise _Error(404, "notFound", f"Not found: Job {project}:{job_id}")
        return {"kind": "bigquery#job", "jobReference": result["reference"], "status": {"state": "DONE"},
                "configuration": {"query": {"query": result["query"]}},
                "statistics": {"query": {"totalBytesProcessed": str(result["bytes"])}}}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBigQuery

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, status: int, payload: dict) -> None:
        data = orjson.dumps(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = orjson.loads(self.rfile.read(length)) if length else {}
        self.fake.requests.append({"method": method, "path": url.path, "query": query, "body": body})
        parts = url.path.strip("/").split("/")
        try:
            if parts[:2] != ["bigquery", "v2"] or len(parts) < 5 or parts[2] != "projects":
                raise _Error(404, "notFound", f"no such endpoint: {url.path}")
            project, collection, rest = parts[3], parts[4], parts[5:]
            if method == "POST" and collection == "queries" and not rest:
                answer = self.fake.run(body, project)
            elif method == "GET" and collection == "queries" and len(rest) == 1:
                start = int(query.get("pageToken") or query.get("startIndex") or 0)
                answer = self.fake._page(rest[0], start, query.get("maxResults"),
                                         kind="bigquery#getQueryResultsResponse")
            elif method == "POST" and collection == "jobs" and not rest:
                answer = self.fake.job(body, project)
            elif method == "GET" and collection == "jobs" and len(rest) == 1:
                answer = self.fake.get_job(rest[0], project)
            else:
                raise _Error(404, "notFound", f"no such endpoint: {method} {url.path}")
        except Exception as error:  # noqa: BLE001 - a fake's own bug must fail the test, not hang a retrying client
            if not isinstance(error, _Error):
                error = _Error(400, "invalid", f"fake BigQuery failed: {type(error).__name__}: {error}")
            status = HTTPStatus(error.status)
            self._answer(error.status, {"error": {"code": error.status, "message": error.message,
                                                  "errors": [{"reason": error.reason, "message": error.message}],
                                                  "status": status.phrase.upper().replace(" ", "_")}})
            return
        self._answer(200, answer)

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")
