import Foundation

/// The PostgreSQL ledger's schema: the invariants live in the database, so that no client (not dpflow, not
/// `psql`) holding only the runner's privileges can overspend, refund, delete or rewrite history.
///
/// - `datasets.charged_*_units` is the sum of the data set's spends, kept by the `dpflow_charge_spend` trigger
///   (SECURITY DEFINER: runners need no UPDATE right on `datasets`); the CHECK `charged ≤ granted` makes any
///   overspend fail, and the row lock taken by that UPDATE serialises reservations of one data set at every
///   isolation level.
/// - Triggers refuse: DELETE and TRUNCATE of every table; any UPDATE of a spend other than reserved →
///   committed (amounts, data set, job, times are fixed); lowering a charged total; renaming a data set;
///   any UPDATE of `ledger_meta` or `data_files`.
enum PostgresLedgerSchema {
    /// The format tag kept in `ledger_meta`.
    static let format = "dpflow-ledger-pg-1"

    static let sql = """
        CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE datasets (
            id TEXT PRIMARY KEY CHECK (id <> ''),
            granted_epsilon_units BIGINT NOT NULL CHECK (granted_epsilon_units >= 0),
            granted_delta_units BIGINT NOT NULL CHECK (granted_delta_units >= 0),
            charged_epsilon_units BIGINT NOT NULL DEFAULT 0 CHECK (charged_epsilon_units >= 0),
            charged_delta_units BIGINT NOT NULL DEFAULT 0 CHECK (charged_delta_units >= 0),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            CONSTRAINT charged_within_grant CHECK (charged_epsilon_units <= granted_epsilon_units
                                                   AND charged_delta_units <= granted_delta_units)
        );
        CREATE TABLE spends (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            dataset TEXT NOT NULL REFERENCES datasets(id),
            job TEXT NOT NULL,
            mechanism TEXT NOT NULL,
            epsilon_units BIGINT NOT NULL CHECK (epsilon_units >= 0),
            delta_units BIGINT NOT NULL CHECK (delta_units >= 0),
            epsilon DOUBLE PRECISION NOT NULL,
            delta DOUBLE PRECISION NOT NULL,
            status TEXT NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'committed')),
            reserved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            committed_at TIMESTAMPTZ,
            CONSTRAINT committed_has_time CHECK ((status = 'committed') = (committed_at IS NOT NULL))
        );
        CREATE INDEX spends_by_dataset ON spends(dataset);
        CREATE TABLE data_files (
            dataset TEXT NOT NULL CHECK (dataset <> ''),
            kind TEXT NOT NULL CHECK (kind IN ('path', 'content')),
            fingerprint TEXT NOT NULL,
            first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (dataset, kind, fingerprint)
        );
        CREATE INDEX data_files_by_fingerprint ON data_files(fingerprint);

        CREATE FUNCTION dpflow_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'dpflow ledger: % on % is refused (%)', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER ledger_meta_fixed BEFORE UPDATE OR DELETE ON ledger_meta
            FOR EACH ROW EXECUTE FUNCTION dpflow_refuse('the ledger identity is fixed');
        CREATE TRIGGER data_files_kept BEFORE UPDATE OR DELETE ON data_files
            FOR EACH ROW EXECUTE FUNCTION dpflow_refuse('data file bindings are never changed or deleted');
        CREATE TRIGGER datasets_never_deleted BEFORE DELETE ON datasets
            FOR EACH ROW EXECUTE FUNCTION dpflow_refuse('datasets are never deleted from the ledger');
        CREATE TRIGGER spends_never_deleted BEFORE DELETE ON spends
            FOR EACH ROW EXECUTE FUNCTION dpflow_refuse('privacy spends are never deleted: no refunds');
        CREATE TRIGGER ledger_meta_no_truncate BEFORE TRUNCATE ON ledger_meta
            FOR EACH STATEMENT EXECUTE FUNCTION dpflow_refuse('the ledger is never emptied');
        CREATE TRIGGER datasets_no_truncate BEFORE TRUNCATE ON datasets
            FOR EACH STATEMENT EXECUTE FUNCTION dpflow_refuse('the ledger is never emptied');
        CREATE TRIGGER spends_no_truncate BEFORE TRUNCATE ON spends
            FOR EACH STATEMENT EXECUTE FUNCTION dpflow_refuse('the ledger is never emptied');
        CREATE TRIGGER data_files_no_truncate BEFORE TRUNCATE ON data_files
            FOR EACH STATEMENT EXECUTE FUNCTION dpflow_refuse('the ledger is never emptied');

        CREATE FUNCTION dpflow_charge_spend() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            NEW.status := 'reserved';
            NEW.committed_at := NULL;
            NEW.reserved_at := now();
            EXECUTE format('UPDATE %I.datasets SET charged_epsilon_units = charged_epsilon_units + $1, '
                           'charged_delta_units = charged_delta_units + $2 WHERE id = $3', TG_TABLE_SCHEMA)
                USING NEW.epsilon_units, NEW.delta_units, NEW.dataset;
            RETURN NEW;
        END $$;
        CREATE TRIGGER spends_charge BEFORE INSERT ON spends
            FOR EACH ROW EXECUTE FUNCTION dpflow_charge_spend();

        CREATE FUNCTION dpflow_spend_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.id IS DISTINCT FROM OLD.id OR NEW.dataset IS DISTINCT FROM OLD.dataset
               OR NEW.job IS DISTINCT FROM OLD.job OR NEW.mechanism IS DISTINCT FROM OLD.mechanism
               OR NEW.epsilon_units IS DISTINCT FROM OLD.epsilon_units OR NEW.delta_units IS DISTINCT FROM OLD.delta_units
               OR NEW.epsilon IS DISTINCT FROM OLD.epsilon OR NEW.delta IS DISTINCT FROM OLD.delta
               OR NEW.reserved_at IS DISTINCT FROM OLD.reserved_at
               OR OLD.status <> 'reserved' OR NEW.status <> 'committed' THEN
                RAISE EXCEPTION 'dpflow ledger: a spend can only go from reserved to committed (no refunds, no rewrites)'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER spends_commit_only BEFORE UPDATE ON spends
            FOR EACH ROW EXECUTE FUNCTION dpflow_spend_update();

        CREATE FUNCTION dpflow_dataset_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.id IS DISTINCT FROM OLD.id OR NEW.charged_epsilon_units < OLD.charged_epsilon_units
               OR NEW.charged_delta_units < OLD.charged_delta_units THEN
                RAISE EXCEPTION 'dpflow ledger: a data set cannot be renamed and its charges cannot be reduced (no refunds)'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER datasets_no_refund BEFORE UPDATE ON datasets
            FOR EACH ROW EXECUTE FUNCTION dpflow_dataset_update();
        """

    /// `sql` as single statements (the extended query protocol takes one at a time): split at `;` + newline
    /// outside `$$ … $$` function bodies.
    static var statements: [String] {
        var out: [String] = [], current = "", inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody, line.hasSuffix(";") {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { out.append(String(statement.dropLast())) }
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { out.append(rest) }
        return out
    }
}
