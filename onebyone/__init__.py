"""Helpers shared by the notebooks.

Colab opens a notebook alone, so no notebook imports this package: each one
carries a verbatim copy of the modules it uses, in a cell that starts with the
line ``# @title Shared code: onebyone/<module>.py``. These files are the single
source of truth; ``make sync`` copies them into the notebooks and the tests fail
when a copy has drifted.
"""
