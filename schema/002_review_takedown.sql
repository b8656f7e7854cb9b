-- 002_review_takedown: the life of a flagged page after the crawl.
--
-- reviews        one row per flagged page (urls row): new → confirmed | dismissed
-- takedowns      requests to remove a confirmed page: open → sent → acknowledged
--                → removed | refused | expired, removed → reopened
-- review_events, takedown_events
--                one row per change, written by the database itself, append-only
-- rechecks       every re-fetch of a page by `patrol recheck`, append-only
-- reports        URLs reported by the public or the hotline (`patrol import`)
--
-- The database guards the rules, whatever client talks to it: the legal
-- transitions are rows of review_transitions and takedown_transitions, and
-- BEFORE triggers refuse any other; AFTER triggers write the event of every
-- change, with the actor and comment the client set for its transaction
-- (set_config('patrol.actor', ..., true), set_config('patrol.comment', ...,
-- true)) or the session user. An event row cannot be inserted by hand,
-- updated or deleted. A takedown request can only be opened for a confirmed
-- page, and a page with a live request cannot be dismissed.
--
-- Like the tables of 001, every table here has host_id first in its keys.
--
-- A page can be fetched more than once (a recrawl, or a recheck, which
-- stores its fetch and hits as the crawl does): a page is its urls row with
-- its latest fetches row.

ALTER TABLE fetches DROP CONSTRAINT IF EXISTS fetches_host_id_url_id_key;
CREATE INDEX hits_url ON hits (host_id, url_id, fetch_id);

CREATE FUNCTION patrol_actor() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('patrol.actor', true), ''), session_user::text)
$$;

CREATE FUNCTION patrol_comment() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT nullif(current_setting('patrol.comment', true), '')
$$;

CREATE FUNCTION patrol_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;

-- ---------------------------------------------------------------- reviews

CREATE TABLE review_transitions (
	from_status text NOT NULL,
	to_status   text NOT NULL,
	PRIMARY KEY (from_status, to_status)
);
INSERT INTO review_transitions VALUES
	('new', 'confirmed'), ('new', 'dismissed'),
	('confirmed', 'dismissed'), ('dismissed', 'confirmed'),
	-- only when the content changes and is flagged again (hits_flag)
	('dismissed', 'new');

CREATE TABLE reviews (
	host_id        bigint NOT NULL,
	url_id         bigint NOT NULL,
	job_id         bigint NOT NULL,
	status         text NOT NULL DEFAULT 'new'
	               CHECK (status IN ('new', 'confirmed', 'dismissed')),
	flagged_at     timestamptz NOT NULL, -- fetch time of the first flagged fetch: detection
	content_sha256 text,                 -- of the latest flagged fetch
	reviewer       text,
	reviewed_at    timestamptz,
	comment        text,
	nevents        integer NOT NULL DEFAULT 0,
	PRIMARY KEY (host_id, url_id),
	FOREIGN KEY (host_id, url_id) REFERENCES urls (host_id, id) ON DELETE CASCADE
);
CREATE INDEX reviews_job ON reviews (job_id, status);
CREATE INDEX reviews_url ON reviews (url_id);

CREATE TABLE review_events (
	host_id     bigint NOT NULL,
	url_id      bigint NOT NULL,
	seq         integer NOT NULL,
	at          timestamptz NOT NULL DEFAULT now(),
	actor       text NOT NULL,
	from_status text NOT NULL,
	to_status   text NOT NULL,
	comment     text,
	PRIMARY KEY (host_id, url_id, seq),
	FOREIGN KEY (host_id, url_id) REFERENCES reviews (host_id, url_id)
);

-- pages flagged before this migration
INSERT INTO reviews (host_id, url_id, job_id, flagged_at, content_sha256)
SELECT DISTINCT ON (h.host_id, h.url_id) h.host_id, h.url_id, h.job_id, f.fetched_at, f.content_sha256
FROM hits h JOIN fetches f ON f.host_id = h.host_id AND f.id = h.fetch_id
ORDER BY h.host_id, h.url_id, h.fetch_id;

