-- 004_families_aliases: URL families judged by what they serve, and one page under one URL.
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
CREATE INDEX fetches_digest ON fetches (host_id, content_sha256) WHERE http_status = 200;
