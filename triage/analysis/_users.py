"""Who was affected: the user behind each entry, with the evidence that names them.

Everything runs over *distinct* messages (pyarrow RE2 extraction) and integer codes (users, keys and traces as
numpy arrays), never a loop over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage import identity
from triage import schema as s
from triage.analysis import _columns as c
from triage.analysis import _text
from triage.schema import STRING_DTYPE

__all__ = ["add_users", "CONNECTION_PREFIX", "EVIDENCE", "KEYS", "NON_USER_MENTION", "NOT_USERS", "USER_MENTION"]

#: The identity rules (user-in-text patterns, the words that name nobody) live in :mod:`triage.identity`,
#: shared with redaction so every id named here is pseudonymised in a saved sample.
NOT_USERS = identity.NOT_USERS
USER_MENTION = identity.USER_MENTION
NON_USER_MENTION = identity.NON_USER_MENTION
#: Ids that another entry may tie to a user, by kind (most trusted first): a cheap RE2 filter every match passes
#: (skips most messages) and the RE2 pattern.
KEYS = {
    c.EVIDENCE_EMAIL: ("@", r"(?P<key>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"),
    c.EVIDENCE_CONNECTION: ("ws_", r"\b(?P<key>ws_[\w-]+)"),
    # "req_X", "request_id=X", and a bare id after "request" as servers print it in a traceback's header
    # ("Error handling request 7f3a9c1e"): an id there needs a digit and 6 characters ("request body" is none).
    c.EVIDENCE_REQUEST: ("(?i)req|sess", r"(?i)\b(?P<key>(?:req|sess|session)_[\w-]+)"
                              r"|\b(?:request|session)[ _]id['\"]?[:= ]+['\"]?(?P<key2>[\w-]{6,})"
                              r"|\brequest[ :]+['\"]?(?P<key3>[a-z_-]*\d[\w-]{5,})"),
}
#: A connection id that embeds the start of the user id: ws_<prefix>_<time>_<hex>.
CONNECTION_PREFIX = r"\bws_(?P<prefix>[A-Za-z0-9-]{4,})_"
_MIN_PREFIX = 4
#: Evidence names, most trusted first; per-row evidence is kept as an index into this tuple.
EVIDENCE = (c.EVIDENCE_STRUCTURED, c.EVIDENCE_TEXT, c.EVIDENCE_TRUNCATED, *KEYS, c.EVIDENCE_TRACE,
            c.EVIDENCE_SEVERAL)


def _mentions(distinct: pd.Series) -> pd.DataFrame:
    """Per distinct message: the named user id (full), a truncated prefix, explicit non-user, several users."""
    candidates = _own_text(distinct[_text.contains(distinct, "user", literal=True, ignore_case=True)])
    found = _text.extract(candidates, USER_MENTION)
    keyed = found["kid"].notna()
    token = found["kid"].where(keyed, found["pid"])
    truncated = found["ktr"].where(keyed, found["ptr"]).notna()
    cut = found["knext"].where(keyed, found["pnext"]).notna()
    not_a_user = token.str.lower().isin(NOT_USERS) | pd.Series(_text.contains(token, identity.DECIMAL),
                                                               index=token.index)
    named = token.notna()
    token = token.where(~cut & ~not_a_user)
    # Only messages that named nobody can name a non-user word; only those that named someone can name several.
    unnamed = candidates[~named]
    words = _text.extract(unnamed, NON_USER_MENTION)["word"].str.lower().isin(NOT_USERS)
    non_user = not_a_user | words.reindex(candidates.index, fill_value=False)
    several = pd.Series(False, index=candidates.index)
    several[named] = _several(candidates[named])
    several |= _text.contains(candidates, identity.USERS_LIST)  # "for users [a-1, b-2]"
    out = pd.DataFrame({
        "id": token.where(~truncated & ~several),
        "prefix": token.where(truncated & (token.str.len() >= _MIN_PREFIX) & ~several),
        "non_user": non_user,
        "several": several,
    })
    return out.reindex(distinct.index).fillna({"non_user": False, "several": False}).astype(
        {"non_user": bool, "several": bool})


def _own_text(distinct: pd.Series) -> pd.Series:
    """:func:`triage.identity.own_text` over distinct messages (RE2): tracebacks without frame and code lines."""
    framed = _text.contains(distinct, identity.TRACEBACK_FRAME)
    if not framed.any():
        return distinct
    out = distinct.copy()
    cleaned = pc.replace_substring_regex(pa.array(distinct[framed], from_pandas=True), identity.CODE_LINE, "")
    out[framed] = pd.Series(cleaned, index=distinct.index[framed], dtype=STRING_DTYPE)
    return out


def _several(distinct: pd.Series) -> np.ndarray:
    """Messages that name more than one distinct user (a cleanup list belongs to none of them)."""
    several = np.zeros(len(distinct), dtype=bool)
    many = _text.count_matches(distinct, "(?i)user", literal=True) >= 2  # cheap: most name one user at most
    many[many] = _text.count_matches(distinct[many], USER_MENTION) >= 2
    if many.any():
        subset = distinct[many]
        found = subset.astype(object).str.extractall(USER_MENTION)
        ids = found["kid"].fillna(found["pid"])
        ids = ids[~ids.str.lower().isin(NOT_USERS) & ~ids.str.fullmatch(r"\d+(?:\.\d+)+")]
        truncated = found["ktr"].fillna(found["ptr"]).reindex(ids.index).notna()
        full = ids[~truncated].groupby(level=0).nunique()
        part = ids[truncated].groupby(level=0).nunique()
        counts = full.reindex(subset.index, fill_value=0)
        # Only prefixes and no full id: several distinct prefixes are several users.
        counts = counts.where(counts > 0, part.reindex(subset.index, fill_value=0))
        several[np.flatnonzero(many)] = (counts > 1).to_numpy()
    return several


class _Vocabulary:
    """User ids as integer codes (-1: nobody), so every later step is integer numpy work."""

    def __init__(self, *values: pd.Series) -> None:
        names = pd.concat([v.dropna().astype(STRING_DTYPE) for v in values], ignore_index=True).unique()
        self.names = pd.Index(np.sort(np.asarray(names, dtype=str)))  # sorted: prefix search by bisection

    def codes(self, values: pd.Series) -> np.ndarray:
        out = np.full(len(values), -1, dtype=np.int64)
        present = values.notna().to_numpy()
        out[present] = self.names.get_indexer(values[present])
        return out

    def resolve_prefixes(self, prefixes: pd.Series, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Code of the one known id each prefix starts (-1 when none or several); which prefixes stayed unresolved."""
        codes = np.full(len(prefixes), -1, dtype=np.int64)
        present = prefixes.notna().to_numpy()
        if not present.any() or not len(known):
            return codes, present
        candidates = np.asarray(self.names, dtype=str)[known]
        wanted = prefixes[present].to_numpy(dtype=str)
        lo = np.searchsorted(candidates, wanted, side="left")
        hi = np.searchsorted(candidates, np.char.add(wanted, "\U0010ffff"), side="left")
        unique = (hi - lo) == 1
        codes[np.flatnonzero(present)[unique]] = known[lo[unique]]
        return codes, present & (codes < 0)

    def strings(self, codes: np.ndarray, index: pd.Index) -> pd.Series:
        return _strings(self.names, codes, index)


