"""Generate the bundled incident: data/samples/incident.jsonl.gz and its ground truth.

A six-hour Cloud Run staging incident (2025-09-08 21:00Z .. 2025-09-09 03:00Z) modelled on the analysts' notes
in /work/shared/seeds: Cloud Logging LogEntry JSON (API / ``gcloud --format=json`` shape), one entry per line,
plus ``incident.truth.csv.gz`` naming, per ``insertId``, the logging statement that produced the entry and the
user it affects. Seeded and byte-for-byte reproducible::

    .venv/bin/python scripts/make_incident.py            # writes data/samples/
    .venv/bin/python scripts/make_incident.py --out DIR  # anywhere else

The layout: a table of statements (name → severity, payload kind, logger, source location, message template),
scenarios that emit one or several statements (a request, a WebSocket session, the race-condition chain...),
a table of schedules (which scenario runs periodically / as a Poisson process, where, when) and a small scheduler.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

SEED = 20250908
PROJECT = "netra-staging"
REGION = "us-central1"
HOST_SUFFIX = "pnovr5vsba-uc.a.run.app"

US = 1_000_000  # timestamps are integer microseconds since the epoch: exact, no float drift


def at(text: str) -> int:
    """An ISO 8601 instant as integer microseconds."""
    moment = datetime.fromisoformat(text)
    return int(moment.replace(microsecond=0).timestamp()) * US + moment.microsecond


T0 = at("2025-09-08T21:00:00+00:00")
T_END = T0 + 6 * 3600 * US
DEPLOY_1 = T0 + (2 * 3600 + 24 * 60 + 17) * US  # backend 00121 -> 00122 ("iteration 2 fixes"), 23:24:17
DEPLOY_2 = T0 + (4 * 3600 + 31 * 60 + 40) * US  # backend 00122 -> 00123, 01:31:40
STARTUP_LEAD = 45 * US  # a new revision's instances start this long before traffic moves
SHUTDOWN_LAG = 30 * US  # old instances drain this long after
RACE_ANCHOR = at("2025-09-08T23:19:36.400+00:00")  # seed 004 quotes the chain at 23:10:36 ... 23:19:36
BURST = (T0 + (3 * 3600 + 312) * US, T0 + (3 * 3600 + 612) * US)  # the manager-limit burst, 00:05:12-00:10:12

FIELDS = ("insert_id", "statement", "user", "user_in_text", "trace", "fragment_of")


# --- statements ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    """One logging statement (or error kind) of the incident's code base."""

    name: str
    severity: str | None  # None: Cloud Run gives the entry no severity (DEFAULT)
    kind: str  # json (structured stdout), text (plain line), audit; request logs and access lines: see below
    template: Callable[[dict], str]
    logger: str | None = None
    source: tuple[str, int, str] | None = None  # file, line, function
    log: str = "stdout"


BE = "netra_backend/app"
WS_ROUTE = ("netra_backend.app.routes.websocket", f"{BE}/routes/websocket.py")
FACTORY = ("netra_backend.app.websocket_core.websocket_manager_factory",
           f"{BE}/websocket_core/websocket_manager_factory.py")
HANDLERS = ("netra_backend.app.websocket_core.handlers", f"{BE}/websocket_core/handlers.py")


def _const(text: str) -> Callable[[dict], str]:
    return lambda p: text


def _json(name, severity, template, logger, file=None, line=None, function=None) -> Statement:
    source = (file, line, function) if file else None
    return Statement(name, severity, "json", template, logger, source)


