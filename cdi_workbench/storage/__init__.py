"""Storage: the audit database (SQLite file or PostgreSQL), its models and schema upgrades."""
