"""Reads, tenant first: the host-group rule language and its SQL (``rules``), group and ring membership
(``groups``, ``rings``), the resolver's inputs built from the database (``state``) and active pauses
(``controls``). Reads never write. Imports models and resolver only.
"""
