"""Desired state: measuring a change's blast radius (``blast``, ``changes``), the transactional outbox
(``outbox``), recompute (``recompute``), publishing to the backend and the urgent stop path
(``publish``), pauses as holds (``holds``), drift repair (``reconcile``), sync status and resync
(``status``), the host-change sweep, the Celery tasks, and the sync API and page. Imports
distribution, notifications, selectors, resolver and models.
"""
