"""The masks (Drain3-style, apart from the miner): which values in a message are variables, and the
placeholders they become. :mod:`triage.remote` compiles the same masks to SQL; the explorer and the Logs Explorer
links split templates on :data:`PLACEHOLDER_RE`.

>>> PLACEHOLDER_RE.split("took <num> ms")
['took ', ' ms']
"""

from triage.signatures._masking import MASKS, PLACEHOLDER_RE, Mask

__all__ = ["MASKS", "PLACEHOLDER_RE", "Mask"]
