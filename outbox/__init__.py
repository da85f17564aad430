"""The durable outbox: work a write asks for, recorded in the write's transaction.

The bottom layer: it imports nothing from checklists, audits or reports. Higher
layers register their handlers by dotted path in settings.OUTBOX_HANDLERS.
"""
