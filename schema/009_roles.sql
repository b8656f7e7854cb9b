-- 009_roles: who may write what. An owner role owns the schema; patrol, the
-- application role every patrol process works as, adds to the record and never
-- rewrites it.
--
-- patrol_owner  owns every table, sequence and function of the schema; the
--               migrations run as it (store/db.c sets the role once it owns
--               schema_migrations). No superuser, no replication.
-- patrol        the crawl, review, takedown, recheck, import, console: the
--               rights the code needs and no more. Not a superuser (so it cannot
--               SET session_replication_role, a superuser-only setting, to
--               switch the guard triggers off), no replication, no BYPASSRLS, not
--               a member of patrol_owner.
--
-- The record (fetches, hits, evidence, review_events, takedown_events,
-- rechecks, warc_chain_heads, quarantine, reports) takes INSERT only: no
-- UPDATE, DELETE or TRUNCATE, whatever the triggers say. The working state
-- (jobs, hosts, urls, url_families, reviews, console users and sessions)
-- takes INSERT and UPDATE: the frontier is leased and claimed by UPDATE, and
-- a review's status moves under its guard trigger, which logs every move. No
-- DELETE on jobs, hosts or urls either: their foreign keys cascade into the
-- record. A takedown request is opened by INSERT and changed only through
-- patrol_takedown_change (SECURITY DEFINER, owned by patrol_owner): the one
-- statement store/takedown.c and store/recheckstore.c need, so the
-- application cannot UPDATE any other column of a request, or any request
-- by hand. The lookup tables (categories, the transition tables) and
-- schema_migrations are read-only to it; `patrol db migrate` keeps the
-- categories in step with the binary's taxonomy, as the owner.
--
-- Run by a superuser (the embedded cluster, a fresh server), this creates both
-- roles (without passwords: set one for SCRAM, README "Deployment") and hands
-- every object over to patrol_owner. Run by patrol_owner itself (roles made
-- by the DBA beforehand), the roles are checked and the grants made.

DO $roles$
DECLARE
	o record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'patrol_owner') THEN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user
			       AND (rolsuper OR rolcreaterole)) THEN
			RAISE EXCEPTION 'role patrol_owner does not exist and % may not create it: '
				'have a superuser create the roles patrol_owner and patrol (README, "Deployment")',
				current_user USING ERRCODE = 'insufficient_privilege';
		END IF;
		CREATE ROLE patrol_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'patrol') THEN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user
			       AND (rolsuper OR rolcreaterole)) THEN
			RAISE EXCEPTION 'role patrol does not exist and % may not create it: '
				'have a superuser create the roles patrol_owner and patrol (README, "Deployment")',
				current_user USING ERRCODE = 'insufficient_privilege';
		END IF;
		CREATE ROLE patrol LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
			NOINHERIT;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname IN ('patrol', 'patrol_owner')
		   AND (rolsuper OR rolreplication OR rolbypassrls)) THEN
		RAISE EXCEPTION 'the roles patrol and patrol_owner must have no superuser, replication '
			'or bypassrls right' USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF pg_has_role('patrol', 'patrol_owner', 'MEMBER') THEN
		RAISE EXCEPTION 'the role patrol must not be a member of patrol_owner'
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	-- the owner creates the tables of later migrations
	BEGIN
		GRANT USAGE, CREATE ON SCHEMA public TO patrol_owner;
	EXCEPTION WHEN insufficient_privilege THEN
		NULL; -- not the schema's owner: then the DBA granted it, or the owner owns the database
	END;

	-- hand everything over: tables (their owned sequences follow), other
	-- sequences, views, functions
	FOR o IN SELECT c.oid::regclass AS rel FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		   AND c.relowner <> 'patrol_owner'::regrole LOOP
		EXECUTE format('ALTER TABLE %s OWNER TO patrol_owner', o.rel);
	END LOOP;
	FOR o IN SELECT c.oid::regclass AS rel FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
		   AND c.relowner <> 'patrol_owner'::regrole LOOP
		EXECUTE format('ALTER SEQUENCE %s OWNER TO patrol_owner', o.rel);
	END LOOP;
	FOR o IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
		 WHERE p.pronamespace = 'public'::regnamespace
		   AND p.proowner <> 'patrol_owner'::regrole LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO patrol_owner', o.fn);
	END LOOP;
