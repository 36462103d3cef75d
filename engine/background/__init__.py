"""What runs without a user: the sweep (due timers, due-soon reminders, escalations,
supplement deadlines), the outbox of notices and webhook deliveries, and the senders.

May import: everything below it in the engine; not engine.people.
"""