STATEMENTS: dict[str, Statement] = {s.name: s for s in [
    # The seed-000/003 periodic readiness error (every ~30 s on every backend instance).
    _json("redis_ping_failed", "ERROR",
          _const("Redis ping test failed: asyncio.run() cannot be called from a running event loop"),
          "netra_backend.app.websocket_core.service_readiness_validator",
          f"{BE}/websocket_core/service_readiness_validator.py", 614, "_validate_redis_service"),
    # The seed-004 race-condition chain, in the order it is logged.
    _json("ws_state_error", "ERROR",
          lambda p: (f'WebSocket connection state error for {p["ws"]}: WebSocket is not connected. '
                     'Need to call "accept" first.'),
          WS_ROUTE[0], WS_ROUTE[1], 978, "_handle_websocket_messages"),
    _json("ws_race_condition", "ERROR", _const("This indicates a race condition between accept() and message handling"),
          WS_ROUTE[0], WS_ROUTE[1], 979, "_handle_websocket_messages"),
    _json("ws_routing_failed_connection", "ERROR", lambda p: f'Message routing failed for {p["ws"]}, error_count: 1',
          HANDLERS[0], HANDLERS[1], 116, "handle_message"),
    _json("ws_routing_failed_user", "ERROR", lambda p: f'Message routing failed for user {p["user"]}',
          HANDLERS[0], HANDLERS[1], 131, "handle_message"),
    _json("ws_connection_handler_error", "ERROR", lambda p: f'Error in ConnectionHandler for user {p["user"]}',
          HANDLERS[0], HANDLERS[1], 207, "ConnectionHandler.handle"),
    # WebSocket life cycle.
    _json("ws_accepted", "INFO", lambda p: f'WebSocket connection accepted: {p["ws"]} for user {p["user"]}',
          WS_ROUTE[0], WS_ROUTE[1], 402, "websocket_endpoint"),
    _json("ws_message_routed", "DEBUG", lambda p: f'Message routed for {p["ws"]}: {p["bytes"]} bytes',
          HANDLERS[0], HANDLERS[1], 98, "handle_message"),
    _json("ws_closed_by_client", "INFO", _const("Connection closed by client"), WS_ROUTE[0], WS_ROUTE[1], 1012,
          "_handle_disconnect"),
    _json("ws_closed_by_server", "WARNING", _const("Connection closed by server"), WS_ROUTE[0], WS_ROUTE[1], 1018,
          "_handle_disconnect"),
    _json("ws_no_jwt", "ERROR", _const("No JWT in WebSocket headers or subprotocols"),
          "netra_backend.app.websocket_core.auth", f"{BE}/websocket_core/auth.py", 188, "extract_jwt"),
    _json("ws_invalid_user_id", "ERROR", lambda p: f'WebSocket error: Invalid user_id format: {p["user"]}',
          WS_ROUTE[0], WS_ROUTE[1], 956, "websocket_endpoint"),
    # Seed-000/004 thread id inconsistency (every 2-3 min until 00122 fixes it).
    _json("run_id_bad_format", "WARNING", lambda p: f"run_id '{p['run_id']}' does not follow expected format",
          "netra_backend.app.services.user_execution_context", f"{BE}/services/user_execution_context.py", 218,
          "_validate_id_consistency"),
    _json("thread_id_mismatch", "WARNING",
          lambda p: f"Thread ID mismatch: run_id contains '{p['run_id']}' but thread_id is '{p['thread_id']}'",
          "netra_backend.app.services.user_execution_context", f"{BE}/services/user_execution_context.py", 225,
          "_validate_id_consistency"),
    # Seed-002 manager exhaustion (new in 00122; a 5-minute burst for one user).
    _json("ws_resource_limit", "WARNING",
          lambda p: f"Resource limit exceeded for user {p['short']}... (20/20 managers) - attempting immediate cleanup",
          FACTORY[0], FACTORY[1], 1397, "_enforce_resource_limits"),
    _json("ws_hard_limit", "ERROR",
          lambda p: f"HARD LIMIT: User {p['short']}... still over limit after cleanup (20/20)",
          FACTORY[0], FACTORY[1], 1415, "_enforce_resource_limits"),
    _json("ws_factory_error", "CRITICAL",
          lambda p: (f"UNEXPECTED FACTORY ERROR: User {p['user']} has reached the maximum number of WebSocket managers "
                     "(20). Emergency cleanup attempted but limit still exceeded. This may indicate a resource leak or "
                     "extremely high connection rate."),
          FACTORY[0], FACTORY[1], 1833, "create_websocket_manager"),
    _json("ws_cleanup_stale", "INFO", lambda p: f"Cleaned up stale managers for users [{', '.join(p['users'])}]",
          FACTORY[0], FACTORY[1], 1724, "_emergency_cleanup"),
    # Seed-003: new in 00123 (its readiness validator change).
    _json("startup_readiness_failed", "ERROR",
          lambda p: (f"DeterministicStartupError: GCP WebSocket readiness validation failed. Failed services: "
                     f"[{p['services']}]. State: failed. Elapsed: {p['elapsed']:.2f}s. This will cause 1011 WebSocket "
                     "errors in GCP Cloud Run."),
          "netra_backend.app.smd", f"{BE}/smd.py", 1442, "_validate_websocket_readiness"),
    _json("db_manager_not_initialized", "WARNING", _const("DatabaseManager not initialized"),
          "netra_backend.app.db.database_manager", f"{BE}/db/database_manager.py", 61, "get_engine"),
    # Seed-001 threads.
    _json("thread_creation", "NOTICE",
          lambda p: f"THREAD CREATION: Creating missing thread record for user {p['user']}",
          "netra_backend.app.services.thread_service", f"{BE}/services/thread_service.py", 143, "ensure_thread"),
    _json("thread_not_found", "WARNING", lambda p: f"Thread not found: {p['thread']}",
          "netra_backend.app.routes.threads", f"{BE}/routes/threads.py", 211, "get_thread"),
    _json("ws_status_404", "WARNING", _const("Request: GET /api/websocket/status | Status: 404"),
          "netra_backend.app.middleware.request_logging", f"{BE}/middleware/request_logging.py", 77, "dispatch"),
    _json("thread_title_rejected", "WARNING", lambda p: f"Invalid thread title rejected: {p['title']}",
          "netra_backend.app.routes.threads", f"{BE}/routes/threads.py", 96, "create_thread"),
    _json("config_key_missing", "WARNING",
          _const("Config key `REDIS_URL` missing | fallback=`redis://localhost:6379` | env=staging"),
          "netra_backend.app.core.configuration", f"{BE}/core/configuration/base.py", 301, "load"),
    # Requests as the application sees them.
    _json("request_completed", "INFO",
          lambda p: f"Request {p['req']} completed for user {p['user']} in {p['ms']}ms",
          "netra_backend.app.middleware.request_logging", f"{BE}/middleware/request_logging.py", 64, "dispatch"),
    # An error logged at INFO (a severity mismatch for the analysts to spot).
    _json("persist_failed", "INFO",
          lambda p: (f"Failed to persist message {p['msg']} for thread {p['thread']}: "
                     "ConnectionResetError(104, 'Connection reset by peer')"),
          "netra_backend.app.services.message_service", f"{BE}/services/message_service.py", 174, "save_message"),
    _json("slow_request", "WARNING", lambda p: f"Slow request {p['req']}: {p['ms']}ms (threshold 500ms)",
          "netra_backend.app.monitoring.request_metrics", f"{BE}/monitoring/request_metrics.py", 88, "_report_slow"),
    _json("agent_run_failed", "ERROR",
          lambda p: f"Agent execution failed for run {p['run']}: LLM provider timeout after 30.0s",
          "netra_backend.app.agents.supervisor", f"{BE}/agents/supervisor/execution_engine.py", 512, "execute"),
    # netra-auth-service.
    _json("user_login", "INFO", lambda p: f"User login: {p['email']} -> user_id {p['user']}",
          "auth_service.routes.auth", "auth_service/auth_core/routes/auth_routes.py", 233, "login"),
    _json("token_refresh_failed", "WARNING", _const("Token refresh failed: refresh token expired"),
          "auth_service.routes.auth", "auth_service/auth_core/routes/auth_routes.py", 301, "refresh"),
    # Server life cycle (uvicorn).
    _json("uvicorn_started", "INFO", _const("Started server process [1]"), "uvicorn.error"),
    _json("uvicorn_waiting", "INFO", _const("Waiting for application startup."), "uvicorn.error"),
    _json("uvicorn_startup_complete", "INFO", _const("Application startup complete."), "uvicorn.error"),
    _json("uvicorn_running", "INFO", _const("Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)"),
          "uvicorn.error"),
    _json("uvicorn_shutting_down", "INFO", _const("Shutting down"), "uvicorn.error"),
    _json("uvicorn_shutdown_complete", "INFO", _const("Application shutdown complete."), "uvicorn.error"),
    # Python tracebacks printed by the runtime: no severity, whole or one line per entry.
    Statement("asyncpg_interface_error", None, "text", lambda p: p["text"], log="stderr"),
    Statement("queuepool_timeout", None, "text", lambda p: p["text"], log="stderr"),
    # The frontend (Node) prints its own kind of stack trace when the backend is unreachable.
    Statement("frontend_fetch_failed", None, "text", lambda p: p["text"], log="stderr"),
    # Cloud Run's own entries.
    Statement("instance_started", "INFO", "text",
              _const("Starting new instance. Reason: DEPLOYMENT_ROLLOUT - Instance started due to traffic shifting "
                     "between revisions or modifications to an existing revision."),
              log="varlog/system"),
    Statement("deploy_replace_service", "NOTICE", "audit", _const(""), log="cloudaudit"),
]}


def access_statement(method: str, path: str, status: int) -> str:
    return f"access {method} {path} {status}"


def request_statement(method: str, path: str, status: int) -> str:
    return f"request {method} {path} {status}"


# --- users -----------------------------------------------------------------------------------------
FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
         "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki", "zara", "omar", "priya", "li"]