CREATE FUNCTION reviews_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF OLD.nevents > 0 THEN
			RAISE EXCEPTION 'page % has a review history and cannot be deleted', OLD.url_id
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		RETURN OLD;
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'new' THEN
			RAISE EXCEPTION 'a review starts as new, not %', NEW.status
				USING ERRCODE = 'check_violation';
		END IF;
		NEW.nevents := 0;
		NEW.reviewer := NULL;
		NEW.reviewed_at := NULL;
		NEW.comment := NULL;
		RETURN NEW;
	END IF;
	IF NEW.host_id <> OLD.host_id OR NEW.url_id <> OLD.url_id OR NEW.job_id <> OLD.job_id
	   OR NEW.flagged_at <> OLD.flagged_at THEN
		RAISE EXCEPTION 'the page and detection time of a review cannot change'
			USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status THEN
		IF NOT EXISTS (SELECT 1 FROM review_transitions
			       WHERE from_status = OLD.status AND to_status = NEW.status) THEN
			RAISE EXCEPTION 'illegal review transition for page %: % → %', OLD.url_id, OLD.status, NEW.status
				USING ERRCODE = 'check_violation';
		END IF;
		IF NEW.status = 'dismissed' AND EXISTS (
			SELECT 1 FROM takedowns t WHERE t.host_id = NEW.host_id AND t.url_id = NEW.url_id
			AND t.status IN ('open', 'sent', 'acknowledged', 'reopened')) THEN
			RAISE EXCEPTION 'page % has a live takedown request: close it before dismissing the page', OLD.url_id
				USING ERRCODE = 'check_violation';
		END IF;
		NEW.nevents := OLD.nevents + 1;
		IF NEW.status = 'new' THEN
			NEW.reviewer := NULL;
			NEW.reviewed_at := NULL;
			NEW.comment := NULL;
		ELSE
			NEW.reviewer := patrol_actor();
			NEW.reviewed_at := now();
			NEW.comment := patrol_comment();
		END IF;
	ELSIF NEW.nevents <> OLD.nevents OR NEW.reviewer IS DISTINCT FROM OLD.reviewer
	      OR NEW.reviewed_at IS DISTINCT FROM OLD.reviewed_at OR NEW.comment IS DISTINCT FROM OLD.comment THEN
		RAISE EXCEPTION 'a review''s reviewer, time, comment and event count change only with its status'
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER reviews_guard BEFORE INSERT OR UPDATE OR DELETE ON reviews
	FOR EACH ROW EXECUTE FUNCTION reviews_guard();

CREATE FUNCTION reviews_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.nevents > OLD.nevents THEN
		INSERT INTO review_events (host_id, url_id, seq, at, actor, from_status, to_status, comment)
		VALUES (NEW.host_id, NEW.url_id, NEW.nevents, now(), patrol_actor(), OLD.status, NEW.status,
			patrol_comment());
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER reviews_log AFTER UPDATE ON reviews
	FOR EACH ROW EXECUTE FUNCTION reviews_log();

-- Event rows come only from the AFTER triggers (trigger depth 2).
CREATE FUNCTION patrol_events_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF pg_trigger_depth() < 2 THEN
		RAISE EXCEPTION '% rows are written by the database when the % changes, not inserted',
			TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER review_events_insert BEFORE INSERT ON review_events
	FOR EACH ROW EXECUTE FUNCTION patrol_events_insert('review');
CREATE TRIGGER review_events_append_only BEFORE UPDATE OR DELETE ON review_events
	FOR EACH ROW EXECUTE FUNCTION patrol_append_only();
CREATE TRIGGER review_events_truncate BEFORE TRUNCATE ON review_events
	FOR EACH STATEMENT EXECUTE FUNCTION patrol_append_only();

-- A hit makes its page a flagged page (review 'new'); a dismissed page whose
-- content changed and is flagged again comes back as new.
CREATE FUNCTION hits_flag() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	f record;
	r record;
	prev_actor text;
	prev_comment text;
