-- Statements and COMMITs run so far in the current database (pg_stat_statements), for bench/run.sh and the
-- bench tool's driver: the difference around a measured phase divided by its operations.
SELECT coalesce(sum(s.calls), 0),
       coalesce(sum(s.calls) FILTER (WHERE upper(s.query) LIKE 'COMMIT%'), 0)
FROM pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database());
