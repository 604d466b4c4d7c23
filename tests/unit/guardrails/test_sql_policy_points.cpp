// The SQL classifier's policy points (issue 11 item 1: DESIGN §4's admin list) and everyday SQL from psql,
// drivers and applications (issue 11 item 5), each a table of statements and the class they must get.
#include "sql_cases.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <iterator>

using jitgate::config::RiskClass;
using jitgate::guardrails::Classification;
using namespace sql_cases;

namespace {

// clang-format off
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
