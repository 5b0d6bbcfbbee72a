"""Error signatures: one id per logging statement or error kind, whatever varies inside it.

``templates(messages)`` and ``add_signatures(frame)`` mask obvious variables with one ordered table
of RE2 patterns (``_masking.MASKS``), generalise what still varies across similar templates
(``_generalize``, which also folds a template into the most specific template whose wildcards match
it), merge templates logged at one source location (``_location``, ``add_signatures`` only), and
hash the result with the algorithm's version (``SIGNATURE_VERSION``).
Tracebacks group by exception type and innermost application frame (``_tracebacks``); request lines
by method, route and status (``_requests``); team rules in a TOML/YAML file come first (``_rules``);
``explain`` says why a message got its signature.

A signature is a pure function of the message wherever masking decides (numbers, ids, uuids,
addresses, durations...); words that vary only relative to other messages (a user name) are
generalised from the distinct templates present, so that part depends on the set of messages
given, never on their order or duplication.

SQL pushdown (``triage.remote``) reuses the same pieces:

1. rows whose message contains ``_tracebacks.START`` or matches ``_requests.REQUEST_PATTERN`` are
   special: fetch their distinct messages and call :func:`templates` on them;
2. every other message goes through ``REGEXP_REPLACE(msg, pattern, replacement)`` for each row of
   ``_masking.MASKS`` in order (replacements may hold ``\\1``/``\\2``), then ``GROUP BY`` the result;
3. ``_generalize.generalize(distinct masked)`` maps each masked template to its final template,
   and ``_signature.signature_of(template)`` gives its signature.

>>> import triage
>>> triage.templates(["GET /api/threads/6f1b2c3d-1111-2222-3333-444455556666 404"])["template"].iloc[0]
'GET /api/threads/<uuid> 404'
"""

from triage.signatures._api import add_signatures, params_of, templates
from triage.signatures._explain import Explanation, explain
from triage.signatures._rules import Rule, Rules, RulesError, add_merge_rule, add_split_rule
from triage.signatures._signature import SIGNATURE_VERSION

__all__ = ["SIGNATURE_VERSION", "Explanation", "Rule", "Rules", "RulesError", "add_merge_rule", "add_signatures",
           "add_split_rule", "explain", "params_of", "templates"]
