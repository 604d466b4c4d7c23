// The SQL classifier (DESIGN §4): a table of statements and the class each must get, then the
// properties that are not one statement's class: effects and relations, lexer-setting flags, config
// tables, and the inputs that must never crash (deep nesting, invalid UTF-8, over-length).
#include "guardrails/sql_classifier.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using jitgate::config::RiskClass;
using jitgate::guardrails::Classification;
using jitgate::guardrails::SqlClassifier;

namespace {

struct Case {
    std::string_view sql;
    RiskClass expected;
};

constexpr RiskClass R = RiskClass::read;
constexpr RiskClass W = RiskClass::write;
constexpr RiskClass D = RiskClass::ddl;
constexpr RiskClass A = RiskClass::admin;
constexpr RiskClass X = RiskClass::destructive;
constexpr RiskClass U = RiskClass::unknown;

const SqlClassifier& classifier() {
    static const SqlClassifier instance;
    return instance;
}

// clang-format off
const Case cases[] = {
    // --- reads ---
    {"SELECT 1", R},
    {"select * from orders where id = 42", R},
    {"SELECT count(*) FROM public.orders", R},
    {"VALUES (1), (2)", R},
    {"TABLE orders", R},
    {"SHOW search_path", R},
    {"SHOW ALL", R},
    {"BEGIN", R},
    {"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", R},
    {"COMMIT", R},
    {"ROLLBACK", R},
    {"SAVEPOINT s1", R},
    {"RELEASE SAVEPOINT s1", R},
    {"ROLLBACK TO SAVEPOINT s1", R},
    {"LISTEN jobs", R},
    {"UNLISTEN *", R},
    {"DECLARE c CURSOR FOR SELECT * FROM orders", R},
    {"FETCH 10 FROM c", R},
    {"MOVE NEXT IN c", R},
    {"CLOSE c", R},
    {"PREPARE p AS SELECT * FROM orders WHERE id = $1", R},
    {"DEALLOCATE p", R},
    {"DEALLOCATE ALL", R},
    {"EXPLAIN SELECT * FROM orders", R},
    {"EXPLAIN ANALYZE SELECT * FROM orders", R},
    {"EXPLAIN DELETE FROM orders", R},
    {"EXPLAIN (ANALYZE false) DELETE FROM orders", R},
    {"EXPLAIN (ANALYZE off) UPDATE orders SET a = 1", R},
    {"EXPLAIN (ANALYZE 0) INSERT INTO t VALUES (1)", R},
    {"EXPLAIN (ANALYZE 'off') DELETE FROM t", R},
    {"EXPLAIN (ANALYZE on, ANALYZE off) DELETE FROM t", R},
    {"EXPLAIN (VERBOSE, COSTS off) SELECT 1", R},
    {"SELECT now(), clock_timestamp(), random(), txid_current()", R},
    {"SELECT format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d ON true", R},
    {"SELECT col_description(c.oid, 1), pg_get_indexdef(i.indexrelid) FROM pg_class c, pg_index i", R},
    {"SELECT pg_catalog.lower('A')", R},
    {"SELECT \"lower\"('A')", R},
    {"SELECT current_setting('search_path')", R},
    {"SELECT current_user, session_user, current_date", R},
    {"SELECT * FROM generate_series(1, 10)", R},
    {"SELECT pg_sleep(0.1)", R},
    {"SELECT pg_database_size(current_database())", R},
    {"SELECT * FROM pg_stat_activity", R},
    {"SELECT 1 FROM t FOR NO KEY UPDATE SKIP LOCKED", W},
    {"SELECT a FROM t WHERE b IN (SELECT b FROM u)", R},
    {"SELECT CASE WHEN x THEN 1 ELSE 2 END, COALESCE(a, b), NULLIF(a, 1), GREATEST(1, 2) FROM t", R},
    {"SELECT extract(year FROM now()), substring('abc' FROM 2), trim(both ' ' FROM x), position('a' IN 'abc')", R},
    {"SELECT 'a' || 'b', 1::text, CAST(1 AS bigint), x AT TIME ZONE 'UTC' FROM t", R},
    {"SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t", R},
    {"SELECT array_agg(x) FILTER (WHERE x > 1) FROM t", R},
    {"SELECT json_build_object('a', 1), jsonb_path_query('{}', '$')", R},
    {"WITH x AS (SELECT 1) SELECT * FROM x", R},
    {"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r", R},
    {"SELECT 1; SELECT 2", R},
    {"", R},
    {"   ", R},
    {"-- only a comment", R},
    {"/* only a comment */", R},
    {";", R},
    {"SET search_path TO app, public", R},
    {"SET statement_timeout = '5s'", R},
    {"SET LOCAL work_mem = '64MB'", R},
    {"SET application_name = 'psql'", R},
    {"SET TIME ZONE 'UTC'", R},
    {"SET timezone TO 'Europe/Berlin'", R},
    {"SET datestyle = ISO, MDY", R},
    {"SET client_encoding = 'UTF8'", R},
    {"SET NAMES 'utf-8'", R},
    {"SET SCHEMA 'app'", R},
    {"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", R},
    {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", R},
    {"SET enable_seqscan = off", R},
    {"RESET search_path", R},
    {"RESET statement_timeout", R},
    {"SET statement_timeout TO DEFAULT", R},
    {"SET CONSTRAINTS ALL DEFERRED", R},
    {"SELECT set_config('application_name', 'x', false)", R},
    {"SELECT pg_catalog.set_config('search_path', 'app', true)", R},
    {"DISCARD PLANS", R},
    {"DISCARD TEMP", R},
    // --- writes ---
    {"INSERT INTO orders (id) VALUES (1)", W},
    {"INSERT INTO public.orders SELECT * FROM staging", W},
    {"INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = excluded.a", W},
    {"INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", W},
    {"UPDATE orders SET status = 'x' WHERE id = 1", W},
    {"UPDATE orders SET status = 'x' WHERE id = 1 OR id = 2", W},
    {"UPDATE t SET a = 1 WHERE a IS NULL", W},
    {"UPDATE t SET a = u.a FROM u WHERE t.id = u.id", W},
    {"DELETE FROM orders WHERE id = 1", W},
    {"DELETE FROM orders WHERE created < now() - interval '1 day'", W},
    {"DELETE FROM t USING u WHERE t.id = u.id", W},
    {"DELETE FROM t WHERE CURRENT OF c", W},
    {"DELETE FROM t WHERE 1 = 0", W},
    {"DELETE FROM t WHERE false OR id = 3", W},
    {"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.a)", W},
    {"COPY orders FROM STDIN", W},
    {"COPY orders (id, a) FROM STDIN WITH (FORMAT csv)", W},
    {"NOTIFY jobs, 'hello'", W},
    {"SELECT nextval('orders_id_seq')", W},
    {"SELECT setval('orders_id_seq', 100)", W},
    {"SELECT pg_notify('jobs', 'x')", W},
    {"SELECT pg_advisory_lock(1)", W},
    {"SELECT * FROM orders FOR UPDATE", W},
    {"WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d", W},
    {"WITH a AS (WITH b AS (UPDATE t SET x = 1 WHERE id = 2 RETURNING id) SELECT * FROM b) SELECT * FROM a", W},
    {"SELECT * FROM (WITH i AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM i) s", W},
    {"EXPLAIN ANALYZE INSERT INTO t VALUES (1)", W},
    {"EXPLAIN (ANALYZE) UPDATE t SET a = 1 WHERE id = 1", W},
    {"EXPLAIN (ANALYZE true) DELETE FROM t WHERE id = 1", W},
    {"EXPLAIN (ANALYZE 'on') DELETE FROM t WHERE id = 1", W},
    {"EXPLAIN (ANALYZE 1) DELETE FROM t WHERE id = 1", W},
    {"EXPLAIN (ANALYZE off, ANALYZE on) DELETE FROM t WHERE id = 1", W},
    {"EXPLAIN (analyze \"on\") INSERT INTO t VALUES (1)", W},
    {"EXPLAIN ANALYSE INSERT INTO t VALUES (1)", W},
    {"EXPLAIN ANALYZE VERBOSE INSERT INTO t VALUES (1)", W},
    {"COPY (DELETE FROM t WHERE id = 1 RETURNING *) TO STDOUT", W},
    {"COPY (INSERT INTO t VALUES (1) RETURNING id) TO STDOUT", W},
    {"PREPARE p (int) AS DELETE FROM t WHERE id = $1", W},
    {"PREPARE p AS INSERT INTO t VALUES (1)", W},
    {"SELECT 1; INSERT INTO t VALUES (1)", W},
    {"SELECT 1; SELECT 2; UPDATE t SET a = 1 WHERE id = 9", W},
    {"DO $$ BEGIN INSERT INTO t VALUES (1); END $$", W},
    {"DO $body$ BEGIN UPDATE t SET a = 1 WHERE id = 1; END $body$ LANGUAGE plpgsql", W},
    {"DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM t; PERFORM nextval('s'); END $$", W},
    {"DO $$ BEGIN IF (SELECT count(*) FROM t) > 0 THEN RAISE NOTICE 'x'; END IF; END $$", R},
    // --- ddl ---
    {"CREATE TABLE t (id int primary key)", D},
    {"CREATE TABLE IF NOT EXISTS app.t (id serial, a text DEFAULT 'x')", D},
    {"CREATE TEMP TABLE tmp (a int)", D},
    {"CREATE TABLE t2 AS SELECT * FROM t", D},
    {"SELECT * INTO t2 FROM t", D},
    {"SELECT 1 AS a INTO TEMP t3", D},
    {"CREATE MATERIALIZED VIEW mv AS SELECT * FROM t", D},
    {"REFRESH MATERIALIZED VIEW mv", D},
    {"CREATE VIEW v AS SELECT * FROM t", D},
    {"CREATE OR REPLACE VIEW v AS SELECT a FROM t", D},
    {"CREATE INDEX CONCURRENTLY i ON t (a)", D},
    {"CREATE UNIQUE INDEX i ON t (lower(a))", D},
    {"ALTER TABLE t ADD COLUMN b int", D},
    {"ALTER TABLE t ALTER COLUMN b SET NOT NULL", D},
    {"ALTER TABLE t RENAME TO t_old", D},
    {"ALTER TABLE t RENAME COLUMN a TO b", D},
    {"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", D},
    {"ALTER TABLE t DROP CONSTRAINT c", D},
    {"ALTER TABLE t SET SCHEMA app", D},
    {"ALTER INDEX i RENAME TO j", D},
    {"CREATE SEQUENCE s", D},
    {"ALTER SEQUENCE s RESTART WITH 1", D},
    {"CREATE SCHEMA app", D},
    {"CREATE SCHEMA app CREATE TABLE t (a int) CREATE VIEW v AS SELECT * FROM t", D},
    {"CREATE TYPE mood AS ENUM ('sad', 'ok')", D},
    {"ALTER TYPE mood ADD VALUE 'happy'", D},
    {"CREATE DOMAIN pos AS int CHECK (VALUE > 0)", D},
    {"COMMENT ON TABLE t IS 'orders'", D},
    {"CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b'", D},
    {"CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END", D},
    {"CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$", D},
    {"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM t WHERE id = 1; END $$", D},
    {"CREATE PROCEDURE p() LANGUAGE sql AS $$ INSERT INTO t VALUES (1) $$", D},
    {"CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", D},
    {"CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (1)", D},
    {"CREATE STATISTICS st ON a, b FROM t", D},
    {"CREATE AGGREGATE myagg (int) (sfunc = int4pl, stype = int)", D},
    {"ALTER FUNCTION f() IMMUTABLE", D},
    {"CREATE TABLE t2 (LIKE t INCLUDING ALL)", D},
    // --- admin ---
    {"GRANT SELECT ON t TO bob", A},
    {"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC", A},
    {"GRANT admin TO alice", A},
    {"CREATE ROLE bob LOGIN PASSWORD 'x'", A},
    {"CREATE USER bob", A},
    {"ALTER ROLE bob SUPERUSER", A},
    {"ALTER USER bob SET search_path = x", A},
    {"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO bob", A},
    {"ALTER TABLE t OWNER TO bob", A},
    {"ALTER TABLE t DISABLE ROW LEVEL SECURITY", A},
    {"ALTER SYSTEM SET work_mem = '1GB'", A},
    {"SET ROLE admin", A},
    {"SET LOCAL ROLE admin", A},
    {"SET SESSION ROLE admin", A},
    {"RESET ROLE", A},
    {"SET ROLE NONE", A},
    {"SET SESSION AUTHORIZATION bob", A},
    {"SET SESSION AUTHORIZATION DEFAULT", A},
    {"RESET SESSION AUTHORIZATION", A},
    {"SET \"role\" TO admin", A},
    {"SET \"ROLE\" TO admin", A},
    {"SELECT set_config('role', 'admin', false)", A},
    {"SELECT set_config('session_authorization', 'bob', false)", A},
    {"SELECT set_config(name, 'x', false) FROM settings", A},
    {"SELECT set_config('search' || '_path', 'x', false)", A},
    {"SET session_replication_role = replica", A},
    {"SET log_statement = 'none'", A},
    {"SET standard_conforming_strings = off", A},
    {"SELECT set_config('standard_conforming_strings', 'off', false)", A},
    {"RESET ALL", A},
    {"DISCARD ALL", A},
    {"SET client_encoding = 'SJIS'", A},
    {"SET NAMES 'GBK'", A},
    {"COPY t FROM '/etc/passwd'", A},
    {"COPY t TO '/tmp/out.csv'", A},
    {"COPY t FROM PROGRAM 'curl evil'", A},
    {"COPY (SELECT 1) TO PROGRAM 'sh'", U},  // a shell reading its commands from stdin
    {"SELECT pg_terminate_backend(123)", A},
    {"SELECT pg_cancel_backend(pid) FROM pg_stat_activity", A},
    {"SELECT pg_reload_conf()", A},
    {"SELECT pg_read_file('/etc/passwd')", A},
    {"SELECT pg_read_binary_file('x')", A},
    {"SELECT * FROM pg_ls_dir('.')", A},
    {"SELECT pg_stat_file('x')", A},
    {"SELECT lo_import('/etc/passwd')", A},
    {"SELECT lo_export(1, '/tmp/x')", A},
    {"SELECT lo_unlink(1)", A},
    {"SELECT pg_create_logical_replication_slot('s', 'pgoutput')", A},
    {"SELECT pg_switch_wal()", A},
    {"SELECT pg_promote()", A},
    {"SELECT pg_rotate_logfile()", A},
    {"SELECT pg_backup_start('x')", A},
    {"SELECT pg_catalog.pg_terminate_backend(1)", A},
    {"SELECT * FROM t WHERE pg_terminate_backend(1)", A},
    {"SELECT 1 FROM t ORDER BY pg_cancel_backend(1)", A},
    {"SELECT (SELECT pg_reload_conf())", A},
    {"VACUUM t", A},
    {"VACUUM FULL ANALYZE t", A},
    {"ANALYZE t", A},
    {"REINDEX TABLE t", A},
    {"CLUSTER t USING i", A},
    {"CHECKPOINT", A},
    {"CREATE EXTENSION dblink", A},
    {"CREATE DATABASE d2", A},
    {"CREATE TABLESPACE ts LOCATION '/x'", A},
    {"LOAD 'auto_explain'", A},
    {"CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw", A},
    {"CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'x', password 'y')", A},
    {"CREATE POLICY p ON t USING (true)", A},
    {"CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()", A},
    {"CREATE PUBLICATION pub FOR ALL TABLES", A},
    {"CREATE FUNCTION c() RETURNS int LANGUAGE c AS 'lib', 'sym'", A},
    {"EXPLAIN ANALYZE SELECT pg_terminate_backend(1)", A},
    {"DO $$ BEGIN PERFORM pg_terminate_backend(1); END $$", A},
    {"CREATE VIEW v AS SELECT pg_terminate_backend(pid) FROM pg_stat_activity", A},
    {"CREATE TABLE t (id int DEFAULT pg_reload_conf()::int)", A},
    // --- destructive ---
    {"DROP TABLE t", X},
    {"DROP TABLE IF EXISTS app.t CASCADE", X},
    {"DROP VIEW v", X},
    {"DROP INDEX i", X},
    {"DROP SCHEMA app CASCADE", X},
    {"DROP FUNCTION f(int)", X},
    {"DROP DATABASE d", X},
    {"DROP ROLE bob", X},
    {"DROP OWNED BY bob", X},
    {"TRUNCATE t", X},
    {"TRUNCATE TABLE a, b RESTART IDENTITY", X},
    {"ALTER TABLE t DROP COLUMN a", X},
    {"DELETE FROM t", X},
    {"DELETE FROM ONLY public.t", X},
    {"UPDATE t SET a = 1", X},
    {"DELETE FROM t WHERE true", X},
    {"DELETE FROM t WHERE 1 = 1", X},
    {"DELETE FROM t WHERE NOT false", X},
    {"DELETE FROM t WHERE id = 1 OR true", X},
    {"DELETE FROM t WHERE 'a' = 'a'", X},
    {"DELETE FROM t WHERE 2 > 1", X},
    {"DELETE FROM t WHERE 1 <> 2", X},
    {"DELETE FROM t WHERE 't'", X},
    {"DELETE FROM t WHERE 'yes'::boolean", X},
    {"DELETE FROM t WHERE true AND 1 = 1", X},
    {"DELETE FROM t WHERE (((true)))", X},
    {"DELETE FROM t WHERE NOT (1 = 0)", X},
    {"DELETE FROM t WHERE NULL IS NULL", X},
    {"DELETE FROM t WHERE 1 IS NOT NULL", X},
    {"DELETE FROM t WHERE true IS TRUE", X},
    {"DELETE FROM t WHERE 1 IN (1, 2)", X},
    {"DELETE FROM t WHERE 5 BETWEEN 1 AND 10", X},
    {"DELETE FROM t WHERE 1 IS NOT DISTINCT FROM 1", X},
    {"DELETE FROM t WHERE EXISTS (SELECT 1)", X},
    {"DELETE FROM t WHERE id = id", X},
    {"UPDATE t SET a = 1 WHERE 1 = 1", X},
    {"UPDATE t SET a = 1 WHERE a = 2 OR 1 = 1", X},
    {"UPDATE t SET a = 1 FROM u", X},
    {"WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", X},
    {"EXPLAIN ANALYZE DELETE FROM t", X},
    {"EXPLAIN (ANALYZE, ANALYZE false, ANALYZE true) DELETE FROM t", X},
    {"PREPARE p AS DELETE FROM t", X},
    {"COPY (DELETE FROM t RETURNING *) TO STDOUT", X},
    {"CREATE RULE r AS ON INSERT TO t DO ALSO DELETE FROM audit", X},
    {"CREATE SCHEMA s CREATE TABLE a (x int); DROP TABLE b", X},
    {"DO $$ BEGIN DROP TABLE t; END $$", X},
    {"DO $$ BEGIN TRUNCATE t; END $$", X},
    {"CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'", X},
    {"MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", X},
    {"SELECT 1; DROP TABLE t", X},
    {"select 1;drop table t;select 2", X},
    // --- unknown ---
    {"SELEC 1", U},
    {"DELETE FROM", U},
    {"SELECT 'unterminated", U},
    {"SELECT my_function(1)", U},
    {"SELECT public.lower('a')", U},
    {"SELECT evil.pg_terminate_backend(1)", U},
    {"SELECT \"Lower\"('a')", U},
    {"SELECT query_to_xml('select pg_terminate_backend(1)', true, true, '')", U},
    {"CALL do_things()", U},
    {"EXECUTE p", U},
    {"EXECUTE p(1, 2)", U},
    {"SET app.tenant = 'x'", U},
    {"DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$", U},
    {"DO $$ BEGIN EXECUTE format('DELETE FROM %I', 't'); END $$", U},
    {"DO LANGUAGE plpython3u $$ import os $$", U},
    {"DO $$ BEGIN this is not plpgsql; END $$", U},
    {"CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ return 1 $$", U},
    {"SELECT 1; SELEC 2", U},
    {"DELETE FROM t; SELECT unknown_fn()", U},
    {"WITH x AS (SELECT mystery()) DELETE FROM t", U},
    {"\\x", U},
    {"SELECT 1 \\; DELETE FROM t", U},
    // --- lexical tricks: comments, quoting, identifiers ---
    {"SELECT 1 -- ; DELETE FROM t", R},
    {"SELECT 1 --\r; DELETE FROM t", X},
    {"SELECT 1 --\n; DELETE FROM t", X},
    {"SELECT 1 --\r DELETE FROM t", R},  // no ';': DELETE is the column alias of SELECT 1 … FROM t
    {"SELECT 1 -- ; \r\n; DROP TABLE t", X},
    {"SELECT 1 -- ; \r\n DROP TABLE t", U},  // no ';' after the comment: a syntax error
    {"SELECT 1 /* ; DELETE FROM t */", R},
    {"SELECT 1 /* /* nested */ ; DELETE FROM t */", R},
    {"SELECT 1 /* /* nested */ */; DELETE FROM t", X},
    {"SELECT 1 /* a */; /* b */ DELETE /* c */ FROM t", X},
    {"DELETE/**/FROM t", X},
    {"SELECT 'it''s; DELETE FROM t'", R},
    {"SELECT 'a'; DELETE FROM t; SELECT 'b'", X},
    {"SELECT E'\\'; DELETE FROM t; --'", R},
    {"SELECT 'a\\'; DELETE FROM t; --'", X},
    {"SELECT $$; DELETE FROM t; $$", R},
    {"SELECT $tag$ $$ ; DELETE FROM t; $$ $tag$", R},
    {"SELECT $a$x$a$; DELETE FROM t", X},
    {"SELECT a$$b FROM t; DELETE FROM t WHERE id = 1", W},
    {"SELECT 1 AS a$$; DELETE FROM t; --$$", X},
    {"SELECT U&\"d\\0061ta\" FROM t", R},
    {"SELECT U&'\\0041' UESCAPE '\\'", R},
    {"SELECT \"; DELETE FROM t\" FROM t", R},
    {"SELECT * FROM \"select\"", R},
    {"SELECT select FROM t", U},
    {"SELECT \"delete\" FROM \"update\"", R},
    {"INSERT INTO \"DELETE\" VALUES (1)", W},
    {"SELECT b'0101', x'ff', 1e10, .5, 1.5e-3", R},
    {"SELECT 0x1F", U},  // hexadecimal literals are PostgreSQL 16; 15 says trailing junk
    {"SELECT 1; -- trailing comment", R},
    {"\n\n  DELETE\n  FROM\n  t\n", X},
    {"dElEtE fRoM t", X},
    {"SELECT * FROM t WHERE a = 'DROP TABLE t'", R},
    {"SELECT $1::text", R},
};

// Issue 11 item 1: DESIGN §4's admin list — explicit locks, two-phase commit, lifting a read-only guard,
// a search_path that demotes pg_catalog, secret catalogs, and literals that are themselves commands.
const Case policy_points[] = {
    {"LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", A},
    {"LOCK orders", A},
    {"LOCK TABLE orders IN ACCESS SHARE MODE", A},
    {"LOCK TABLE ONLY a, b IN ROW EXCLUSIVE MODE NOWAIT", A},
    {"BEGIN; LOCK TABLE orders IN SHARE MODE; SELECT * FROM orders; COMMIT", A},
    {"PREPARE TRANSACTION 'tx1'", A},
    {"COMMIT PREPARED 'tx1'", A},
    {"ROLLBACK PREPARED 'tx1'", A},
    {"BEGIN; INSERT INTO t VALUES (1); PREPARE TRANSACTION 'tx2'", A},
    {"SET default_transaction_read_only = off", A},
    {"SET default_transaction_read_only TO false", A},
    {"SET SESSION default_transaction_read_only = 0", A},
    {"SET transaction_read_only = off", A},
    {"SET LOCAL transaction_read_only TO 'no'", A},
    {"RESET default_transaction_read_only", A},
    {"SELECT set_config('default_transaction_read_only', 'off', false)", A},
    {"SELECT pg_catalog.set_config('transaction_read_only', 'false', true)", A},
    {"SELECT set_config('default_transaction_read_only', current_user, false)", A},
    {"SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", A},
    {"SET TRANSACTION READ WRITE", A},
    {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE", A},
    {"BEGIN READ WRITE", A},
    {"START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE", A},
    {"SET search_path = public, pg_catalog", A},
    {"SET search_path TO evil, pg_catalog, public", A},
    {"SET SESSION search_path = \"$user\", public, pg_catalog", A},
    {"SET LOCAL search_path = pg_temp, pg_catalog", A},
    {"SELECT set_config('search_path', 'public, pg_catalog', false)", A},
    {"SELECT set_config('search_path', 'evil,PG_CATALOG', true)", A},
    {"SELECT pg_catalog.set_config('search_path', current_user || ', pg_catalog', false)", A},
    {"SELECT set_config('search_path', 'public, \"unterminated', false)", A},
    {"SET SCHEMA 'pg_catalog'", R},
    {"SET search_path = pg_catalog, public", R},
    {"SET search_path = PG_CATALOG, evil", R},
    {"SET search_path = \"PG_CATALOG\", evil", R},  // a schema named PG_CATALOG: pg_catalog is searched first
    {"SELECT set_config('search_path', '\"PG_CATALOG\", evil', false)", R},
    {"SELECT set_config('search_path', '', false)", R},  // pg_dump's: pg_catalog only
    {"SELECT set_config('search_path', ' pg_catalog ,public', false)", R},
    {"SET search_path TO DEFAULT", R},
    {"SELECT * FROM pg_authid", A},
    {"SELECT rolname, rolpassword FROM pg_catalog.pg_authid", A},
    {"SELECT passwd FROM pg_shadow WHERE usename = 'bob'", A},
    {"SELECT * FROM pg_user_mappings", A},
    {"SELECT umoptions FROM pg_catalog.pg_user_mapping", A},
    {"SELECT 1 WHERE EXISTS (SELECT 1 FROM pg_authid)", A},
    {"WITH a AS (SELECT * FROM pg_shadow) SELECT count(*) FROM a", A},
    {"SELECT * FROM pg_roles", R},
    {"SELECT * FROM pg_user", R},
    {"SELECT * FROM app.pg_authid", R},  // another schema's table of that name
    {"COPY t FROM PROGRAM 'cat /etc/hostname'", A},
    {"COPY t TO PROGRAM 'gzip > /tmp/t.gz'", A},
    {"COPY t TO PROGRAM 'rm -rf /srv/data'", X},
    {"COPY (SELECT 1) TO PROGRAM 'cat > /dev/null; dropdb prod'", X},
    {"COPY t FROM PROGRAM 'echo 1; dropdb prod'", X},
    {"SELECT dblink_exec('conn', 'DROP TABLE t')", X},
    {"SELECT dblink_exec('dbname=prod', 'DELETE FROM orders')", X},
    {"SELECT dblink_exec('DELETE FROM orders WHERE id = 1')", A},
    {"SELECT dblink_exec('conn', 'DELETE FROM orders', false)", X},
    {"SELECT dblink_exec('conn', 'SELECT 1')", A},
    {"SELECT * FROM dblink('conn', 'SELECT * FROM orders') AS t(id int)", A},
    {"SELECT * FROM dblink('conn', 'TRUNCATE orders') AS t(x text)", X},
    {"SELECT dblink_send_query('conn', 'DROP DATABASE prod')", X},
    {"SELECT dblink_open('conn', 'c', 'SELECT * FROM orders')", A},
    {"SELECT public.dblink_exec('conn', 'DROP SCHEMA s CASCADE')", X},
    {"SELECT dblink_exec('conn', 'SELEC')", U},
    {"SELECT dblink_exec('conn', q) FROM queries", U},
    // Issue 11 item 8: what cannot turn standard_conforming_strings off takes its ordinary class.
    {"SET standard_conforming_strings TO on", R},
    {"SET standard_conforming_strings = true", R},
    {"SET SESSION standard_conforming_strings = 'on'", R},
    {"RESET standard_conforming_strings", R},
    {"SET standard_conforming_strings TO DEFAULT", R},
    {"SELECT set_config('standard_conforming_strings', 'on', false)", R},
    {"RESET ALL", A},
    {"DISCARD ALL", A},
    {"ALTER FUNCTION f() RESET ALL", D},
    {"ALTER FUNCTION f(int) SET standard_conforming_strings = off", D},
    {"ALTER FUNCTION app.f(text) SET search_path = public, pg_catalog", D},
    {"ALTER PROCEDURE p() SET client_encoding = 'SJIS'", D},
    {"CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'", D},
    {"SET standard_conforming_strings = off", A},
    {"SET SESSION standard_conforming_strings TO false", A},
    {"SET LOCAL standard_conforming_strings = 0", A},
};

// Issue 11 item 5: everyday SQL that must stay at its class — the catalog queries psql 15 sends for its
// meta-commands, what drivers and frameworks send at connect time, and ordinary reads, writes and DDL.
const Case everyday[] = {
    // psql 15: \dt, \dv, \di, \ds, \dm
    {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as \"Type\", pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r','p','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;", R},
    {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", 'view' as \"Type\", pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v','') AND n.nspname <> 'pg_catalog' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;", R},
    {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\", c2.relname as \"Table\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_catalog.pg_class c2 ON i.indrelid = c2.oid WHERE c.relkind IN ('i','I','') AND n.nspname !~ '^pg_toast' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;", R},
    {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", pg_catalog.pg_size_pretty(pg_catalog.pg_table_size(c.oid)) as \"Size\", pg_catalog.obj_description(c.oid, 'pg_class') as \"Description\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('S','') AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;", R},
    // psql 15: \d orders
    {"SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;", R},
    {"SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', '), c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) WHERE c.oid = '16384';", R},
    {"SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef), a.attnotnull, (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation, a.attidentity, a.attgenerated FROM pg_catalog.pg_attribute a WHERE a.attrelid = '16384' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;", R},
    {"SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x')) WHERE c.oid = '16384' AND c.oid = i.indrelid AND i.indexrelid = c2.oid ORDER BY i.indisprimary DESC, c2.relname;", R},
    {"SELECT r.conname, pg_catalog.pg_get_constraintdef(r.oid, true) FROM pg_catalog.pg_constraint r WHERE r.conrelid = '16384' AND r.contype = 'c' ORDER BY 1;", R},
    {"SELECT true as sametable, conname, pg_catalog.pg_get_constraintdef(r.oid, true) as condef, conrelid::pg_catalog.regclass AS ontable FROM pg_catalog.pg_constraint r WHERE r.conrelid = '16384' AND r.contype = 'f' AND conparentid = 0 ORDER BY conname", R},
    {"SELECT conname, conrelid::pg_catalog.regclass AS ontable, pg_catalog.pg_get_constraintdef(oid, true) AS condef FROM pg_catalog.pg_constraint c WHERE confrelid IN (SELECT pg_catalog.pg_partition_ancestors('16384') UNION ALL VALUES ('16384'::pg_catalog.regclass)) AND contype = 'f' AND conparentid = 0 ORDER BY conname;", R},
    {"SELECT pol.polname, pol.polpermissive, CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles) order by 1),',') END, pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END AS cmd FROM pg_catalog.pg_policy pol WHERE pol.polrelid = '16384' ORDER BY 1;", R},
    {"SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname, pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns, 'd' = any(stxkind) AS ndist_enabled, 'f' = any(stxkind) AS deps_enabled, 'm' = any(stxkind) AS mcv_enabled, stxstattarget FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '16384' ORDER BY nsp, stxname;", R},
    {"SELECT pubname, NULL, NULL FROM pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_namespace pn ON p.oid = pn.pnpubid JOIN pg_catalog.pg_class pc ON pc.relnamespace = pn.pnnspid WHERE pc.oid ='16384' and pg_catalog.pg_relation_is_publishable('16384') UNION SELECT pubname, pg_get_expr(pr.prqual, c.oid), NULL FROM pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid WHERE pr.prrelid = '16384' UNION SELECT pubname, NULL, NULL FROM pg_catalog.pg_publication p WHERE p.puballtables AND pg_catalog.pg_relation_is_publishable('16384') ORDER BY 1;", R},
    {"SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled, t.tgisinternal, NULL AS parent FROM pg_catalog.pg_trigger t WHERE t.tgrelid = '16384' AND (NOT t.tgisinternal OR (t.tgisinternal AND t.tgenabled = 'D')) ORDER BY 1;", R},
    {"SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i WHERE c.oid = i.inhparent AND i.inhrelid = '16384' AND c.relkind != 'p' AND c.relkind != 'I' ORDER BY inhseqno;", R},
    {"SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, pg_catalog.pg_get_expr(c.relpartbound, c.oid) FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i WHERE c.oid = i.inhrelid AND i.inhparent = '16384' ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.oid::pg_catalog.regclass::pg_catalog.text;", R},
    // psql 15: \l, \du, \dn, \df, \dx, \dp, \dT, \db, \drds, \dconfig, \sf, \dE, \dy, \dD, \dc
    {"SELECT d.datname as \"Name\", pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\", pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\", d.datcollate as \"Collate\", d.datctype as \"Ctype\", d.daticulocale as \"ICU Locale\", CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS \"Locale Provider\", pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access privileges\" FROM pg_catalog.pg_database d ORDER BY 1;", R},
    {"SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolconnlimit, r.rolvaliduntil, ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid) WHERE m.member = r.oid) as memberof, r.rolreplication, r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_' ORDER BY 1;", R},
    {"SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\" FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1;", R},
    {"SELECT n.nspname as \"Schema\", p.proname as \"Name\", pg_catalog.pg_get_function_result(p.oid) as \"Result data type\", pg_catalog.pg_get_function_arguments(p.oid) as \"Argument data types\", CASE p.prokind WHEN 'a' THEN 'agg' WHEN 'w' THEN 'window' WHEN 'p' THEN 'proc' ELSE 'func' END as \"Type\" FROM pg_catalog.pg_proc p LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE pg_catalog.pg_function_is_visible(p.oid) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ORDER BY 1, 2, 4;", R},
    {"SELECT e.extname AS \"Name\", e.extversion AS \"Version\", n.nspname AS \"Schema\", c.description AS \"Description\" FROM pg_catalog.pg_extension e LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace LEFT JOIN pg_catalog.pg_description c ON c.objoid = e.oid AND c.classoid = 'pg_catalog.pg_extension'::pg_catalog.regclass ORDER BY 1;", R},
    {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", pg_catalog.array_to_string(c.relacl, E'\\n') AS \"Access privileges\", pg_catalog.array_to_string(ARRAY(SELECT attname || E':\\n  ' || pg_catalog.array_to_string(attacl, E'\\n  ') FROM pg_catalog.pg_attribute a WHERE attrelid = c.oid AND NOT attisdropped AND attacl IS NOT NULL), E'\\n') AS \"Column privileges\", pg_catalog.array_to_string(ARRAY(SELECT polname FROM pg_catalog.pg_policy pol WHERE polrelid = c.oid), E'\\n') AS \"Policies\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v','m','S','f','p') AND n.nspname !~ '^pg_' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1, 2;", R},
    {"SELECT n.nspname as \"Schema\", pg_catalog.format_type(t.oid, NULL) AS \"Name\", pg_catalog.obj_description(t.oid, 'pg_type') as \"Description\" FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE (t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND NOT EXISTS(SELECT 1 FROM pg_catalog.pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' AND pg_catalog.pg_type_is_visible(t.oid) ORDER BY 1, 2;", R},
    {"SELECT spcname AS \"Name\", pg_catalog.pg_get_userbyid(spcowner) AS \"Owner\", pg_catalog.pg_tablespace_location(oid) AS \"Location\" FROM pg_catalog.pg_tablespace ORDER BY 1;", R},
    {"SELECT rolname AS \"Role\", datname AS \"Database\", pg_catalog.array_to_string(setconfig, E'\\n') AS \"Settings\" FROM pg_catalog.pg_db_role_setting s LEFT JOIN pg_catalog.pg_database d ON d.oid = setdatabase LEFT JOIN pg_catalog.pg_roles r ON r.oid = setrole ORDER BY 1, 2;", R},
    {"SELECT s.name AS \"Parameter\", pg_catalog.current_setting(s.name) AS \"Value\" FROM pg_catalog.pg_settings s WHERE s.source <> 'default' AND s.setting IS DISTINCT FROM s.boot_val ORDER BY 1;", R},
    {"SELECT pg_catalog.pg_get_functiondef('f'::pg_catalog.regproc::pg_catalog.oid)", R},
    {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", 'foreign table' as \"Type\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('f','') AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;", R},
    {"SELECT evtname as \"Name\", evtevent as \"Event\", pg_catalog.pg_get_userbyid(e.evtowner) as \"Owner\", case evtenabled when 'O' then 'enabled' when 'R' then 'replica' when 'A' then 'always' when 'D' then 'disabled' end as \"Enabled\", e.evtfoid::pg_catalog.regproc as \"Function\", pg_catalog.array_to_string(array(select x from pg_catalog.unnest(evttags) as t(x)), ', ') as \"Tags\" FROM pg_catalog.pg_event_trigger e ORDER BY 1", R},
    {"SELECT n.nspname as \"Schema\", t.typname as \"Name\", pg_catalog.format_type(t.typbasetype, t.typtypmod) as \"Type\", CASE WHEN t.typnotnull THEN 'not null' END as \"Nullable\", t.typdefault as \"Default\", pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.pg_get_constraintdef(r.oid, true) FROM pg_catalog.pg_constraint r WHERE t.oid = r.contypid), ' ') as \"Check\" FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND pg_catalog.pg_type_is_visible(t.oid) ORDER BY 1, 2;", R},
    {"SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND substring(pg_catalog.quote_ident(c.relname),1,3)='ord' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog') LIMIT 1000", R},
    {"SELECT pg_catalog.quote_ident(name) FROM (SELECT pg_catalog.lower(name) AS name FROM pg_catalog.pg_settings WHERE context IN ('user', 'superuser') UNION ALL SELECT 'constraints' UNION ALL SELECT 'transaction') ss WHERE substring(name,1,4)='work' LIMIT 1000", R},
    {"COPY public.orders (id, status) TO STDOUT", R},
    {"COPY orders FROM STDIN WITH (FORMAT csv, HEADER true)", W},
    // drivers and frameworks at connect time
    {"SET DateStyle = 'ISO'", R},
    {"SET DateStyle TO 'ISO, MDY'", R},
    {"SET extra_float_digits = 3", R},
    {"SET extra_float_digits TO 2", R},
    {"SET application_name = 'PostgreSQL JDBC Driver'", R},
    {"SET application_name TO 'myapp'", R},
    {"SHOW transaction_isolation", R},
    {"SHOW TRANSACTION ISOLATION LEVEL", R},
    {"SHOW server_version", R},
    {"SHOW standard_conforming_strings", R},
    {"SHOW TIME ZONE", R},
    {"SELECT version()", R},
    {"select pg_catalog.version()", R},
    {"select current_schema()", R},
    {"SELECT current_database(), current_schemas(false)", R},
    {"SELECT CAST('test plain returns' AS VARCHAR(60)) AS anon_1", R},
    {"SELECT current_setting('server_version_num')::integer", R},
    {"SELECT 1", R},
    {"select 1", R},
    {"SET client_min_messages TO 'warning'", R},
    {"SET standard_conforming_strings = on", R},  // Rails sends this at connect
    {"SET intervalstyle = iso_8601", R},
    {"SET SESSION timezone TO 'UTC'", R},
    {"SET TIME ZONE 'UTC'", R},
    {"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED", R},
    {"BEGIN ISOLATION LEVEL READ COMMITTED", R},
    {"BEGIN READ ONLY", R},
    {"START TRANSACTION READ ONLY", R},
    {"SET default_transaction_read_only = on", R},
    {"SET statement_timeout = 0", R},
    {"SET lock_timeout = 0", R},
    {"SET idle_in_transaction_session_timeout = 0", R},
    {"SET check_function_bodies = false", R},
    {"SET xmloption = content", R},
    {"SET row_security = off", R},  // pg_dump's scripts; it never bypasses a policy
    {"SET default_tablespace = ''", R},
    {"SET default_table_access_method = heap", R},
    {"SELECT pg_catalog.set_config('search_path', '', false);", R},
    {"SET search_path = \"$user\", public", R},
    {"SET search_path TO public", R},
    {"SELECT t.oid, t.typname FROM pg_type as t WHERE t.typname IN ('int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'bool')", R},
    {"SELECT t.typname, t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON (t.typnamespace = n.oid) WHERE n.nspname != 'pg_toast' AND t.typname = 'hstore'", R},
    {"SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid FROM pg_catalog.pg_type LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r from pg_namespace as ns join ( select s.r, (current_schemas(false))[s.r] as nspname from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r using ( nspname ) ) as sp ON sp.nspoid = typnamespace WHERE pg_type.oid = 23 ORDER BY sp.r, pg_type.oid DESC LIMIT 1", R},
    {"SELECT oid, typname, typarray FROM pg_type WHERE typname = ANY($1)", R},
    {"DISCARD TEMP", R},
    {"DEALLOCATE ALL", R},
    {"UNLISTEN *", R},
    {"SELECT pg_backend_pid()", R},
    {"CLOSE ALL", R},
    // ordinary reads, writes and DDL
    {"SELECT id, status FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 50", R},
    {"SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'open'", R},
    {"SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > 10", R},
    {"SELECT * FROM orders WHERE created_at >= now() - interval '1 day'", R},
    {"EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM orders WHERE id = 1", R},
    {"SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database()", R},
    {"SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC", R},
    {"SELECT pg_size_pretty(pg_total_relation_size('orders'))", R},
    {"SELECT * FROM information_schema.columns WHERE table_name = 'orders'", R},
    {"INSERT INTO orders (customer_id, status) VALUES ($1, $2) RETURNING id", W},
    {"UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = $1", W},
    {"DELETE FROM sessions WHERE expires_at < now()", W},
    {"INSERT INTO audit (event) SELECT 'login' WHERE NOT EXISTS (SELECT 1 FROM audit WHERE event = 'login')", W},
    {"SELECT * FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", W},
    {"CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status)", D},
    {"ALTER TABLE orders ADD COLUMN note text", D},
    {"CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY)", D},
    {"COMMENT ON TABLE orders IS 'customer orders'", D},
};
// clang-format on

}  // namespace

TEST_CASE("every case in the table gets its class", "[sql]") {
    std::size_t n = 0;
    for (const Case& c : cases) {
        const Classification result = classifier().classify(c.sql);
        INFO("case " << n << ": " << c.sql);
        INFO("got " << jitgate::config::to_string(result.risk) << ": " << result.reason);
        CHECK(jitgate::config::to_string(result.risk) == jitgate::config::to_string(c.expected));
        ++n;
    }
    CHECK(n >= 200);
}

namespace {
void check_table(const Case* begin, const Case* end) {
    for (const Case* c = begin; c != end; ++c) {
        const Classification result = classifier().classify(c->sql);
        INFO(c->sql);
        INFO("got " << jitgate::config::to_string(result.risk) << ": " << result.reason);
        CHECK(jitgate::config::to_string(result.risk) == jitgate::config::to_string(c->expected));
    }
}
}  // namespace

TEST_CASE("explicit locks, two-phase commit, read-write, a demoted pg_catalog and secret catalogs are admin", "[sql]") {
    check_table(std::begin(policy_points), std::end(policy_points));
}

TEST_CASE("everyday SQL from psql, drivers and applications stays at its class", "[sql]") {
    check_table(std::begin(everyday), std::end(everyday));
    CHECK(std::size(everyday) >= 75);
}

namespace {
bool has_effect(const Classification& c, RiskClass risk, std::string_view relation) {
    for (const auto& e : c.effects) {
        if (e.risk == risk && e.relation == relation) return true;
    }
    return false;
}
}  // namespace

TEST_CASE("effects name the relations they touch, with the effect on each", "[sql]") {
    const Classification c = classifier().classify(
        "WITH d AS (DELETE FROM s.old WHERE id = 1 RETURNING *) INSERT INTO public.orders SELECT * FROM d "
        "JOIN payments.cards ON true");
    CHECK(c.risk == W);
    CHECK(has_effect(c, W, "s.old"));
    CHECK(has_effect(c, W, "public.orders"));
    CHECK(has_effect(c, R, "payments.cards"));
    CHECK(has_effect(classifier().classify("TRUNCATE a.b"), X, "a.b"));
    CHECK(has_effect(classifier().classify("DROP TABLE a.b, c"), X, "c"));
    CHECK(has_effect(classifier().classify("ALTER TABLE a.b ADD COLUMN c int"), D, "a.b"));
    CHECK(has_effect(classifier().classify("COPY a.b FROM STDIN"), W, "a.b"));
    CHECK(has_effect(classifier().classify("UPDATE a.b SET x = 1"), X, "a.b"));
}

TEST_CASE("the reason names the highest effect and says where it is nested", "[sql]") {
    CHECK(classifier().classify("INSERT INTO public.orders VALUES (1)").reason == "INSERT into public.orders");
    const Classification c = classifier().classify("SELECT 1; WITH d AS (DELETE FROM t RETURNING 1) SELECT 1");
    CHECK(c.reason == "DELETE from t without a WHERE clause in WITH query d");
    CHECK(c.effects.size() >= 3);
}

TEST_CASE("anything that could turn standard_conforming_strings off is flagged for the built-in block", "[sql]") {
    for (std::string_view sql :
         {"SET standard_conforming_strings = off", "set STANDARD_CONFORMING_STRINGS to 'off'",
          "SET SESSION standard_conforming_strings = false", "SET LOCAL standard_conforming_strings TO 0",
          "SET standard_conforming_strings = 'of'", "SET standard_conforming_strings = nonsense",
          "SELECT set_config('standard_conforming_strings', 'off', false)",
          "SELECT pg_catalog.set_config('STANDARD_CONFORMING_STRINGS', 'false', true)",
          "SELECT set_config('standard_conforming_strings', 'of' || 'f', false)",
          "SELECT set_config('standard_conforming_strings', v, false) FROM t",
          "SELECT set_config('standard_conforming_strings', NULL, false)",
          "SELECT set_config(current_user, 'off', false)", "SET client_encoding = 'SJIS'",
          "SELECT 1; SET LOCAL standard_conforming_strings = off",
          "DO $$ BEGIN PERFORM set_config('standard_conforming_strings', 'off', false); END $$"}) {
        INFO(sql);
        const Classification c = classifier().classify(sql);
        CHECK(c.touches_lexer_settings);
        CHECK(jitgate::guardrails::rank(c.risk) >= jitgate::guardrails::rank(A));
    }
    // RESET, DEFAULT, RESET ALL and DISCARD ALL go back to the session's start value, which jitgate pins
    // to on; a function's own settings never change how the session is lexed (issue 11 item 8).
    for (std::string_view sql :
         {"SET search_path = x", "SET client_encoding = 'UTF8'", "SELECT 1", "RESET work_mem",
          "RESET standard_conforming_strings", "RESET ALL", "DISCARD ALL", "SET standard_conforming_strings = on",
          "SET standard_conforming_strings TO DEFAULT", "SET LOCAL standard_conforming_strings = true",
          "SELECT set_config('standard_conforming_strings', 'on', false)", "ALTER FUNCTION f() RESET ALL",
          "ALTER FUNCTION f() SET standard_conforming_strings = off", "ALTER FUNCTION f() RESET standard_conforming_strings",
          "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'"}) {
        INFO(sql);
        CHECK_FALSE(classifier().classify(sql).touches_lexer_settings);
    }
}

TEST_CASE("DISCARD ALL makes the session forget prepared statements and portals, and is no lexer change", "[sql]") {
    const Classification c = classifier().classify("DISCARD ALL");
    CHECK(c.risk == A);
    CHECK(c.deallocates);
    CHECK(c.drops_portals);
    CHECK_FALSE(c.touches_lexer_settings);
    const Classification reset = classifier().classify("RESET ALL");
    CHECK(reset.risk == A);
    CHECK_FALSE(reset.touches_lexer_settings);
    CHECK_FALSE(reset.deallocates);
}

TEST_CASE("two-phase commit still counts as a commit for the session", "[sql]") {
    CHECK(classifier().classify("PREPARE TRANSACTION 'x'").commits);
    CHECK(classifier().classify("PREPARE TRANSACTION 'x'").drops_portals);
    CHECK(classifier().classify("COMMIT PREPARED 'x'").commits);
}

namespace {
// Strict UTF-8 (a second implementation, so the classifier's own is not checked against itself).
bool is_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (n == 0 || text.size() - i < n) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        const auto d = static_cast<unsigned char>(text[i + 1 < text.size() ? i + 1 : i]);
        if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) return false;
        i += n;
    }
    return true;
}
}  // namespace

