"""Opinion consensus: agree/disagree/pass votes → opinion groups, consensus, what divides.

A Pol.is-compatible pipeline (`analyse`), readers for Pol.is export folders
(`read_polis_export`) and a breakdown by any labelling of participants (`breakdown`).
Pure Python + numpy/scipy/scikit-learn; no Django.
"""

from kenes.core.consensus.labels import LabelBreakdown, breakdown
from kenes.core.consensus.matrix import ConsensusInputError, Statement, VoteMatrix
from kenes.core.consensus.pipeline import Analysis, OpinionGroup, analyse
from kenes.core.consensus.polis_files import read_polis_export, read_published_groups
from kenes.core.consensus.report import as_json

__all__ = [
    "Analysis",
    "ConsensusInputError",
    "LabelBreakdown",
    "OpinionGroup",
    "Statement",
    "VoteMatrix",
    "analyse",
    "as_json",
    "breakdown",
    "read_polis_export",
    "read_published_groups",
]
