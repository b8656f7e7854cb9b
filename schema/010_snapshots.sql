-- 010_snapshots: a flagged page as it looked when captured, rendered from
-- its WARC record by headless Chromium with every network request blocked
-- (patrol serve, console/snapshot.c).
--
-- The PNG is a file beside the WARC file it was rendered from (png_file is
-- relative to the WARC directory, like evidence.warc_file); its SHA-256 is
-- kept here, with the evidence it belongs to, so that a file swapped or
-- damaged afterwards is found out when it is shown. A row is never updated:
-- a new rendering is a new row, and one that could not be made says why in
-- error (png_file NULL), so the detail page can tell the reviewer.

CREATE TABLE snapshots (
	id           bigserial,
	host_id      bigint NOT NULL,
	fetch_id     bigint NOT NULL,
	url_id       bigint NOT NULL,
	taken_at     timestamptz NOT NULL DEFAULT now(),
	taken_by     text NOT NULL,
	warc_digest  text,           -- the payload digest of the record rendered
	png_file     text,
	png_sha256   text CHECK (png_sha256 ~ '^[0-9a-f]{64}$'),
	png_size     bigint CHECK (png_size > 0),
	error        text,
	CHECK ((png_file IS NULL) = (error IS NOT NULL)),
	CHECK ((png_file IS NULL) = (png_sha256 IS NULL)),
	PRIMARY KEY (host_id, id),
	FOREIGN KEY (host_id, fetch_id) REFERENCES fetches (host_id, id) ON DELETE CASCADE
);
CREATE INDEX snapshots_url ON snapshots (host_id, url_id, taken_at DESC);

-- part of the record (009_roles): the application adds snapshots, never changes one
REVOKE UPDATE, DELETE, TRUNCATE ON snapshots FROM patrol;
