"""Distribution backends: where desired state is published for sensors (DESIGN section 5).

``base`` holds the contract and is plain standard library; ``edge`` (Redis, the default) and ``http``
(signed batches to a vendor backend) implement it; ``backends.backend_for(settings)`` picks one;
``edge_views`` serves sensors. Importing this package imports no Django code, so ``http_receiver``
can run on its own. Imports console's Redis helper only.
"""
