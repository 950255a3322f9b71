"""Telling people: in-app events on the tenant's websocket stream and signed webhooks, sent after
commit (``events.notify``), plus webhook endpoints' services, API and page. Imports models and console.
"""
