-- 001_init: jobs, the frontier (hosts, urls), fetches and hits.
--
-- Every large table carries host_id and has it first in its keys, so the
-- schema distributes by host on Citus without a change of code; no hot-path
-- query joins large tables across hosts.

CREATE TABLE jobs (
	id          bigserial PRIMARY KEY,
	name        text NOT NULL UNIQUE,
	created_at  timestamptz NOT NULL DEFAULT now(),
	config      jsonb NOT NULL DEFAULT '{}',
	finished_at timestamptz
);

-- One row per origin (scheme://host[:port]) per job: the unit of politeness,
-- of robots.txt, and of the lease that gives one worker process the host.
CREATE TABLE hosts (
	id                bigserial PRIMARY KEY,
	job_id            bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	origin            text NOT NULL,
	seed              boolean NOT NULL DEFAULT false,
	lease_owner       text,
	lease_until       timestamptz,
	next_fetch_at     timestamptz,
	robots_status     integer,
	robots_body       text,
	robots_fetched_at timestamptz,
	claimed_total     integer NOT NULL DEFAULT 0,
	parked_at         timestamptz,
	parked_reason     text,
	UNIQUE (job_id, origin)
);
CREATE INDEX hosts_lease ON hosts (job_id, lease_until);

-- The frontier of record. state: 0 queued, 1 claimed by claimed_by,
-- 2 fetched (a fetches row exists; a recrawl adds more), 3 refused (reason
-- says why). attempts counts retries after 429, 503 and network errors.
CREATE TABLE urls (
	id            bigserial,
	host_id       bigint NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	job_id        bigint NOT NULL,
	url           text NOT NULL,
	url_key       bytea NOT NULL,
	depth         integer NOT NULL DEFAULT 0,
	hops          integer NOT NULL DEFAULT 0,
	attempts      integer NOT NULL DEFAULT 0,
	state         smallint NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
	claimed_by    text,
	reason        text,
	parent_url_id bigint,
	discovered_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (host_id, id),
	UNIQUE (host_id, url_key)
);
CREATE INDEX urls_queued ON urls (host_id, depth, id) WHERE state = 0;
CREATE INDEX urls_claimed ON urls (job_id) WHERE state = 1;
CREATE INDEX urls_job_state ON urls (job_id, state);

CREATE TABLE fetches (
	id             bigserial,
	host_id        bigint NOT NULL,
	url_id         bigint NOT NULL,
	job_id         bigint NOT NULL,
	fetched_at     timestamptz NOT NULL,
	http_status    integer NOT NULL,
	final_url      text NOT NULL,
	content_type   text,
	size           bigint NOT NULL DEFAULT 0,
	content_sha256 text,
	server_ip      text,
	charset        text,
	title          text,
	duration_ms    integer,
	links          integer NOT NULL DEFAULT 0,
	error          text,
	worker         text,
	etag           text,
	last_modified  text,
	unchanged      boolean NOT NULL DEFAULT false,
	PRIMARY KEY (host_id, id),
	FOREIGN KEY (host_id, url_id) REFERENCES urls (host_id, id) ON DELETE CASCADE
);
CREATE INDEX fetches_job ON fetches (job_id, fetched_at);
CREATE INDEX fetches_url ON fetches (host_id, url_id, fetched_at DESC);

CREATE TABLE hits (
	id          bigserial,
	host_id     bigint NOT NULL,
	fetch_id    bigint NOT NULL,
	url_id      bigint NOT NULL,
	job_id      bigint NOT NULL,
	category    text NOT NULL,
	score       real NOT NULL CHECK (score >= 0 AND score <= 1),
	classifier  text NOT NULL DEFAULT 'lua',
	rule        text NOT NULL,
	rule_file   text,
	evidence    text NOT NULL,
	ev_start    integer,
	ev_end      integer,
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (host_id, id),
	UNIQUE (host_id, fetch_id, rule),
	FOREIGN KEY (host_id, fetch_id) REFERENCES fetches (host_id, id) ON DELETE CASCADE
);
CREATE INDEX hits_job ON hits (job_id, category);
