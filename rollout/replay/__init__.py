"""The 19 July 2024 incident replay used by ``manage.py replay_incident``: it starts the real stack
(an ASGI web server, Celery workers and beat) as subprocesses on the configured PostgreSQL and Redis,
prepares replay tenants and a pre-enrolled fleet, drives the fleet simulator (``telemetry.simulator``)
over HTTP through the bad content release and measures exposure and the time to a served halt.
``stack`` manages the processes, ``world`` the database side, ``scenario`` the run and its result.
Wiring like the modules directly in ``rollout/``: it may import any rollout package, ``console`` and
``telemetry``, and nothing imports it but the management command.
"""
