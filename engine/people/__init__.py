"""Accounts and their safety: logins and their limits, passwords, administrators' changes to
accounts, the audit log.

May import: everything below it in the engine; not engine.background.
"""