// Issue 11 item 4: the parser's "near …" text cuts a fullwidth character after a number in two.
TEST_CASE("every answer is valid UTF-8, even a parser error that quotes a cut character", "[sql]") {
    const Classification cut = classifier().classify("SELECT 1\xEF\xBC\x9B");  // SELECT 1；
    CHECK(cut.risk == U);
    CHECK_THAT(cut.reason, Catch::Contains("\"1\xEF\xBF\xBD\""));
    for (std::string_view sql : {"SELECT 1\xEF\xBC\x9B", "SELECT 1\xEF\xBC\x9B DROP TABLE t", "SELECT 2\xC3\xA9",
                                 "SELECT 3\xF0\x9F\x98\x80", "DELETE FROM t WHERE id = 1\xE2\x80\x94", "SELECT \xFF",
                                 "SET search_path = 1\xEF\xBC\x9B"}) {
        INFO(sql);
        const Classification c = classifier().classify(sql);
        CHECK(is_utf8(c.reason));
        for (const auto& e : c.effects) CHECK((is_utf8(e.reason) && is_utf8(e.relation)));
        CHECK(is_utf8(jitgate::guardrails::to_json(c, sql)));
    }
}

TEST_CASE("config classify tables add functions and settings; other schemas are not the built-in", "[sql]") {
    jitgate::config::ClassifyTables extra;
    extra.functions[R] = {"report_sales", "app.safe_fn"};
    extra.functions[W] = {"enqueue_job"};
    extra.settings[R] = {"app.tenant"};
    const SqlClassifier with_config(extra);
    CHECK(with_config.classify("SELECT report_sales(1)").risk == R);
    CHECK(with_config.classify("SELECT app.safe_fn()").risk == R);
    CHECK(with_config.classify("SELECT other.safe_fn()").risk == U);
    CHECK(with_config.classify("SELECT enqueue_job('x')").risk == W);
    CHECK(with_config.classify("CALL enqueue_job('x')").risk == W);
    CHECK(with_config.classify("SET app.tenant = 'acme'").risk == R);
    CHECK(with_config.classify("SET APP.TENANT = 'acme'").risk == R);
    CHECK(classifier().classify("SELECT report_sales(1)").risk == U);
    CHECK(classifier().classify("SET app.tenant = 'acme'").risk == U);
}

