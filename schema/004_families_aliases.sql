-- 004_families_aliases: URL families judged by what they serve, one page under one URL,
-- and a quarantine for pages the database refuses.
--
-- url_families keeps a crawl's verdict on each family of URLs (crawler/traps.h:
-- origin, path with numbers and ids abstracted, parameter names): 'trap' when
-- its pages kept repeating what it served before, 'open' while it brings new
-- text. A resumed crawl, or another process of the job, starts from these.
CREATE TABLE url_families (
	job_id     bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	family     text NOT NULL,
	pages      bigint NOT NULL DEFAULT 0 CHECK (pages >= 0),
	repeats    bigint NOT NULL DEFAULT 0 CHECK (repeats >= 0),
	verdict    text NOT NULL CHECK (verdict IN ('open', 'trap')),
	reason     text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (job_id, family)
);

-- A URL whose page has the same content digest as a page already stored under
-- another URL of its host is an alias of it: fetched, but not stored as a
-- second page, so its hits, reviews and takedowns are those of the first.
ALTER TABLE urls ADD COLUMN alias_of bigint;
CREATE INDEX urls_alias ON urls (host_id, alias_of) WHERE alias_of IS NOT NULL;
CREATE INDEX fetches_digest ON fetches (host_id, content_sha256) WHERE http_status = 200;

-- A page the database refused to store (a value it will not take, a
-- constraint, a limit) is kept here with the reason, and its URL marked
-- refused 'quarantined', so the rest of its batch is stored and a resume does
-- not fetch it again and again. Keyed like the other per-host tables.
CREATE TABLE quarantine (
	id         bigserial,
	job_id     bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	host_id    bigint NOT NULL,
	url_id     bigint NOT NULL,
	url        text NOT NULL,
	sqlstate   text,
	reason     text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (host_id, id)
);
CREATE INDEX quarantine_job ON quarantine (job_id, created_at);
