"""The notification centre: events the tenant was told about live (halts, recalls, pauses, sync
failing...) kept per tenant so nothing vanishes on reload; the bell's unread count, the list page,
mark read / mark all read (audited) and their API. Imports console's core modules only; the layers
above record into it through ``notification_record`` (they say what the event means, it stores it).
"""