BEGIN
	SELECT fetched_at, content_sha256 INTO f FROM fetches
	WHERE host_id = NEW.host_id AND id = NEW.fetch_id;
	INSERT INTO reviews (host_id, url_id, job_id, flagged_at, content_sha256)
	VALUES (NEW.host_id, NEW.url_id, NEW.job_id, f.fetched_at, f.content_sha256)
	ON CONFLICT (host_id, url_id) DO NOTHING;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	SELECT status, content_sha256 INTO r FROM reviews
	WHERE host_id = NEW.host_id AND url_id = NEW.url_id FOR UPDATE;
	-- a 304 or an empty body says nothing about a change of content
	IF f.content_sha256 IS NULL OR r.content_sha256 IS NOT DISTINCT FROM f.content_sha256 THEN
		RETURN NULL;
	END IF;
	IF r.status = 'dismissed' THEN
		prev_actor := current_setting('patrol.actor', true);
		prev_comment := current_setting('patrol.comment', true);
		PERFORM set_config('patrol.actor', 'patrol', true);
		PERFORM set_config('patrol.comment', 'content changed (sha256 ' || f.content_sha256
			|| ') and is flagged again: ' || NEW.category, true);
		UPDATE reviews SET status = 'new', content_sha256 = f.content_sha256
		WHERE host_id = NEW.host_id AND url_id = NEW.url_id;
		PERFORM set_config('patrol.actor', coalesce(prev_actor, ''), true);
		PERFORM set_config('patrol.comment', coalesce(prev_comment, ''), true);
	ELSE
		UPDATE reviews SET content_sha256 = f.content_sha256
		WHERE host_id = NEW.host_id AND url_id = NEW.url_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER hits_flag AFTER INSERT ON hits
	FOR EACH ROW EXECUTE FUNCTION hits_flag();

-- ---------------------------------------------------------------- takedowns

CREATE TABLE takedown_transitions (
	from_status text NOT NULL,
	to_status   text NOT NULL,
	PRIMARY KEY (from_status, to_status)
);
INSERT INTO takedown_transitions VALUES
	('open', 'sent'), ('open', 'expired'),
	('sent', 'acknowledged'), ('sent', 'removed'), ('sent', 'refused'), ('sent', 'expired'),
	('acknowledged', 'removed'), ('acknowledged', 'refused'), ('acknowledged', 'expired'),
	('removed', 'reopened'),
	('reopened', 'sent'), ('reopened', 'acknowledged'), ('reopened', 'removed'),
	('reopened', 'refused'), ('reopened', 'expired');

CREATE TABLE takedowns (
	id              bigserial,
	host_id         bigint NOT NULL,
	url_id          bigint NOT NULL,
	job_id          bigint NOT NULL,
	status          text NOT NULL DEFAULT 'open'
	                CHECK (status IN ('open', 'sent', 'acknowledged', 'removed', 'refused',
	                                  'expired', 'reopened')),
	recipient_kind  text NOT NULL
	                CHECK (recipient_kind IN ('site_operator', 'hosting_provider', 'registrar',
	                                          'platform', 'hotline')),
	recipient       text,        -- the provider's (operator's, ...) name
	channel         text NOT NULL
	                CHECK (channel IN ('web_form', 'email', 'hotline_report', 'letter')),
	reference       text,
	category        text NOT NULL,
	opened_by       text NOT NULL,
	opened_at       timestamptz NOT NULL DEFAULT now(),
	sent_by         text,
	sent_at         timestamptz,
	acknowledged_at timestamptz,
	removed_at      timestamptz, -- the first recheck that saw the page gone
	reopened_at     timestamptz,
	closed_at       timestamptz, -- refused or expired
	nevents         integer NOT NULL DEFAULT 0,
	PRIMARY KEY (host_id, id),
	FOREIGN KEY (host_id, url_id) REFERENCES urls (host_id, id)
);
CREATE INDEX takedowns_id ON takedowns (id);
CREATE INDEX takedowns_page ON takedowns (host_id, url_id);
CREATE INDEX takedowns_status ON takedowns (status);

