"""Sensor-update and content-update policies: one write path for both kinds (``services``), the tenant
defaults (``defaults``), precedence, policy as code (``code``), their API and pages. Imports controls
and below.
"""
