-- 003_evidence: where each flagged page's WARC records are (crawler/warc.h).
--
-- One row per fetch that has evidence, keyed like fetches: host_id first, so
-- the table distributes by host with the rest. warc_file is relative to the
-- WARC directory ($PATROL_HOME/warc); warc_offset and warc_length locate the
-- response record's gzip member; warc_digest is the SHA-256 (hex) of the
-- payload, the body as stored, and warc_record_id its WARC-Record-ID.

CREATE TABLE evidence (
	host_id        bigint NOT NULL,
	fetch_id       bigint NOT NULL,
	warc_file      text NOT NULL,
	warc_offset    bigint NOT NULL CHECK (warc_offset >= 0),
	warc_length    bigint NOT NULL CHECK (warc_length > 0),
	warc_record_id text NOT NULL,
	warc_digest    text NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (host_id, fetch_id),
	FOREIGN KEY (host_id, fetch_id) REFERENCES fetches (host_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_record ON evidence (warc_record_id);
