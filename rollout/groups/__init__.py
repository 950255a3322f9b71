"""Host groups: static members and dynamic rules, their services, API and pages. Imports rings' peers
below it: desired (blast radius, outbox), selectors and models.
"""