LAST = ["smith", "jones", "garcia", "chen", "patel", "kim", "nguyen", "muller", "rossi", "silva", "tanaka", "okafor"]

SEED_USER = "105945141827451681156"  # seed 000/002: invalid id, then the manager-limit burst; truncated to 10594514...
RACE_USER = "101463487227881885914"  # seed 004: the race-condition chain every 3 minutes
AMBIGUOUS = ("113204561987345620117", "113204567701298834452")  # share the prefix 11320456: must stay unresolved
E2E_PIPELINE = "e2e-staging_pipeline"  # seed 001
E2E_RELEASE = "e2e-staging_release-v1.2.3"  # the post-deploy smoke test (seed 001's edge case)
E2E_USERS = ("staging-e2e-user-001", "staging-e2e-user-002", "staging-e2e-user-003")
N_GOOGLE = 72


@dataclass
class User:
    id: str
    email: str
    weight: float  # relative activity
    numeric_rejected: bool  # rejected by the id validator until 00122 fixed Google ids


def make_users(rng: random.Random) -> list[User]:
    ids = [SEED_USER, RACE_USER, *AMBIGUOUS]
    prefixes = {i[:8] for i in ids}
    while len(ids) < N_GOOGLE:
        candidate = f"1{rng.choice('01')}{rng.randrange(10**18, 10**19)}"  # 21-digit Google ids
        if candidate[:8] not in prefixes:  # only AMBIGUOUS may share a truncation prefix
            prefixes.add(candidate[:8])
            ids.append(candidate)
    users = []
    for n, uid in enumerate(ids):
        email = f"{FIRST[n % len(FIRST)]}.{LAST[(n * 7) % len(LAST)]}{n}@example.com"
        weight = rng.choice([0.4, 1.0, 1.0, 2.0, 4.0])
        rejected = uid == SEED_USER or (uid != RACE_USER and rng.random() < 0.15)
        users.append(User(uid, email, weight, rejected))
    for e2e in E2E_USERS:
        users.append(User(e2e, f"{e2e}@example.com", 1.5, False))
    return users


# --- infrastructure --------------------------------------------------------------------------------
@dataclass
class Instance:
    service: str
    revision: str
    id: str
    start: int
    end: int
    role: str  # "a" (runs the race-condition chain) or "b"
    serving: tuple[int, int]


@dataclass
class Event:
    t: int
    statement: str
    instance: Instance
    params: dict = field(default_factory=dict)
    user: str = ""  # ground truth
    evidence: str = "none"
    trace: str = ""
    span: str = ""
    structured_user: str | None = None
    http: dict | None = None
    fragment_of: int | None = None  # index (in Gen.events) of the first fragment of a split traceback
    audit: dict | None = None


BACKEND, AUTH, FRONTEND = "netra-backend-staging", "netra-auth-service", "netra-frontend-staging"
REVISIONS = {
    BACKEND: [("00121-qzx", T0 - 3 * 3600 * US, DEPLOY_1), ("00122-lbw", DEPLOY_1, DEPLOY_2),
              ("00123-vtm", DEPLOY_2, T_END + 3600 * US)],
    AUTH: [("00045-kfp", T0 - 86400 * US, T_END + 3600 * US)],
    FRONTEND: [("00088-rjd", T0 - 86400 * US, T_END + 3600 * US)],
}
INSTANCES_PER_REVISION = {BACKEND: ("a", "b"), AUTH: ("a",), FRONTEND: ("a",)}


class Gen:
    """Holds the RNG, the infrastructure and the events emitted so far."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.events: list[Event] = []
        self.users = make_users(self.rng)
        self.instances: list[Instance] = []
        for service, revisions in REVISIONS.items():
            for rev, serve_from, serve_to in revisions:
                for role in INSTANCES_PER_REVISION[service]:
                    iid = "00f4" + self.hex(124)
                    self.instances.append(Instance(service, f"{service}-{rev}", iid, serve_from - STARTUP_LEAD,
                                                   serve_to + SHUTDOWN_LAG, role, (serve_from, serve_to)))

    # -- small helpers
    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def new_trace(self) -> str:
        return f"projects/{PROJECT}/traces/{self.hex(32)}"

    def serving(self, service: str, t: int) -> list[Instance]:
        return [i for i in self.instances if i.service == service and i.serving[0] <= t < i.serving[1]]

    def pick_instance(self, service: str, t: int) -> Instance:
        return self.rng.choice(self.serving(service, t))

    def emit(self, t: int, statement: str, inst: Instance, **kw) -> int:
        assert statement in STATEMENTS or statement.startswith(("request ", "access ")), statement
        self.events.append(Event(t, statement, inst, **kw))
        return len(self.events) - 1


# --- scenarios: each emits the entries of one thing that happened ---------------------------------
UA_BROWSER = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/128.0.0.0 Safari/537.36")
UA_UPTIME = "GoogleStackdriverMonitoring-UptimeChecks(https://cloud.google.com/monitoring)"
UA_E2E = "python-httpx/0.27.0"


def http_request(g: Gen, inst: Instance, t: int, method: str, path: str, status: int, *, trace: str,
                 statement_path: str, query: str = "", latency_s: float | None = None, ua: str = UA_BROWSER,
                 access_line: bool = True) -> None:
    """A Cloud Run request log (httpRequest only) and, for Python services, uvicorn's access line."""
    latency = latency_s if latency_s is not None else g.rng.lognormvariate(-3.2, 0.8)
    if ua == UA_UPTIME:
        remote = f"169.254.169.{g.rng.randrange(1, 254)}"
    else:
        octets = (g.rng.choice([34, 35, 73, 98, 104]), g.rng.randrange(256), g.rng.randrange(256),
                  g.rng.randrange(1, 255))
        remote = ".".join(map(str, octets))
    url = f"https://{inst.service}-{HOST_SUFFIX}{path}" + (f"?{query}" if query else "")
    http = {"requestMethod": method, "requestUrl": url, "status": status, "latency": f"{latency:.6f}s",
            "userAgent": ua, "remoteIp": remote, "protocol": "HTTP/1.1",
            "requestSize": str(g.rng.randrange(200, 900)), "responseSize": str(g.rng.randrange(80, 9000)),
            "serverIp": "216.239.32.53"}
    # Cloud Run stamps the request log with the time the request arrived
    g.emit(t, request_statement(method, statement_path, status), inst, trace=trace, span=g.hex(16), http=http)
    if access_line and inst.service != FRONTEND:
        # uvicorn logs before Cloud Run's request log is written; the logger has no trace context
        line = f'{remote}:0 - "{method} {path}{"?" + query if query else ""} HTTP/1.1" {status}'
        g.emit(t + int(latency * US) - g.rng.randrange(200, 900), access_statement(method, statement_path, status),
               inst, params={"text": line})