TEST_CASE("a config class for dblink_exec never hides the SQL it sends, nor goes below admin", "[sql]") {
    jitgate::config::ClassifyTables extra;
    extra.functions[R] = {"dblink_exec", "public.dblink"};
    const SqlClassifier with_config(extra);
    CHECK(with_config.classify("SELECT dblink_exec('conn', 'DROP TABLE t')").risk == X);
    CHECK(with_config.classify("SELECT dblink_exec('conn', 'SELECT 1')").risk == A);
    CHECK(with_config.classify("SELECT * FROM public.dblink('conn', 'DELETE FROM t') AS t(x int)").risk == X);
}

TEST_CASE("invalid UTF-8, NUL bytes and over-length text are unknown before parsing", "[sql]") {
    CHECK(classifier().classify(std::string("SELECT '\xff'")).risk == U);
    CHECK(classifier().classify(std::string("SELECT '\xc0\xaf'")).risk == U);       // overlong '/'
    CHECK(classifier().classify(std::string("SELECT '\xed\xa0\x80'")).risk == U);   // surrogate
    CHECK(classifier().classify(std::string("SELECT 'caf\xc3")).risk == U);         // truncated
    CHECK(classifier().classify(std::string("SELECT 1\0; DROP TABLE t", 24)).risk == U);
    CHECK(classifier().classify("SELECT 'caf\xc3\xa9 \xf0\x9f\x98\x80'").risk == R);
    const SqlClassifier small({}, 16);
    CHECK(small.classify("SELECT 1").risk == R);
    CHECK(small.classify("SELECT 1 FROM a_long_table_name").risk == U);
    std::string huge = "SELECT 1" + std::string(64 * 1024, ' ');
    CHECK(classifier().classify(huge).risk == U);
}

