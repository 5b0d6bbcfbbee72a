"""Redaction: the share of each secret kind removed, and throughput on N entries against a reference.

Each kind is planted ``--plant`` times (default 36) in varied contexts (a text payload, a JSON message, a
header-like field, a config dump line, a query string...), and counted as removed when the planted secret is no
longer in the redacted entry. Throughput: ``redact_entries`` on N realistic entries (default 1,000,000) against
the reference of copying them through ``orjson`` (dumps + loads) in the same run.

    .venv/bin/python benchmarks/bench_redact.py
    .venv/bin/python benchmarks/bench_redact.py --entries 200000 --plant 36
"""

from __future__ import annotations

import argparse
import os
import random
import string
import time

import orjson

from triage.sources._samples.keys import new_key
from triage.sources._samples.redact import redact_entries

RNG = random.Random(16)


def _rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def _luhn_card(prefix: str) -> str:
    digits = prefix + _rand(string.digits, 15 - len(prefix))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


def _grouped(card: str) -> str:
    return " ".join(card[i:i + 4] for i in range(0, 16, 4))


B64 = string.ascii_letters + string.digits + "+/"
AN = string.ascii_letters + string.digits
#: kind -> (secret maker, text templates: {s} is the secret). Field plantings are added for every kind.
KINDS = {
    "pem_private_key": (lambda: "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(_rand(B64, 64) for _ in range(4))
                        + "\n-----END RSA PRIVATE KEY-----", ["loaded key {s} from env", "{s}"]),
    "stripe_live": (lambda: "sk_live_" + _rand(AN, 24), ["stripe.api_key = {s}", "charging with {s} failed"]),
    "stripe_restricted": (lambda: "rk_live_" + _rand(AN, 24), ["using {s}", "key {s} revoked"]),
    "aws_secret_key": (lambda: _rand(B64, 40), ["aws_secret_access_key={s}", "AWS secret: {s}",
                                                "aws_secret_access_key = {s}"]),
    "aws_access_key": (lambda: "AKIA" + _rand(string.ascii_uppercase + string.digits, 16), ["aws key {s} used"]),
    "gocspx_secret": (lambda: "GOCSPX-" + _rand(AN + "_-", 28), ["oauth client secret {s}", "client={s}"]),
    "google_api_key": (lambda: "AIza" + _rand(AN + "_-", 35), ["GET /maps?key={s}&q=1", "using {s}"]),
    "github_token": (lambda: "ghp_" + _rand(AN, 36), ["git clone https://{s}@github.com/x/y", "token {s}"]),
    "jwt": (lambda: "eyJ" + _rand(AN, 20) + "." + _rand(AN, 30) + "." + _rand(AN, 20),
            ["Authorization: Bearer {s}", "jwt={s}"]),
    "password_spaces": (lambda: _rand(AN, 12), ["password = {s}", "db password: {s}", "PASSWORD={s}"]),
    "password_quoted": (lambda: _rand(string.ascii_lowercase, 5) + " " + _rand(AN, 6),
                        ['password="{s}"', "password = '{s}'", '{{"password": "{s}"}}']),
    "pass_param": (lambda: _rand(AN, 10), ["login?user=bob&pass={s}", "pass={s}"]),
    "cookie_header": (lambda: "session=" + _rand(AN, 24), ["Cookie: {s}", "Set-Cookie: {s}; HttpOnly",
                                                           "request headers: cookie: {s}"]),
    "card_number": (lambda: _luhn_card("4"), ["charged card {s}", "pan={s} declined", "card: {s}"]),
    "card_grouped": (lambda: _grouped(_luhn_card("5")), ["card {s} ok", "pan: {s}"]),
    "us_ssn": (lambda: f"{RNG.randint(100, 665)}-{RNG.randint(10, 99)}-{RNG.randint(1000, 9999)}",
               ["ssn {s} verified", "national id: {s}"]),
    "phone_intl": (lambda: f"+44 20 {RNG.randint(1000, 9999)} {RNG.randint(1000, 9999)}",
                   ["call {s} back", "sms to {s} failed"]),
    "phone_us": (lambda: f"({RNG.randint(200, 999)}) {RNG.randint(200, 999)}-{RNG.randint(1000, 9999)}",
                 ["customer phone {s}", "dial {s}"]),
    "email": (lambda: _rand(string.ascii_lowercase, 6) + "@corp.example", ["login failed for {s}"]),
    "ipv4": (lambda: f"203.0.{RNG.randint(1, 254)}.{RNG.randint(1, 254)}", ["from {s}"]),
}
FIELDS = ["X-Api-Key", "X-Session-Token", "stripe_secret", "db_password", "signing_key", "card_number", "phone"]
FIELD_KINDS = {"card_number": "card_number", "phone": "phone_intl"}