END
$roles$;

-- The one way a takedown request changes after it is opened: its status,
-- reference, recipient and (for 'removed') the time of removal, or a note
-- (everything NULL: one more event). The guard and log triggers run as they
-- do for a plain UPDATE, with the session's actor and comment; patrol_actor()
-- falls back on session_user, which a SECURITY DEFINER function keeps.
-- Returns the status after the change, NULL when there is no such request.
CREATE FUNCTION patrol_takedown_change(p_host bigint, p_id bigint, p_status text, p_reference text,
				       p_recipient text, p_removed_at timestamptz)
RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	UPDATE takedowns SET status = coalesce(p_status, status),
		reference = coalesce(p_reference, reference), recipient = coalesce(p_recipient, recipient),
		removed_at = CASE WHEN p_status = 'removed' THEN coalesce(p_removed_at, removed_at)
				  ELSE removed_at END,
		nevents = CASE WHEN p_status IS NULL THEN nevents + 1 ELSE nevents END
	WHERE host_id = p_host AND id = p_id
	RETURNING status
$$;
ALTER FUNCTION patrol_takedown_change(bigint, bigint, text, text, text, timestamptz) OWNER TO patrol_owner;
REVOKE ALL ON FUNCTION patrol_takedown_change(bigint, bigint, text, text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patrol_takedown_change(bigint, bigint, text, text, text, timestamptz) TO patrol;

-- Locking a request before changing it (two coordinators at once) needs
-- UPDATE rights for SELECT ... FOR UPDATE; these lock for the caller's
-- transaction and return what the store reads: one request by id, or a
-- page's requests that a recheck may move.
CREATE FUNCTION patrol_takedown_lock(p_id bigint)
RETURNS TABLE (host_id bigint, status text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.host_id, t.status FROM takedowns t WHERE t.id = p_id FOR UPDATE
$$;
CREATE FUNCTION patrol_takedown_lock_page(p_host bigint, p_url bigint)
RETURNS TABLE (id bigint, status text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.id, t.status FROM takedowns t WHERE t.host_id = p_host AND t.url_id = p_url
	AND t.status IN ('sent', 'acknowledged', 'reopened', 'removed') ORDER BY t.id FOR UPDATE
$$;
ALTER FUNCTION patrol_takedown_lock(bigint) OWNER TO patrol_owner;
ALTER FUNCTION patrol_takedown_lock_page(bigint, bigint) OWNER TO patrol_owner;
REVOKE ALL ON FUNCTION patrol_takedown_lock(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION patrol_takedown_lock_page(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patrol_takedown_lock(bigint) TO patrol;
GRANT EXECUTE ON FUNCTION patrol_takedown_lock_page(bigint, bigint) TO patrol;

-- The application role's rights, from nothing.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM patrol;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM patrol;
GRANT USAGE ON SCHEMA public TO patrol;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO patrol;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO patrol;
-- the record: added to, never changed
GRANT INSERT ON fetches, hits, evidence, review_events, takedown_events, rechecks, warc_chain_heads,
	quarantine, reports, takedowns TO patrol;
-- the working state
GRANT INSERT, UPDATE ON jobs, hosts, urls, url_families, reviews, console_users TO patrol;
GRANT INSERT, UPDATE, DELETE ON console_sessions TO patrol;

-- Tables of later migrations, created by patrol_owner: read and written by
-- the application unless that migration says otherwise (a new record table
-- REVOKEs UPDATE, DELETE from patrol in the migration that creates it).
ALTER DEFAULT PRIVILEGES FOR ROLE patrol_owner IN SCHEMA public
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO patrol;
ALTER DEFAULT PRIVILEGES FOR ROLE patrol_owner IN SCHEMA public
	GRANT USAGE, SELECT ON SEQUENCES TO patrol;
