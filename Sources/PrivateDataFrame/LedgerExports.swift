// The budget ledger lives in its own module (BudgetLedgers: one protocol, SQLite and PostgreSQL stores).
// Releases charge it (`ReleaseBudget`), so users of PrivateDataFrame see its types without a second import.
@_exported import BudgetLedgers