def plantings(n: int):
    """(kind, secret, entry) triples: each kind ``n`` times, in its texts and in fields named for it."""
    out = []
    for kind, (make, templates) in KINDS.items():
        for i in range(n):
            secret = make()
            template = templates[i % len(templates)]
            text = template.format(s=secret)
            where = i % 3
            payload = ({"textPayload": text} if where == 0 else {"jsonPayload": {"message": text}} if where == 1
                       else {"jsonPayload": {"message": "request", "detail": {"note": text}}})
            out.append((kind, secret, {"timestamp": "2025-09-09T00:00:00Z", "insertId": f"{kind}{i}", **payload}))
    for name in FIELDS:
        for i in range(n):
            secret = KINDS[FIELD_KINDS.get(name, "password_spaces")][0]()
            entry = {"timestamp": "2025-09-09T00:00:00Z", "insertId": f"{name}{i}",
                     "jsonPayload": {"message": "call", "headers": {name: secret}}}
            out.append((f"field {name}", secret, entry))
    return out


def share_removed(n: int) -> dict[str, float]:
    planted = plantings(n)
    redacted, _ = redact_entries([e for _, _, e in planted], key=new_key())
    found: dict[str, list[bool]] = {}
    for (kind, secret, _), out in zip(planted, redacted):
        text = orjson.dumps(out).decode()
        body = secret.split("\n")[1] if "\n" in secret else secret
        found.setdefault(kind, []).append(body not in text and orjson.dumps(body).decode()[1:-1] not in text)
    return {kind: sum(v) / len(v) for kind, v in found.items()}


MESSAGES = ["Request completed in {ms}ms for user {uid}", "WebSocket error: Invalid user_id format: {uid}",
            "Cache miss for key session:{run}", "GET /api/v1/items?page={ms} 200",
            "Redis ping test failed: asyncio.run() cannot be called from a running event loop",
            "login from 198.51.{a}.{b} for {uid}@corp.example"]


def realistic(n: int) -> list[dict]:
    out = []
    for i in range(n):
        message = MESSAGES[i % len(MESSAGES)].format(ms=i % 997, uid=f"u{i % 5000:05d}", run=f"r{i:07x}",
                                                     a=i % 250, b=i % 199)
        out.append({"timestamp": f"2025-09-09T00:{i // 60 % 60:02d}:{i % 60:02d}Z", "insertId": f"id{i}",
                    "severity": "INFO", "resource": {"type": "cloud_run_revision",
                                                     "labels": {"service_name": f"svc{i % 3}"}},
                    "jsonPayload": {"message": message, "user_id": f"u{i % 5000:05d}"},
                    "httpRequest": {"requestUrl": f"https://api.example/x?page={i % 97}", "status": 200}})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--plant", type=int, default=36)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    print(f"share of each kind removed ({args.plant} plantings each):")
    for kind, share in share_removed(args.plant).items():
        print(f"  {kind:28} {share:6.0%}")
    entries = realistic(args.entries)
    start = time.perf_counter()
    copied = [orjson.loads(orjson.dumps(e)) for e in entries]
    reference = time.perf_counter() - start
    del copied
    key = new_key()
    start = time.perf_counter()
    redact_entries(entries, key=key)
    seconds = time.perf_counter() - start
    print(f"throughput on {args.entries:,} entries: {args.entries / seconds:,.0f} entries/s ({seconds:.1f} s); "
          f"reference orjson copy {reference:.1f} s; ratio x{seconds / reference:.1f}")


if __name__ == "__main__":
    main()