def uptime_check(g: Gen, inst: Instance, t: int) -> None:
    path = "/" if inst.service == FRONTEND else "/health"
    http_request(g, inst, t, "GET", path, 200, trace=g.new_trace(), statement_path=path, ua=UA_UPTIME,
                 latency_s=g.rng.uniform(0.002, 0.02))


def redis_ping(g: Gen, inst: Instance, t: int) -> None:
    g.emit(t, "redis_ping_failed", inst)


def ws_id(g: Gen, user: str, t: int) -> str:
    return f"ws_{user[:8]}_{t // US}_{g.hex(8)}"


SEED_CONNECTIONS = {int(ws.split("_")[2]): ws for ws in (  # seed 004's sample occurrences, verbatim
    "ws_10146348_1757373397_aca2f891", "ws_10146348_1757373217_28b0e073", "ws_10146348_1757373037_7ab760e0",
    "ws_10146348_1757372857_668b7f35")}


def race_chain(g: Gen, inst: Instance, t: int) -> None:
    """Seed 004: the connection accepted ~3 min earlier fails, five errors milliseconds apart, one trace."""
    opened = t - 179 * US + g.rng.randrange(0, 300_000)
    if opened < max(T0, inst.start + 60 * US):  # the failing connection must have been accepted here, in the window
        return
    ws, trace = ws_id(g, RACE_USER, opened), g.new_trace()
    ws = SEED_CONNECTIONS.get(opened // US, ws)
    g.emit(opened, "ws_accepted", inst, params={"ws": ws, "user": RACE_USER}, user=RACE_USER, evidence="text",
           trace=trace, span=g.hex(16))
    steps = [("ws_state_error", "connection"), ("ws_race_condition", "trace"),
             ("ws_routing_failed_connection", "connection"), ("ws_routing_failed_user", "text"),
             ("ws_connection_handler_error", "text")]
    for name, evidence in steps:
        t += g.rng.randrange(300, 4000)
        g.emit(t, name, inst, params={"ws": ws, "user": RACE_USER}, trace=trace, span=g.hex(16),
               user="" if evidence == "trace" else RACE_USER, evidence=evidence)


def thread_mismatch(g: Gen, inst: Instance, t: int, suffix: str | None = None) -> None:
    """Seed 000/004: a WebSocket factory run id that the execution context rejects (a user's connect)."""
    user = g.rng.choice([u for u in g.users if not (u.numeric_rejected and t < DEPLOY_1)]).id
    trace, ws = g.new_trace(), ws_id(g, user, t)
    run_id = f"websocket_factory_{t // 1000}"
    thread_id = f"thread_{run_id}_{suffix or f'{g.rng.randrange(10, 999)}_{g.hex(8)}'}"
    g.emit(t, "ws_accepted", inst, params={"ws": ws, "user": user}, user=user, evidence="text", trace=trace,
           span=g.hex(16))
    g.emit(t + 1800, "run_id_bad_format", inst, params={"run_id": run_id}, trace=trace, span=g.hex(16))
    g.emit(t + 2500, "thread_id_mismatch", inst, params={"run_id": run_id, "thread_id": thread_id}, trace=trace,
           span=g.hex(16))


def e2e_connect(g: Gen, inst: Instance, t: int, user: str = E2E_PIPELINE) -> None:
    """Seed 001: the e2e pipeline's id is rejected by the validator in every revision."""
    g.emit(t, "ws_invalid_user_id", inst, params={"user": user}, user=user, evidence="text", trace=g.new_trace(),
           span=g.hex(16))


def cleanup_stale(g: Gen, inst: Instance, t: int) -> None:
    """Names several users but affects none of them: no user by design."""
    chosen = g.rng.sample([u.id for u in g.users if u.id[0].isdigit()], g.rng.randrange(2, 5))
    g.emit(t, "ws_cleanup_stale", inst, params={"users": chosen})


def ambiguous_limit(g: Gen, inst: Instance, t: int) -> None:
    """The truncated prefix 11320456... fits two users: unresolved by design (no trace, no structured id)."""
    g.emit(t, "ws_resource_limit", inst, params={"short": AMBIGUOUS[0][:8]}, evidence="truncated")


def manager_limit(g: Gen, inst: Instance, t: int) -> None:
    """Seed 002: one connect attempt of the burst; the full id only appears in the factory error."""
    trace = g.new_trace()
    short = SEED_USER[:8]
    g.emit(t, "ws_resource_limit", inst, params={"short": short}, user=SEED_USER, evidence="truncated", trace=trace,
           span=g.hex(16))
    t += g.rng.randrange(20_000, 90_000)  # the cleanup attempt
    g.emit(t, "ws_hard_limit", inst, params={"short": short}, user=SEED_USER, evidence="truncated", trace=trace,
           span=g.hex(16))
    g.emit(t + g.rng.randrange(200, 2000), "ws_factory_error", inst, params={"user": SEED_USER}, user=SEED_USER,
           evidence="text", trace=trace, span=g.hex(16))


def e2e_factory_error(g: Gen, inst: Instance, t: int) -> None:
    user = E2E_USERS[1]  # seed 004's secondary user
    g.emit(t, "ws_factory_error", inst, params={"user": user}, user=user, evidence="text", trace=g.new_trace(),
           span=g.hex(16))


def no_jwt(g: Gen, inst: Instance, t: int) -> None:
    g.emit(t, "ws_no_jwt", inst, trace=g.new_trace(), span=g.hex(16))


def system_thread(g: Gen, inst: Instance, t: int) -> None:
    """'system' is not a user: no user by design."""
    g.emit(t, "thread_creation", inst, params={"user": "system"})


def db_not_initialized(g: Gen, inst: Instance, t: int) -> None:
    g.emit(t, "db_manager_not_initialized", inst)


def readiness_failed(g: Gen, inst: Instance, t: int, services: str = "", elapsed: float = 0.0) -> None:
    services = services or g.rng.choice(["redis", "redis", "redis", "redis, postgres"])
    g.emit(t, "startup_readiness_failed", inst,
           params={"services": services, "elapsed": elapsed or g.rng.uniform(5.2, 12.9)})


# Tracebacks -----------------------------------------------------------------------------------------
SITE = "/usr/local/lib/python3.11/site-packages"
ASYNCPG_ERROR = "asyncpg.exceptions._base.InterfaceError: cannot perform operation: another operation is in progress"
OUTER_FRAMES = [  # differing outer frames between occurrences
    [("routes/threads.py", 188, "list_threads", "threads = await thread_service.list_for_user(db, user_id)"),
     ("services/thread_service.py", 88, "list_for_user", "result = await db.execute(stmt)")],
    [("routes/agents.py", 133, "run_agent", "thread = await thread_service.get_or_create(db, request.thread_id)"),
     ("services/thread_service.py", 121, "get_or_create", "existing = await db.get(Thread, thread_id)")],
    [("routes/websocket.py", 611, "_load_thread_history", "messages = await message_repo.recent(db, thread_id)"),
     ("db/repositories/message_repository.py", 54, "recent", "rows = await db.execute(query)")],
]
ASYNCPG_INNER = [
    ("/app/netra_backend/app/db/session.py", 142, "execute", "return await self._session.execute(statement, params)"),
    (f"{SITE}/sqlalchemy/ext/asyncio/session.py", 461, "execute", "result = await greenlet_spawn("),
    (f"{SITE}/sqlalchemy/dialects/postgresql/asyncpg.py", 585, "_prepare_and_execute", "self._handle_exception(error)"),
    (f"{SITE}/asyncpg/connection.py", 1794, "_check_open", "raise exceptions.InterfaceError("),
]
ROLLBACK_FRAMES = [
    ("/app/netra_backend/app/db/session.py", 151, "get_session", "await session.rollback()"),
    (f"{SITE}/sqlalchemy/ext/asyncio/session.py", 1012, "rollback", "await greenlet_spawn(self.sync_session.rollback)"),
    (f"{SITE}/asyncpg/connection.py", 1794, "_check_open", "raise exceptions.InterfaceError("),
]
QUEUEPOOL_FRAMES = [
    ("/app/netra_backend/app/middleware/request_context.py", 64, "dispatch", "response = await call_next(request)"),
    ("/app/netra_backend/app/routes/agents.py", 133, "run_agent", "async with get_db_session() as db:"),
    ("/app/netra_backend/app/db/database_manager.py", 97, "get_db_session", "session = await self._engine.connect()"),
    (f"{SITE}/sqlalchemy/pool/impl.py", 168, "_do_get", "raise exc.TimeoutError("),
]
QUEUEPOOL_ERROR = ("sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, "
                   "timeout 10.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)")


def traceback_lines(frames, error: str) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    for file, line, function, code in frames:
        lines += [f'  File "{file}", line {line}, in {function}', f"    {code}"]
    return lines + [error]


def asyncpg_traceback(g: Gen, inst: Instance, t: int) -> None:
    """Whole, in one textPayload, no severity; outer frames and line numbers vary; some chained; some headed."""
    outer = [(f"/app/netra_backend/app/{f}", line + g.rng.choice([0, 0, 2, 7]), fn, code)
             for f, line, fn, code in g.rng.choice(OUTER_FRAMES)]
    lines = traceback_lines(outer + ASYNCPG_INNER, ASYNCPG_ERROR)
    if g.rng.random() < 0.35:
        lines += ["", "During handling of the above exception, another exception occurred:", "",
                  *traceback_lines(ROLLBACK_FRAMES, ASYNCPG_ERROR)]
    if g.rng.random() < 0.5:
        lines.insert(0, "Exception in ASGI application")
    g.emit(t, "asyncpg_interface_error", inst, params={"text": "\n".join(lines)})


NODE_PAGES = [("threads/page.js", "getThreads"), ("chat/page.js", "loadConversation"),
              ("settings/page.js", "getProfile")]


def frontend_fetch_failed(g: Gen, inst: Instance, t: int) -> None:
    page, function = g.rng.choice(NODE_PAGES)
    text = "\n".join([
        "TypeError: fetch failed",
        f"    at node:internal/deps/undici/undici:{g.rng.choice([13178, 13185])}:13",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        f"    at async {function} (/app/.next/server/app/{page}:1:{g.rng.randrange(1000, 9000)}) {{",
        "  [cause]: Error: connect ECONNREFUSED 10.8.0.3:443",
        "      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {",
        "    errno: -111,", "    code: 'ECONNREFUSED',", "    syscall: 'connect',", "    address: '10.8.0.3',",
        "    port: 443", "  }", "}"])
    g.emit(t, "frontend_fetch_failed", inst, params={"text": text})


# Users' activity -----------------------------------------------------------------------------------
API_MIX = [  # (weight, method, path pattern, status); <id> is a thread uuid
    (35, "GET", "/api/threads", 200), (25, "GET", "/api/threads/<id>/messages", 200),
    (15, "POST", "/api/agents/run", 200), (8, "GET", "/api/threads/<id>", 404),
    (6, "GET", "/api/websocket/status", 404), (10, "GET", "/api/user/profile", 200),
    (1, "POST", "/api/agents/run", 500),
]
QUERIES = {"/api/threads": "limit=20&offset=0", "/api/threads/<id>/messages": "limit=50&before=",
           "/api/user/profile": "fields=name,email,plan"}
XSS_TITLES = ["<script>alert('xss')</script>", "<img src=x onerror=alert(1)>"]


def uuid(g: Gen) -> str:
    h = g.hex(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def api_request(g: Gen, inst: Instance, t: int, user: User) -> None:
    """One API call: request log + the app's completion line (+ whatever went wrong), one trace."""
    weights = [w for w, *_ in API_MIX]
    _, method, pattern, status = g.rng.choices(API_MIX, weights)[0]
    thread = uuid(g)
    path = pattern.replace("<id>", thread)
    query = QUERIES.get(pattern, "")
    if pattern == "/api/threads/<id>/messages":
        query += str(g.rng.randrange(1, 5000))
    trace, req = g.new_trace(), f"req_{g.hex(12)}"
    structured = user.id if g.rng.random() < 0.4 else None
    ms = g.rng.randrange(8, 900) if status != 500 else g.rng.randrange(10_000, 30_500)
    done = t + ms * 1000
    if status == 404 and pattern == "/api/threads/<id>":
        g.emit(t + 4000, "thread_not_found", inst, params={"thread": thread}, user=user.id, evidence="structured",
               trace=trace, span=g.hex(16), structured_user=user.id)
    elif status == 404:
        g.emit(done - 500, "ws_status_404", inst, trace=trace, span=g.hex(16))
    elif status == 500 and g.rng.random() < 0.5:
        g.emit(done - 900, "agent_run_failed", inst, params={"run": f"run_{g.hex(8)}"}, user=user.id,
               evidence="structured", trace=trace, span=g.hex(16), structured_user=user.id)
    elif status == 500:
        split_traceback(g, inst, done - 3000, req, user.id)
    elif method == "POST" and g.rng.random() < 0.04:
        g.emit(t + 700_000, "persist_failed", inst, params={"msg": f"msg_{g.hex(12)}", "thread": thread},
               trace=trace, span=g.hex(16))
    elif method == "POST" and g.rng.random() < 0.05:
        g.emit(t + 900, "thread_creation", inst, params={"user": user.id}, user=user.id, evidence="text",
               trace=trace, span=g.hex(16))
    if ms > 800 and status != 500:
        # written by a metrics task that has no trace context: the request id is the only link to the user
        g.emit(done + g.rng.randrange(1000, 50_000), "slow_request", inst, params={"req": req, "ms": ms},
               user=user.id, evidence="request")
    g.emit(done - 200, "request_completed", inst, params={"req": req, "user": user.id, "ms": ms}, user=user.id,
           evidence="structured" if structured else "text", trace=trace, span=g.hex(16), structured_user=structured)
    http_request(g, inst, t, method, path, status, trace=trace, statement_path=pattern, query=query,
                 latency_s=ms / 1000 + g.rng.uniform(0.0005, 0.004), ua=UA_BROWSER if user.id[0].isdigit() else UA_E2E)


def split_traceback(g: Gen, inst: Instance, t: int, req: str, user: str) -> None:
    """Printed one line per entry (same instance and log, microseconds apart) after a header naming the request."""
    lines = [f"Error handling request {req}", *traceback_lines(QUEUEPOOL_FRAMES, QUEUEPOOL_ERROR)]
    first = None
    for line in lines:
        idx = g.emit(t, "queuepool_timeout", inst, params={"text": line}, user=user, evidence="request")
        first = idx if first is None else first
        g.events[idx].fragment_of = first
        t += g.rng.randrange(3, 40)


def xss_title(g: Gen, inst: Instance, t: int, user: User) -> None:
    trace = g.new_trace()
    g.emit(t + 3000, "thread_title_rejected", inst, params={"title": g.rng.choice(XSS_TITLES)}, user=user.id,
           evidence="structured", trace=trace, span=g.hex(16), structured_user=user.id)
    http_request(g, inst, t, "POST", "/api/threads", 400, trace=trace, statement_path="/api/threads")


def login(g: Gen, t: int, user: User) -> None:
    inst = g.pick_instance(AUTH, t)
    trace = g.new_trace()
    g.emit(t + 40_000, "user_login", inst, params={"email": user.email, "user": user.id}, user=user.id,
           evidence="text", trace=trace, span=g.hex(16))
    http_request(g, inst, t, "POST", "/auth/login", 200, trace=trace, statement_path="/auth/login",
                 latency_s=g.rng.uniform(0.05, 0.4))


def token_refresh_failed(g: Gen, t: int, user: User) -> None:
    inst = g.pick_instance(AUTH, t)
    trace = g.new_trace()
    g.emit(t + 9000, "token_refresh_failed", inst, user=user.id, evidence="structured", trace=trace,
           span=g.hex(16), structured_user=user.id)
    http_request(g, inst, t, "POST", "/auth/refresh", 401, trace=trace, statement_path="/auth/refresh")


def page_load(g: Gen, t: int) -> None:
    """Frontend requests carry no user (the browser's id never reaches the frontend logs)."""
    inst = g.pick_instance(FRONTEND, t)
    path = g.rng.choice(["/chat", "/chat", "/threads", "/settings"])
    http_request(g, inst, t, "GET", path, 200, trace=g.new_trace(), statement_path=path,
                 latency_s=g.rng.uniform(0.02, 0.3))


def session(g: Gen, t: int, user: User) -> None:
    """A user's visit: maybe a login, pages, a WebSocket connection, API calls, a close."""
    end = min(t + int(g.rng.uniform(4, 40) * 60 * US), T_END - 60 * US)
    if g.rng.random() < 0.35:
        login(g, t, user)
        t += g.rng.randrange(1, 4) * US
    page_load(g, t)
    inst = g.pick_instance(BACKEND, t)
    ws_trace = g.new_trace()
    rejected = user.numeric_rejected and t < DEPLOY_1
    if rejected:
        g.emit(t + 200_000, "ws_invalid_user_id", inst, params={"user": user.id}, user=user.id, evidence="text",
               trace=ws_trace, span=g.hex(16))
    else:
        ws = ws_id(g, user.id, t)
        g.emit(t + 200_000, "ws_accepted", inst, params={"ws": ws, "user": user.id}, user=user.id, evidence="text",
               trace=ws_trace, span=g.hex(16))
    # the connection lives on one instance; a deploy's drain closes it from the server side
    ws_end = min(end, inst.end - 3 * US)
    calls = max(1, int(user.weight * g.rng.uniform(4, 14)))
    times = sorted(g.rng.randrange(t + US, end) for _ in range(calls))
    for tc in times:
        if not g.serving(BACKEND, tc):
            continue
        api_request(g, g.pick_instance(BACKEND, tc), tc, user)
        routed = tc + g.rng.randrange(1000, 900_000)
        if not rejected and routed < ws_end and g.rng.random() < 0.6:
            g.emit(routed, "ws_message_routed", inst,
                   params={"ws": ws, "bytes": g.rng.randrange(40, 6000)}, user=user.id, evidence="connection",
                   trace=ws_trace, span=g.hex(16))
    if g.rng.random() < 0.02:
        token_refresh_failed(g, end - 5 * US, user)
    if not rejected:
        by_server = ws_end < end or g.rng.random() < 0.15
        closer = "ws_closed_by_server" if by_server else "ws_closed_by_client"
        structured = user.id if g.rng.random() < 0.5 else None
        g.emit(ws_end, closer, inst, user=user.id, evidence="structured" if structured else "trace",
               trace=ws_trace, span=g.hex(16), structured_user=structured)


def sessions(g: Gen) -> None:
    """Each user visits a few times; heavier users more often. Everyone visits at least once."""
    for user in g.users:
        visits = max(1, round(user.weight * g.rng.uniform(1.5, 4)))
        for _ in range(visits):
            session(g, g.rng.randrange(T0 + 60 * US, T_END - 20 * 60 * US), user)


def xss_attempts(g: Gen) -> None:
    mallory = next(u for u in g.users if u.email.startswith("mallory"))
    for k in range(6):
        t = T0 + int((1.1 + 0.71 * k) * 3600 * US) + g.rng.randrange(0, 60 * US)
        xss_title(g, g.pick_instance(BACKEND, t), t, mallory)


def release_smoke_tests(g: Gen) -> None:
    """After each deploy the release smoke test connects with its own (rejected) id."""
    for deploy in (DEPLOY_1, DEPLOY_2):
        for k in range(3):
            t = deploy + (90 + 40 * k) * US + g.rng.randrange(0, US)
            e2e_connect(g, g.pick_instance(BACKEND, t), t, E2E_RELEASE)


def seed_occurrences(g: Gen) -> None:
    """The entries the analysts quote, at the times and with the values they quote."""
    t = at("2025-09-08T23:19:37.513+00:00")  # seed 004: websocket_factory_1757373577513 ..._54_24427b1b
    thread_mismatch(g, next(i for i in g.serving(BACKEND, t) if i.role == "b"), t, "54_24427b1b")
    t = at("2025-09-08T22:41:07.250+00:00")  # seed 000: the numeric Google id rejected before 00122
    session(g, t, next(u for u in g.users if u.id == SEED_USER))
    t = at("2025-09-09T01:33:32.726470+00:00")  # seed 001
    e2e_connect(g, g.pick_instance(BACKEND, t), t)
    t = at("2025-09-09T01:33:46.434350+00:00")  # seed 001: the status poll with no user behind it
    inst, trace = g.pick_instance(BACKEND, t), g.new_trace()
    g.emit(t + 2100, "ws_status_404", inst, trace=trace, span=g.hex(16))
    http_request(g, inst, t, "GET", "/api/websocket/status", 404, trace=trace, statement_path="/api/websocket/status")
    t = at("2025-09-09T01:45:00.707988+00:00")  # seed 003
    readiness_failed(g, g.pick_instance(BACKEND, t), t, "redis", 7.51)


# Instance life cycles and deploys --------------------------------------------------------------------
def lifecycle(g: Gen) -> None:
    for inst in g.instances:
        if inst.service != BACKEND:
            continue
        if inst.start > T0:
            t = inst.start
            g.emit(t, "instance_started", inst)
            steps = ["uvicorn_started", "uvicorn_waiting", "config_key_missing", "db_manager_not_initialized"]
            for name in steps:
                t += g.rng.randrange(50_000, 900_000)
                g.emit(t, name, inst)
            if inst.revision.endswith(REVISIONS[BACKEND][2][0]):
                t += g.rng.randrange(5 * US, 13 * US)
                readiness_failed(g, inst, t)
            for name in ("uvicorn_startup_complete", "uvicorn_running"):
                t += g.rng.randrange(100_000, 2 * US)
                g.emit(t, name, inst)
        if inst.end < T_END:
            g.emit(inst.end - 2 * US, "uvicorn_shutting_down", inst)
            g.emit(inst.end - US, "uvicorn_shutdown_complete", inst)


def deploys(g: Gen) -> None:
    for (rev, start, _), image in zip(REVISIONS[BACKEND][1:], ("9f3c2e1", "b71d0a4")):
        inst = g.serving(BACKEND, start)[0]
        revision = f"{BACKEND}-{rev}"
        g.emit(start - STARTUP_LEAD - 20 * US, "deploy_replace_service", inst, audit={
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo": {"principalEmail": f"github-deployer@{PROJECT}.iam.gserviceaccount.com"},
            "methodName": "google.cloud.run.v1.Services.ReplaceService",
            "request": {"@type": "type.googleapis.com/google.cloud.run.v1.ReplaceServiceRequest",
                        "name": f"namespaces/{PROJECT}/services/{BACKEND}",
                        "service": {"spec": {"template": {"metadata": {"name": revision}, "spec": {"containers": [
                            {"image": f"gcr.io/{PROJECT}/netra-backend-staging:{image}"}]}}}}},
            "requestMetadata": {"callerIp": "140.82.112.4",
                                "callerSuppliedUserAgent": "google-cloud-sdk gcloud/489.0.0 command/gcloud.run.deploy"},
            "resourceLocation": {"currentLocations": [REGION]},
            "resourceName": f"namespaces/{PROJECT}/services/{BACKEND}",
            "serviceName": "run.googleapis.com",
            "status": {},
        })


# --- schedules -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule:
    """Run ``scenario(g, instance, t)`` on each matching instance: every ``period`` s ± ``jitter`` s (each instance
    on its own clock), or as a Poisson process with mean gap ``period`` s when ``poisson``; within ``window``."""

    scenario: Callable[[Gen, Instance, int], None]
    service: str
    period: float
    jitter: float = 0.0
    roles: tuple[str, ...] = ("a", "b")
    window: tuple[int, int] = (T0, T_END)
    poisson: bool = False
    spread: float = 0.0  # periodic gaps uniform in [period, period + spread] (seed 004's "every 2-3 min")
    anchor: int | None = None  # periodic on a fixed grid through this instant (a client's clock, not the instance's)


SCHEDULES = [
    Schedule(uptime_check, BACKEND, 10, 0.3, roles=("a",)),
    Schedule(uptime_check, AUTH, 10, 0.3),
    Schedule(uptime_check, FRONTEND, 10, 0.3),
    Schedule(redis_ping, BACKEND, 30, 1.5),  # both instances, each on its own clock; no revision fixes it
    Schedule(race_chain, BACKEND, 180, 0.3, roles=("a",), anchor=RACE_ANCHOR),
    Schedule(thread_mismatch, BACKEND, 120, 2.0, roles=("b",), window=(T0, DEPLOY_1), spread=60),  # fixed by 00122
    Schedule(e2e_connect, BACKEND, 600, 45, roles=("b",)),
    Schedule(cleanup_stale, BACKEND, 600, 20, roles=("a",), window=(DEPLOY_1, T_END)),
    Schedule(ambiguous_limit, BACKEND, 1500, poisson=True, window=(DEPLOY_1, T_END)),
    Schedule(manager_limit, BACKEND, 3, poisson=True, roles=("a",), window=BURST),
    Schedule(e2e_factory_error, BACKEND, 1200, poisson=True, window=(DEPLOY_1, T_END)),
    Schedule(no_jwt, BACKEND, 420, poisson=True),
    Schedule(system_thread, BACKEND, 200, poisson=True),
    Schedule(frontend_fetch_failed, FRONTEND, 1200, poisson=True),
    Schedule(db_not_initialized, BACKEND, 2400, poisson=True, roles=("b",)),
    Schedule(readiness_failed, BACKEND, 600, poisson=True, window=(DEPLOY_2, T_END)),  # new in 00123
    # Gone in 00122 (its bigger pool), back in 00123 (the pool change was reverted): a regression.
    Schedule(asyncpg_traceback, BACKEND, 600, poisson=True, window=(T0, DEPLOY_1)),
    Schedule(asyncpg_traceback, BACKEND, 600, poisson=True, window=(DEPLOY_2, T_END)),
]


def ticks(g: Gen, s: Schedule, start: int, end: int) -> Iterator[int]:
    if s.anchor is not None:
        step = int(s.period * US)
        first = s.anchor - (s.anchor - start) // step * step
        for grid in range(first, end, step):
            yield grid + int(g.rng.uniform(-s.jitter, s.jitter) * US)
        return
    t = start + int(g.rng.uniform(0, s.period) * US)  # each instance's own phase
    while t < end:
        yield t
        if s.poisson:
            t += int(g.rng.expovariate(1 / s.period) * US)
        else:
            gap = s.period + g.rng.uniform(0, s.spread) + g.rng.uniform(-s.jitter, s.jitter)
            t += int(gap * US)


def run_schedules(g: Gen) -> None:
    for s in SCHEDULES:
        for inst in g.instances:
            if inst.service != s.service or inst.role not in s.roles:
                continue
            # a new instance's clock starts once its app is up
            start = max(s.window[0], T0, inst.start + 60 * US)
            end = min(s.window[1], inst.end, T_END)
            for t in ticks(g, s, start, end):
                s.scenario(g, inst, t)


# --- ground truth fixes and checks ----------------------------------------------------------------
def resolve_traces(g: Gen) -> None:
    """An entry with a trace but no user belongs to the trace's one identified user (evidence 'trace')."""
    users: dict[str, set[str]] = {}
    for e in g.events:
        if e.trace and e.user:
            users.setdefault(e.trace, set()).add(e.user)
    for trace, found in users.items():
        assert len(found) == 1, (trace, found)
    for e in g.events:
        if e.trace and not e.user and e.trace in users:
            e.user, e.evidence = next(iter(users[e.trace])), "trace"


def check(g: Gen) -> None:
    """The truth must be derivable from the entries exactly as described in the README."""
    full_ids = {u.id for u in g.users}
    connections = {e.params["ws"]: e.user for e in g.events if e.statement == "ws_accepted"}
    requests = {e.params["req"]: e.user for e in g.events if e.statement == "request_completed"}
    for e in g.events:
        message = render_message(e)
        if e.evidence == "structured":
            assert e.structured_user == e.user
        elif e.evidence == "text":
            assert e.user in message and e.structured_user is None, message
        elif e.evidence == "connection":
            assert connections[e.params["ws"]] == e.user
        elif e.evidence == "request":
            first = g.events[e.fragment_of] if e.fragment_of is not None else e
            req = first.params.get("req") or first.params["text"].split()[-1]
            assert requests[req] == e.user
        elif e.evidence == "truncated":
            matches = [u for u in full_ids if u.startswith(e.params["short"])]
            assert e.user == (matches[0] if len(matches) == 1 else ""), (e.params, matches)
        elif e.evidence == "trace":
            assert e.trace
        else:
            assert e.evidence == "none" and not e.user


# --- writing ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _second(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def rfc3339(us: int) -> str:
    return f"{_second(us // US)}.{us % US:06d}Z"


def render_message(e: Event) -> str:
    if e.statement.startswith(("request ", "access ")):
        return e.params.get("text", "")
    return STATEMENTS[e.statement].template(e.params)


# The route module was reorganised in 00123: seed 000 quotes websocket.py:956, seed 001 (later) :843.
MOVED_LINES = {("ws_invalid_user_id", f"{BACKEND}-00123-vtm"): 843}
LOG_IDS = {"stdout": "run.googleapis.com%2Fstdout", "stderr": "run.googleapis.com%2Fstderr",
           "requests": "run.googleapis.com%2Frequests", "varlog/system": "run.googleapis.com%2Fvarlog%2Fsystem",
           "cloudaudit": "cloudaudit.googleapis.com%2Factivity"}


def to_entry(g: Gen, e: Event, insert_id: str) -> dict:
    inst = e.instance
    service, rev_suffix = inst.service, inst.revision
    entry: dict = {
        "insertId": insert_id,
        "timestamp": rfc3339(e.t),
        "receiveTimestamp": rfc3339(e.t + g.rng.randrange(8_000, 450_000)),
        "resource": {"type": "cloud_run_revision", "labels": {
            "project_id": PROJECT, "service_name": service, "revision_name": rev_suffix, "location": REGION,
            "configuration_name": service}},
    }
    if e.statement.startswith("request "):
        log = "requests"
        entry["httpRequest"] = e.http
        status = e.http["status"]
        entry["severity"] = "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"
    elif e.statement.startswith("access "):
        log = "stdout"
        entry["severity"] = "INFO"
        entry["jsonPayload"] = {"logger": "uvicorn.access", "message": e.params["text"]}
    else:
        st = STATEMENTS[e.statement]
        log = st.log
        if st.severity:
            entry["severity"] = st.severity
        if st.kind == "audit":
            entry["protoPayload"] = e.audit
            entry["resource"]["labels"]["revision_name"] = ""
        elif st.kind == "text":
            entry["textPayload"] = render_message(e)
        else:
            payload: dict = {"message": render_message(e)}
            if st.logger:
                payload["logger"] = st.logger
            if st.source:
                file, line, function = st.source
                line = MOVED_LINES.get((e.statement, inst.revision), line)
                payload["logging.googleapis.com/sourceLocation"] = {"file": file, "line": str(line),
                                                                     "function": function}
            if e.structured_user:
                payload["user_id"] = e.structured_user
            entry["jsonPayload"] = payload
    entry["logName"] = f"projects/{PROJECT}/logs/{LOG_IDS[log]}"
    if log != "cloudaudit":
        entry["labels"] = {"instanceId": inst.id}
    if e.trace:
        entry["trace"] = e.trace
        entry["spanId"] = e.span or g.hex(16)
        entry["traceSampled"] = True
    return entry


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def generate(seed: int = SEED) -> tuple[bytes, bytes]:
    """Return (incident.jsonl.gz, incident.truth.csv.gz) as bytes."""
    g = Gen(seed)
    lifecycle(g)
    deploys(g)
    run_schedules(g)
    sessions(g)
    xss_attempts(g)
    release_smoke_tests(g)
    seed_occurrences(g)
    resolve_traces(g)
    check(g)

    order = sorted(range(len(g.events)), key=lambda i: (g.events[i].t, i))
    insert_ids: dict[int, str] = {}
    seen: set[str] = set()
    for i in order:
        iid = f"{g.events[i].t // US:08x}{g.hex(16)}"
        assert iid not in seen
        seen.add(iid)
        insert_ids[i] = iid

    lines, truth = [], io.StringIO()
    writer = csv.writer(truth, lineterminator="\n")
    writer.writerow(FIELDS)
    for i in order:
        e = g.events[i]
        lines.append(orjson.dumps(to_entry(g, e, insert_ids[i]), option=orjson.OPT_SORT_KEYS))
        fragment_of = insert_ids[e.fragment_of] if e.fragment_of is not None else ""
        writer.writerow([insert_ids[i], e.statement, e.user, e.evidence, e.trace, fragment_of])
    return gzip_bytes(b"\n".join(lines) + b"\n"), gzip_bytes(truth.getvalue().encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "samples")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    entries, truth = generate(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "incident.jsonl.gz").write_bytes(entries)
    (args.out / "incident.truth.csv.gz").write_bytes(truth)
    print(f"wrote {args.out / 'incident.jsonl.gz'} ({len(entries):,} bytes) and incident.truth.csv.gz")


if __name__ == "__main__":
    main()
