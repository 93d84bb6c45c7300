"""Storage: the database engine and transactions, the tables, and their migrations."""
