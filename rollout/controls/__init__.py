"""Customer controls over timing: maintenance windows (``windows``), freezes with their two-person
lift and bypass (``freezes``) and pauses, which always win (``pauses``), with their API and pages.
A pause reaches the backend as one hold (``rollout.desired.holds``). Imports groups and below.
"""