CREATE TABLE takedown_events (
	host_id     bigint NOT NULL,
	takedown_id bigint NOT NULL,
	seq         integer NOT NULL,
	at          timestamptz NOT NULL DEFAULT now(),
	actor       text NOT NULL,
	from_status text,            -- NULL for the opening
	to_status   text NOT NULL,
	reference   text,
	comment     text,
	PRIMARY KEY (host_id, takedown_id, seq),
	FOREIGN KEY (host_id, takedown_id) REFERENCES takedowns (host_id, id)
);

CREATE FUNCTION takedowns_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'takedown request % cannot be deleted', OLD.id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'open' THEN
			RAISE EXCEPTION 'a takedown request starts as open, not %', NEW.status
				USING ERRCODE = 'check_violation';
		END IF;
		-- FOR SHARE: a concurrent dismissal waits for this request, then sees it
		PERFORM 1 FROM reviews r WHERE r.host_id = NEW.host_id AND r.url_id = NEW.url_id
			AND r.status = 'confirmed' FOR SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'page % is not confirmed: a takedown request needs a confirmed page', NEW.url_id
				USING ERRCODE = 'check_violation';
		END IF;
		NEW.opened_by := patrol_actor();
		NEW.opened_at := now();
		NEW.sent_by := NULL;
		NEW.sent_at := NULL;
		NEW.acknowledged_at := NULL;
		NEW.removed_at := NULL;
		NEW.reopened_at := NULL;
		NEW.closed_at := NULL;
		NEW.nevents := 1;
		RETURN NEW;
	END IF;
	IF NEW.id <> OLD.id OR NEW.host_id <> OLD.host_id OR NEW.url_id <> OLD.url_id
	   OR NEW.job_id <> OLD.job_id OR NEW.recipient_kind <> OLD.recipient_kind
	   OR NEW.channel <> OLD.channel OR NEW.category <> OLD.category
	   OR NEW.opened_by <> OLD.opened_by OR NEW.opened_at <> OLD.opened_at THEN
		RAISE EXCEPTION 'takedown request %: only its status, recipient and reference can change', OLD.id
			USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.sent_by IS DISTINCT FROM OLD.sent_by OR NEW.sent_at IS DISTINCT FROM OLD.sent_at
	   OR NEW.acknowledged_at IS DISTINCT FROM OLD.acknowledged_at
	   OR NEW.reopened_at IS DISTINCT FROM OLD.reopened_at OR NEW.closed_at IS DISTINCT FROM OLD.closed_at
	   OR (NEW.removed_at IS DISTINCT FROM OLD.removed_at
	       AND (NEW.status <> 'removed' OR NEW.status = OLD.status)) THEN
		RAISE EXCEPTION 'takedown request %: its times are set by its transitions', OLD.id
			USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.status <> OLD.status THEN
		IF NOT EXISTS (SELECT 1 FROM takedown_transitions
			       WHERE from_status = OLD.status AND to_status = NEW.status) THEN
			RAISE EXCEPTION 'illegal takedown transition for request %: % → %', OLD.id, OLD.status, NEW.status
				USING ERRCODE = 'check_violation';
		END IF;
		CASE NEW.status
		WHEN 'sent' THEN
			NEW.sent_at := now();
			NEW.sent_by := patrol_actor();
		WHEN 'acknowledged' THEN
			NEW.acknowledged_at := now();
		WHEN 'removed' THEN
			-- the client may date the removal back to the first recheck that saw it
			IF NEW.removed_at IS NULL OR NEW.removed_at IS NOT DISTINCT FROM OLD.removed_at THEN
				NEW.removed_at := now();
			ELSIF NEW.removed_at > now() OR NEW.removed_at < NEW.opened_at THEN
				RAISE EXCEPTION 'takedown request %: removal time % is not between its opening and now',
					OLD.id, NEW.removed_at USING ERRCODE = 'check_violation';
			END IF;
		WHEN 'reopened' THEN
			NEW.reopened_at := now();
			NEW.removed_at := NULL;
		ELSE
			NEW.closed_at := now();
		END CASE;
	END IF;
	-- every change, and a bare "nevents + 1" (a note), is one event
	IF NEW.status <> OLD.status OR NEW.reference IS DISTINCT FROM OLD.reference
	   OR NEW.recipient IS DISTINCT FROM OLD.recipient OR NEW.nevents <> OLD.nevents THEN
		NEW.nevents := OLD.nevents + 1;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER takedowns_guard BEFORE INSERT OR UPDATE OR DELETE ON takedowns
	FOR EACH ROW EXECUTE FUNCTION takedowns_guard();