def _strings(names, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``names[codes]`` as a string column (NaN where code < 0), built in Arrow."""
    table = pa.array(np.asarray(names, dtype=object), type=pa.large_string())
    return pd.Series(table.take(pa.array(codes, mask=codes < 0)), index=index, dtype=STRING_DTYPE)


def _key_codes(distinct: pd.Series) -> tuple[dict[str, np.ndarray], pd.Index, np.ndarray, np.ndarray]:
    """For each key kind, the key code of every distinct message (-1: none); all kinds share one code space.

    Also the (message, key code) pairs of every key of messages that name more than one key of a kind (a job
    listing several users' sessions), to tell later whether those keys belong to several users.
    """
    found, extra = [], []
    for literal, pattern in KEYS.values():
        candidates = distinct[_text.contains(distinct, literal)]
        extracted = _text.extract(candidates, pattern)
        key = extracted["key"]
        for other in ("key2", "key3"):
            if other in extracted:
                key = key.fillna(extracted[other])
        key = key.dropna()
        found.append(key)
        many = key[_text.count_matches(candidates.loc[key.index], pattern) >= 2]
        if len(many):  # few messages: Python's re over them is fine
            matches = candidates.loc[many.index].astype(object).str.extractall(pattern)
            keys = matches["key"]
            for other in ("key2", "key3"):
                if other in matches:
                    keys = keys.fillna(matches[other])
            keys = keys.dropna()
            extra.append(pd.Series(keys.to_numpy(), index=keys.index.get_level_values(0)))
    every = pd.concat(found + extra)
    codes, names = pd.factorize(every)  # one hash pass gives the shared code space
    out, start = {}, 0
    for kind, key in zip(KEYS, found):
        column = np.full(len(distinct), -1, dtype=np.int64)
        column[key.index.to_numpy()] = codes[start:start + len(key)]
        out[kind] = column
        start += len(key)
    extra_messages = np.concatenate([e.index.to_numpy() for e in extra]) if extra else np.zeros(0, np.int64)
    return out, pd.Index(names), extra_messages.astype(np.int64), codes[start:].astype(np.int64)


def _one_per(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """For each group code 0..n_groups-1: its value when all its (group, value) pairs agree on one, else -1."""
    ok = (group >= 0) & (value >= 0)
    out = np.full(n_groups, -1, dtype=np.int64)
    if not ok.any():
        return out
    width = int(value[ok].max()) + 1
    pairs = pd.unique(group[ok].astype(np.int64) * width + value[ok])  # distinct (group, value), one int each
    groups, values = pairs // width, pairs % width
    single = np.bincount(groups, minlength=n_groups)[groups] == 1
    out[groups[single]] = values[single]
    return out


def add_users(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the user behind each entry and how it was found, never guessing.

    Sources, most trusted first (the first that names a user wins):

    ``structured``
        the ``user_id`` column.
    ``text``
        an id in the message: "for user X", "User X has ...", ``user_id=X``, ``user_id: X``, "user_id format: X".
        In prose the id must look like an id (contain a digit, ``_`` or ``-``) so "User has reached" is nobody;
        after ``=`` the value starts at once (``db=,user= LOG:`` names nobody). Only the message's own text
        counts: the frame and source-code lines of a traceback (``charge(order, user_id=request.user.id)``)
        are not evidence (:mod:`triage.identity`, shared with redaction).
    ``truncated``
        ``10594514...`` resolved to the one full id (from the two sources above) that starts with it.
        Ambiguous or unknown prefixes stay unresolved; their entries are counted in
        ``frame.attrs["users_unresolved"]``.
    ``login-email``, ``connection``, ``request``
        an email, connection id (``ws_...``) or request/session id that another entry ties to exactly one user
        ("accepted ws_X for user U", "Request req_X completed for user U", a login naming email and id, a
        traceback headed "Error handling request 7f3a9c1e22" and an entry about request 7f3a9c1e22 with a
        ``user_id``); a connection id ``ws_<prefix>_...`` whose prefix is a unique known id's start.
    ``trace``
        an entry without a user in a trace whose identified entries all name the same single user.

    Words such as ``system``, ``anonymous``, ``unknown``, ``null``, ``guest`` or ``admin`` are not users; an entry
    that names several users (a cleanup list, a sweep listing several users' sessions or connections) and an
    entry that names a non-user belong to nobody and are not filled from keys or traces.

    Parameters
    ----------
    frame : DataFrame
        The log frame.

    Returns
    -------
    DataFrame
        A copy of ``frame`` with ``user`` (str, NaN when unknown) and ``user_evidence`` (str, one of the source
        names above; "several" when the entry names several users, who then get none of it; NaN when no user).

    Examples
    --------
    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00:00Z"] * 4),
    ...     s.MESSAGE: ["Accepted ws_10594514_1_ab for user 105945141827451681156",
    ...                 "HARD LIMIT: User 10594514... still over limit",
    ...                 "Message routing failed for ws_10594514_1_ab", "Creating thread for user system"]}))
    >>> add_users(frame)[[s.USER, s.USER_EVIDENCE]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['105945141827451681156', 'text'], ['105945141827451681156', 'truncated'],
     ['105945141827451681156', 'connection'], [nan, nan]]
    """
    n = len(frame)
    message_codes, uniques = pd.factorize(frame[s.MESSAGE], use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=STRING_DTYPE)
    has_message = message_codes >= 0
    safe = np.maximum(message_codes, 0)

    def per_row(values: np.ndarray, missing) -> np.ndarray:
        """A per-distinct-message array spread to rows (``missing`` for rows without a message)."""
        return np.where(has_message, values[safe], missing) if len(values) else np.full(n, missing)

    mentions = _mentions(distinct)
    structured_raw = (frame[s.USER_ID] if s.USER_ID in frame else pd.Series(np.nan, index=frame.index))
    structured_codes, structured_names = pd.factorize(structured_raw, use_na_sentinel=True)
    structured_names = pd.Series(structured_names, dtype=STRING_DTYPE).str.strip()
    name_is_user = ~structured_names.str.lower().isin(NOT_USERS) & (structured_names.str.len() > 0)
    vocabulary = _Vocabulary(structured_names[name_is_user], mentions["id"])

    # Per-row state: a user code (-1 nobody) and the evidence index into EVIDENCE.
    user = np.full(n, -1, dtype=np.int64)
    evidence = np.full(n, -1, dtype=np.int64)
    structured_user = np.where(name_is_user.to_numpy(), vocabulary.codes(structured_names), -1)
    structured_user = np.where(structured_codes >= 0, structured_user[np.maximum(structured_codes, 0)]
                               if len(structured_user) else -1, -1)
    structured_non_user = (structured_codes >= 0) & (structured_user < 0)
    several_rows = per_row(mentions["several"].to_numpy(), False) & (structured_user < 0)
    blocked = (several_rows | per_row(mentions["non_user"].to_numpy(), False) | structured_non_user) & (
        structured_user < 0)

    def fill(candidate: np.ndarray, source: str) -> None:
        take = (user < 0) & (candidate >= 0) & ~blocked
        user[take] = candidate[take]
        evidence[take] = EVIDENCE.index(source)

    fill(structured_user, c.EVIDENCE_STRUCTURED)
    fill(per_row(vocabulary.codes(mentions["id"]), -1), c.EVIDENCE_TEXT)
    known = np.sort(pd.unique(user[user >= 0]))

    truncated, unresolved = vocabulary.resolve_prefixes(mentions["prefix"], known)
    fill(per_row(truncated, -1), c.EVIDENCE_TRUNCATED)

    # Keys (emails, connections, requests) tied to exactly one user by the entries identified so far.
    keys, key_names, extra_messages, extra_keys = _key_codes(distinct)
    n_keys = len(key_names)
    seeded = user >= 0
    key_user = _one_per(np.concatenate([k[safe][seeded & has_message] for k in keys.values()]),
                        np.tile(user[seeded & has_message], len(keys)), n_keys)
    # The prefix embedded in connection ids, read from the (fewer, shorter) distinct keys.
    key_prefix = _text.extract(pd.Series(key_names, dtype=STRING_DTYPE), CONNECTION_PREFIX)["prefix"]
    prefix_user, prefix_unresolved = vocabulary.resolve_prefixes(key_prefix, known)
    # A message listing keys of several users (a job's sweep over sessions) belongs to none of them.
    if len(extra_keys):
        owner = np.where(key_user[extra_keys] >= 0, key_user[extra_keys], prefix_user[extra_keys])
        listed = pd.DataFrame({"m": extra_messages, "u": owner})
        owners = listed[listed["u"] >= 0].groupby("m")["u"].nunique()
        several_keys = np.zeros(len(distinct), dtype=bool)
        several_keys[owners.index[owners > 1].to_numpy(dtype=np.int64)] = True
        several_rows |= per_row(several_keys, False) & (user < 0)
        blocked |= several_rows
    by_kind = {kind: np.where(k >= 0, key_user[np.maximum(k, 0)] if n_keys else -1, -1) for kind, k in keys.items()}
    # A message whose keys point at different users names nobody.
    stacked = np.stack(list(by_kind.values()))
    agreed = np.where(stacked >= 0, stacked, stacked.max(axis=0)).min(axis=0) == stacked.max(axis=0)
    for kind, candidate in by_kind.items():
        fill(per_row(np.where(agreed, candidate, -1), -1), kind)
    connection = keys[c.EVIDENCE_CONNECTION]
    has_connection = connection >= 0
    via_connection = np.where(has_connection, prefix_user[np.maximum(connection, 0)] if n_keys else -1, -1)
    unresolved_connection = has_connection & (prefix_unresolved[np.maximum(connection, 0)]
                                              if n_keys else False)
    fill(per_row(via_connection, -1), c.EVIDENCE_CONNECTION)

    # A trace whose identified entries agree on one user lends it to the rest of the trace.
    if s.TRACE in frame:
        trace_codes, trace_names = pd.factorize(frame[s.TRACE], use_na_sentinel=True)
        trace_user = _one_per(trace_codes, user, len(trace_names))
        fill(np.where(trace_codes >= 0, trace_user[np.maximum(trace_codes, 0)] if len(trace_names) else -1, -1),
             c.EVIDENCE_TRACE)

    # Rows that name several users say so, and count for nobody.
    evidence[several_rows & (user < 0)] = EVIDENCE.index(c.EVIDENCE_SEVERAL)
    out = frame.assign(**{s.USER: vocabulary.strings(user, frame.index),
                          s.USER_EVIDENCE: _strings(EVIDENCE, evidence, frame.index)})
    pending = per_row(np.asarray(unresolved) | unresolved_connection, False)
    out.attrs[c.ATTR_USERS_UNRESOLVED] = int((pending & (user < 0)).sum())
    return out
