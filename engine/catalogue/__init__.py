"""The procedures and what belongs to them: validating and publishing versions, the shipped
folders under processes/, dossiers' documents, the demo data, backups.

May import: engine.queries and everything below it.
"""