CREATE FUNCTION takedowns_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO takedown_events (host_id, takedown_id, seq, at, actor, from_status, to_status,
					     reference, comment)
		VALUES (NEW.host_id, NEW.id, 1, now(), NEW.opened_by, NULL, NEW.status, NEW.reference,
			patrol_comment());
	ELSIF NEW.nevents > OLD.nevents THEN
		INSERT INTO takedown_events (host_id, takedown_id, seq, at, actor, from_status, to_status,
					     reference, comment)
		VALUES (NEW.host_id, NEW.id, NEW.nevents, now(), patrol_actor(), OLD.status, NEW.status,
			NEW.reference, patrol_comment());
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER takedowns_log AFTER INSERT OR UPDATE ON takedowns
	FOR EACH ROW EXECUTE FUNCTION takedowns_log();

CREATE TRIGGER takedown_events_insert BEFORE INSERT ON takedown_events
	FOR EACH ROW EXECUTE FUNCTION patrol_events_insert('takedown request');
CREATE TRIGGER takedown_events_append_only BEFORE UPDATE OR DELETE ON takedown_events
	FOR EACH ROW EXECUTE FUNCTION patrol_append_only();
CREATE TRIGGER takedown_events_truncate BEFORE TRUNCATE ON takedown_events
	FOR EACH STATEMENT EXECUTE FUNCTION patrol_append_only();

-- ---------------------------------------------------------------- rechecks

-- outcome: present (still there, still flagged), gone (reason: http_404,
-- http_410, http_451, dns, notice, unflagged), error (inconclusive: a
-- network error, a 5xx, a DNS failure not yet repeated enough).
CREATE TABLE rechecks (
	id             bigserial,
	host_id        bigint NOT NULL,
	url_id         bigint NOT NULL,
	job_id         bigint NOT NULL,
	fetch_id       bigint,
	checked_at     timestamptz NOT NULL DEFAULT now(),
	outcome        text NOT NULL CHECK (outcome IN ('present', 'gone', 'error')),
	reason         text NOT NULL,
	http_status    integer NOT NULL DEFAULT 0,
	final_url      text,
	content_sha256 text,
	categories     text[] NOT NULL DEFAULT '{}', -- what the content classified as
	error          text,
	actor          text NOT NULL,
	PRIMARY KEY (host_id, id),
	FOREIGN KEY (host_id, url_id) REFERENCES urls (host_id, id)
);
CREATE INDEX rechecks_page ON rechecks (host_id, url_id, id);

CREATE TRIGGER rechecks_append_only BEFORE UPDATE OR DELETE ON rechecks
	FOR EACH ROW EXECUTE FUNCTION patrol_append_only();
CREATE TRIGGER rechecks_truncate BEFORE TRUNCATE ON rechecks
	FOR EACH STATEMENT EXECUTE FUNCTION patrol_append_only();

-- ---------------------------------------------------------------- hotline intake

CREATE TABLE reports (
	id          bigserial,
	host_id     bigint NOT NULL,
	url_id      bigint NOT NULL,
	job_id      bigint NOT NULL,
	reported_at timestamptz NOT NULL,
	source      text,
	reference   text,
	category    text,
	imported_at timestamptz NOT NULL DEFAULT now(),
	imported_by text NOT NULL,
	file        text,
	line        integer,
	PRIMARY KEY (host_id, id),
	FOREIGN KEY (host_id, url_id) REFERENCES urls (host_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX reports_once ON reports (host_id, url_id, coalesce(source, ''), coalesce(reference, ''));
