"""Update control: releases, host groups, policies, controls, rings, desired state and its distribution.

Organised as domain packages, layered top to bottom (a package imports only packages below it):
``catalog`` → ``policies`` → ``controls`` → ``groups`` → ``rings`` → ``desired`` → ``distribution`` →
``notifications`` → ``selectors`` → ``resolver`` → ``models``. Modules directly in this folder (``apps``,
``app_urls``, ``urls_pages``, ``schedule``, ``demo``, ``context_processors``, ``replay``, management commands)
are wiring and may import any package. ``tests/test_layers.py`` enforces the order.
"""
