"""Staged rollouts: ring administration and defaults (``admin``), pure gate evaluation (``gates``),
starting rollouts for content releases and sensor levels (``start``), ring health (``health``),
halt / resume / rollback / promote (``transitions``), the vendor's canary gate, global halt and recall
(``vendor``) and the gate tick above them all (``tick``); the exposure forecast of a release for a
tenant (``forecast``, ``forecast_api``); with their API and pages. Imports desired
and below.
"""
