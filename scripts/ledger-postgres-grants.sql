-- dpflow PostgreSQL ledger: the privileges of the pipeline runners' role.
-- Run as the role that owns the ledger (the one that ran `dpflow ledger init`), in the ledger's database:
--   psql "postgres://dpflow_owner@HOST:5432/dpflow_ledger" -v runner=dpflow_runner -f scripts/ledger-postgres-grants.sql
-- Runners may read the books, reserve (INSERT a spend) and commit (UPDATE a spend's status), and bind data
-- files; they cannot grant (no INSERT/UPDATE on datasets), delete, truncate, or change the schema or triggers
-- (only the owner can). The triggers refuse deletes and rewrites even to the owner; see docs/ledger.md.
\set ON_ERROR_STOP on
REVOKE ALL ON ledger_meta, datasets, spends, data_files FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"runner";
GRANT SELECT ON ledger_meta, datasets, spends, data_files TO :"runner";
GRANT INSERT (dataset, job, mechanism, epsilon_units, delta_units, epsilon, delta) ON spends TO :"runner";
GRANT UPDATE (status, committed_at) ON spends TO :"runner";
GRANT INSERT (dataset, kind, fingerprint) ON data_files TO :"runner";
