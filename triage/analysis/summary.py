"""The summary's rules that every implementation of ``summarize`` shares (the local one and the SQL of
:mod:`triage.remote`): how a signature is scored (its priority and reasons), what makes a burst, and how counts
per time bucket become the long timeline with baselines and bursts. Defined in the private modules that use them.
"""

from triage.analysis._summary import STORM_GAP_S, aggregate_text_failure, finish, priorities, summarize
from triage.analysis._timeline import long_format

__all__ = ["STORM_GAP_S", "aggregate_text_failure", "finish", "long_format", "priorities", "summarize"]