TEST_CASE("deeply nested statements never crash: unknown or a class", "[sql]") {
    const std::string parens = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
    CHECK(jitgate::guardrails::rank(classifier().classify(parens).risk) >= 0);
    const std::string many_parens = std::string(100000, '(');
    CHECK(SqlClassifier({}, 1 << 20).classify(many_parens).risk == U);
    std::string sum = "SELECT 1";
    for (int i = 0; i < 30000; ++i) sum += "+1";
    const Classification deep = SqlClassifier({}, 1 << 20).classify(sum);
    CHECK((deep.risk == U || deep.risk == R));
    std::string nots = "DELETE FROM t WHERE ";
    for (int i = 0; i < 10000; ++i) nots += "NOT ";
    nots += "false";
    CHECK(jitgate::guardrails::rank(SqlClassifier({}, 1 << 20).classify(nots).risk) >= jitgate::guardrails::rank(W));
    std::string subqueries = "SELECT ";
    for (int i = 0; i < 3000; ++i) subqueries += "(SELECT ";
    subqueries += "1" + std::string(3000, ')');
    CHECK(jitgate::guardrails::rank(SqlClassifier({}, 1 << 20).classify(subqueries).risk) >= 0);
}

TEST_CASE("classify is safe to call from several threads at once", "[sql]") {
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (std::size_t t = 0; t < wrong.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                if (classifier().classify("DELETE FROM t WHERE id = " + std::to_string(i)).risk != W) ++wrong[t];
                if (classifier().classify("SELECT " + std::to_string(i)).risk != R) ++wrong[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int w : wrong) CHECK(w == 0);
}
