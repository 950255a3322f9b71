"""``console-cli``: the update-control console's API for scripts and pipelines.

Built on the generated client (``console_client``, from the OpenAPI schema) and nothing of the
server: it imports no Django, no ``console``/``telemetry``/``rollout`` module. Exit codes: 0 done,
1 the API refused (the problem's title and detail on stderr), 2 usage, 3 the console could not be
reached.
"""
